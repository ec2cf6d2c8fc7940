// Command redisv8app serves HTTP on $ADDR and talks to the Redis server at
// $REDIS_ADDR through go-redis v8 (github.com/go-redis/redis/v8). It
// contains no OpenTelemetry code.
//
//	/set?key=K&value=V   SET with the request's context
//	/get?key=K           GET (404 when the key is missing)
//	/pipeline            SET, INCR, GET in one pipeline
//	/tx                  MULTI, INCR, INCR, EXEC
//	/error               an unknown command (500)
//	/background          INCR with context.Background()
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/go-redis/redis/v8"
)

func main() {
	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")})

	mux := http.NewServeMux()
	mux.HandleFunc("/set", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		reply(w, rdb.Set(r.Context(), q.Get("key"), q.Get("value"), 0).Err())
	})
	mux.HandleFunc("/get", func(w http.ResponseWriter, r *http.Request) {
		_, err := rdb.Get(r.Context(), r.URL.Query().Get("key")).Result()
		if errors.Is(err, redis.Nil) {
			http.Error(w, "missing", http.StatusNotFound)
			return
		}
		reply(w, err)
	})
	mux.HandleFunc("/pipeline", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		pipe := rdb.Pipeline()
		pipe.Set(ctx, "v8:pipe:a", "1", 0)
		pipe.Incr(ctx, "v8:pipe:n")
		pipe.Get(ctx, "v8:pipe:a")
		_, err := pipe.Exec(ctx)
		reply(w, err)
	})
	mux.HandleFunc("/tx", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		_, err := rdb.TxPipelined(ctx, func(pipe redis.Pipeliner) error {
			pipe.Incr(ctx, "v8:tx:n")
			pipe.Incr(ctx, "v8:tx:n")
			return nil
		})
		reply(w, err)
	})
	mux.HandleFunc("/error", func(w http.ResponseWriter, r *http.Request) {
		reply(w, rdb.Do(r.Context(), "NOSUCHCOMMAND", "x").Err())
	})
	mux.HandleFunc("/background", func(w http.ResponseWriter, r *http.Request) {
		reply(w, rdb.Incr(context.Background(), "v8:bg").Err())
	})

	log.Fatal(http.ListenAndServe(os.Getenv("ADDR"), mux))
}

func reply(w http.ResponseWriter, err error) {
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprintln(w, "ok")
}
