//go:build !oldest

package main

import (
	"net/http"
	"os"

	"github.com/redis/go-redis/extra/redisotel/v9"
	"github.com/redis/go-redis/v9"
)

// /redisotel/set?key=K: SET through a client the program instruments
// itself with redisotel (left out of the oldest build: redisotel starts at
// go-redis v9.0.2).
func init() {
	routes = append(routes, func(mux *http.ServeMux) {
		rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")})
		if err := redisotel.InstrumentTracing(rdb); err != nil {
			panic(err)
		}
		mux.HandleFunc("/redisotel/set", func(w http.ResponseWriter, r *http.Request) {
			reply(w, rdb.Set(r.Context(), r.URL.Query().Get("key"), "v", 0).Err())
		})
	})
}
