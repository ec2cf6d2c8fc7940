// Command redisapp serves HTTP on $ADDR and talks to the Redis server at
// $REDIS_ADDR through go-redis v9 and redigo, passing the request's context
// wherever the API takes one. It contains no OpenTelemetry code.
//
//	/goredis/set?key=K&value=V   SET
//	/goredis/get?key=K           GET (404 when the key is missing)
//	/goredis/pipeline            SET, INCR, GET in one pipeline
//	/goredis/tx                  MULTI, INCR, INCR, EXEC
//	/goredis/error               an unknown command (500)
//	/redigo/do                   DoContext SET, then Do GET (no context)
//	/redigo/pipeline             Send SET, INCR, GET, Flush, ReceiveContext x3
//	/redigo/tx                   pooled connection on database 1: Send MULTI, INCR, INCR, DoContext EXEC
//	/redigo/error                DoContext of an unknown command (500)
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/gomodule/redigo/redis"
	goredis "github.com/redis/go-redis/v9"
)

var (
	redisAddr = os.Getenv("REDIS_ADDR")
	rdb       *goredis.Client
	pool      *redis.Pool
)

func main() {
	rdb = goredis.NewClient(&goredis.Options{Addr: redisAddr})
	pool = &redis.Pool{
		MaxIdle: 2,
		DialContext: func(ctx context.Context) (redis.Conn, error) {
			return redis.DialContext(ctx, "tcp", redisAddr, redis.DialDatabase(1))
		},
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /goredis/set", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		v, err := rdb.Set(r.Context(), q.Get("key"), q.Get("value"), 0).Result()
		reply(w, v, err)
	})
	mux.HandleFunc("GET /goredis/get", func(w http.ResponseWriter, r *http.Request) {
		v, err := rdb.Get(r.Context(), r.URL.Query().Get("key")).Result()
		if errors.Is(err, goredis.Nil) {
			http.Error(w, "missing", http.StatusNotFound)
			return
		}
		reply(w, v, err)
	})
	mux.HandleFunc("GET /goredis/pipeline", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		pipe := rdb.Pipeline()
		pipe.Set(ctx, "pipe:a", "1", 0)
		n := pipe.Incr(ctx, "pipe:n")
		pipe.Get(ctx, "pipe:a")
		_, err := pipe.Exec(ctx)
		reply(w, n.Val(), err)
	})
	mux.HandleFunc("GET /goredis/tx", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		var n *goredis.IntCmd
		_, err := rdb.TxPipelined(ctx, func(p goredis.Pipeliner) error {
			p.Incr(ctx, "tx:n")
			n = p.Incr(ctx, "tx:n")
			return nil
		})
		reply(w, n.Val(), err)
	})
	mux.HandleFunc("GET /goredis/error", func(w http.ResponseWriter, r *http.Request) {
		v, err := rdb.Do(r.Context(), "NOSUCHCOMMAND", "x").Result()
		reply(w, v, err)
	})

	mux.HandleFunc("GET /redigo/do", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		c, err := redis.DialContext(ctx, "tcp", redisAddr)
		if err != nil {
			reply(w, nil, err)
			return
		}
		defer c.Close()
		if _, err := redis.DoContext(c, ctx, "SET", "redigo:k", "v"); err != nil {
			reply(w, nil, err)
			return
		}
		v, err := redis.String(c.Do("GET", "redigo:k"))
		reply(w, v, err)
	})
	mux.HandleFunc("GET /redigo/pipeline", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		c, err := redis.DialContext(ctx, "tcp", redisAddr)
		if err != nil {
			reply(w, nil, err)
			return
		}
		defer c.Close()
		c.Send("SET", "redigo:p", "1")
		c.Send("INCR", "redigo:n")
		c.Send("GET", "redigo:p")
		if err := c.Flush(); err != nil {
			reply(w, nil, err)
			return
		}
		var last any
		for i := 0; i < 3; i++ {
			if last, err = redis.ReceiveContext(c, ctx); err != nil {
				reply(w, nil, err)
				return
			}
		}
		v, err := redis.String(last, nil)
		reply(w, v, err)
	})
	mux.HandleFunc("GET /redigo/tx", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		c, err := pool.GetContext(ctx)
		if err != nil {
			reply(w, nil, err)
			return
		}
		defer c.Close()
		c.Send("MULTI")
		c.Send("INCR", "redigo:tx")
		c.Send("INCR", "redigo:tx")
		v, err := redis.Ints(redis.DoContext(c, ctx, "EXEC"))
		reply(w, v, err)
	})
	mux.HandleFunc("GET /redigo/error", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		c, err := redis.DialContext(ctx, "tcp", redisAddr)
		if err != nil {
			reply(w, nil, err)
			return
		}
		defer c.Close()
		v, err := redis.DoContext(c, ctx, "NOSUCHCOMMAND", "x")
		reply(w, v, err)
	})
	log.Fatal(http.ListenAndServe(os.Getenv("ADDR"), mux))
}

func reply(w http.ResponseWriter, v any, err error) {
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprintln(w, v)
}
