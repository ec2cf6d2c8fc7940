// Command goroutines serves requests whose handlers make HTTP calls without
// passing the request's context: directly, and from goroutines they start.
// Built with otelgo, those calls still belong to the request's trace.
package main

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"runtime"
	"sync"
)

var backend = os.Getenv("BACKEND_URL")

func get(path string) string {
	resp, err := http.Get(backend + path) // no context: the goroutine's span is the parent
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

// direct calls the backend from the handler's own goroutine.
func direct(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintln(w, get("/direct"))
}

// fanout calls the backend from goroutines it starts, and waits for them.
func fanout(w http.ResponseWriter, r *http.Request) {
	var wg sync.WaitGroup
	results := make([]string, 3)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = get(fmt.Sprintf("/fan/%d", i))
		}()
	}
	wg.Wait()
	fmt.Fprintln(w, results)
}

// detached starts a goroutine that outlives the request.
func detached(w http.ResponseWriter, r *http.Request) {
	done := make(chan struct{})
	go func() {
		<-done
		get("/late")
	}()
	fmt.Fprintln(w, "started")
	close(done)
}

func backendHandler(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "ok %s", r.URL.Path)
}

// stats reports the live heap after a collection, for the soak test.
func stats(w http.ResponseWriter, r *http.Request) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	fmt.Fprintf(w, "%d %d\n", m.HeapAlloc, runtime.NumGoroutine())
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /direct", direct)
	mux.HandleFunc("GET /fanout", fanout)
	mux.HandleFunc("GET /detached", detached)
	mux.HandleFunc("GET /backend/", backendHandler)
	mux.HandleFunc("GET /stats", stats)
	log.Fatal(http.ListenAndServe(os.Getenv("ADDR"), mux))
}
