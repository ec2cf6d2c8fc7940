// Command control serves /work, whose handler calls a TARGET_URL server
// from code that otelgo traces and from code that //otel:ignore comments
// leave out (a function, a file, a package), and /healthz, which a run-time
// variable can exclude from tracing. It reports the database/sql drivers it
// has (none): a package the tests leave out of a build with --without.
package main

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"net/http"
	"os"
	"sync"

	"example.com/control/quiet"
)

var target = os.Getenv("TARGET_URL")

func get(ctx context.Context, path string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target+path, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// priced asks the target for a price, in a span of its own.
//
//otel:span
func priced(ctx context.Context, item string) error {
	return get(ctx, "/price/"+item)
}

// audit is left out: nothing it calls is traced, not in the goroutine it
// starts either, and priced makes no span when audit calls it.
//
//otel:ignore
func audit(ctx context.Context) {
	_ = get(ctx, "/audit")
	_ = priced(ctx, "audited")
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = get(context.Background(), "/audit-async")
	}()
	wg.Wait()
}

func work(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	_ = priced(ctx, "book")
	audit(ctx)
	_ = quiet.Ping(ctx, target)
	_ = probe(ctx)
	_ = get(ctx, "/after") // traced again: audit has returned
	fmt.Fprintln(w, "done", len(sql.Drivers()))
}

func health(w http.ResponseWriter, r *http.Request) {
	_ = get(r.Context(), "/health-dep")
	fmt.Fprintln(w, "ok")
}

func main() {
	http.HandleFunc("GET /work", work)
	http.HandleFunc("GET /healthz", health)
	log.Fatal(http.ListenAndServe(os.Getenv("ADDR"), nil))
}
