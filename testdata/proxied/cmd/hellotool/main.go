// Command hellotool is a main package of a module that the tests serve to
// the go command through a GOPROXY=file:// directory (tests/e2e/gocommand/
// test_install.py): built by its import path from another module, or
// installed as hellotool@version, it comes from the module cache. It serves
// one route, calls it once over HTTP and exits; built with otel go, it
// exports a CLIENT span and the SERVER span under it.
package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /tool/{name}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello from the tool, %s\n", r.PathValue("name"))
	})
	go http.Serve(ln, mux)

	resp, err := http.Get("http://" + ln.Addr().String() + "/tool/gopher")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	wd, _ := os.Getwd()
	fmt.Printf("%s %sargs %q wd %s\n", resp.Status, body, os.Args[1:], wd)
}
