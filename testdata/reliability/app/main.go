// Command app is what the reliability tests build and break. It serves
// GET /compute/{n} (answered by package lib) and GET /shout/{word}
// (package words) on $ADDR; with the argument "once" it serves on a free
// port, requests /compute/3 and /shout/hi from itself, prints the answers
// and exits. It has no OpenTelemetry code.
package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"

	"github.com/google/uuid"

	"example.com/reliability/app/lib"
	"example.com/reliability/app/words"
)

// revision is rewritten by the tests before some builds, so that the build
// really compiles package main instead of finding it in the cache.
const revision = "r0"

func newMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /compute/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(r.PathValue("n"))
		if err != nil {
			http.Error(w, "n must be a number", http.StatusBadRequest)
			return
		}
		w.Header().Set("X-Request-Id", uuid.NewString())
		fmt.Fprintf(w, "compute %d = %d\n", n, lib.Compute(n))
	})
	mux.HandleFunc("GET /shout/{word}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, words.Shout(r.PathValue("word")))
	})
	return mux
}

func get(url string) string {
	resp, err := http.Get(url)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		log.Fatal(err)
	}
	return string(body)
}

func once() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go http.Serve(ln, newMux())
	base := "http://" + ln.Addr().String()
	fmt.Print(get(base + "/compute/3"))
	fmt.Print(get(base + "/shout/hi"))
	fmt.Println("revision", revision)
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "once" {
		once()
		return
	}
	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	log.Fatal(http.ListenAndServe(addr, newMux()))
}
