// Command handmade is a program instrumented partly by hand, with the
// official wrappers: otelhttp around one route of the ServeMux and around
// its HTTP client's transport, XSAM/otelsql around its database driver,
// redisotel on its Redis client. It does not set up an SDK (otelgo's
// bootstrap does, in an `otel go build`).
//
//	/work    (otelhttp) an HTTP call to $BACKEND_URL, a query, a Redis SET
//	/deep    the same, its otelhttp handler behind a middleware of its own
//	/gin/items/{id}, /echo/items/{id}, /mux/items/{id}  routers with their
//	         own middleware (otelgin, otelecho, otelmux) behind that middleware
//	/plain   no wrapper: otelgo traces it
//
// and GET /items/{id} with gin, echo and gorilla/mux, each with its contrib
// middleware (otelgin, otelecho, otelmux), on $GIN_ADDR, $ECHO_ADDR, $MUX_ADDR.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"

	"github.com/XSAM/otelsql"
	"github.com/redis/go-redis/extra/redisotel/v9"
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	_ "modernc.org/sqlite"
)

func main() {
	db, err := otelsql.Open("sqlite", "file::memory:?cache=shared")
	if err != nil {
		log.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, name TEXT)"); err != nil {
		log.Fatal(err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")})
	if err := redisotel.InstrumentTracing(rdb); err != nil {
		log.Fatal(err)
	}
	client := &http.Client{Transport: otelhttp.NewTransport(http.DefaultTransport)}

	work := func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if err := call(ctx, client); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		var n int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM items WHERE name = ?", "x").Scan(&n); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if err := rdb.Set(ctx, "handmade", "1", 0).Err(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "ok")
	}
	serveRouters()
	http.Handle("/work", otelhttp.NewHandler(http.HandlerFunc(work), "work"))
	http.Handle("/deep", logged(otelhttp.NewHandler(http.HandlerFunc(work), "deep")))
	for prefix, router := range routersBehind() {
		http.Handle(prefix, logged(router))
	}
	http.HandleFunc("/plain", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "plain")
	})
	log.Fatal(http.ListenAndServe(os.Getenv("ADDR"), nil))
}

// logged is a middleware of the program's own: otelgo cannot see the
// otelhttp handler behind it before the request reaches it.
func logged(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log.Printf("%s %s", r.Method, r.URL.Path)
		next.ServeHTTP(w, r)
	})
}

func call(ctx context.Context, client *http.Client) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, os.Getenv("BACKEND_URL"), nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}
