// Command dropin shows the effect of go build flags: -ldflags -X sets
// version, -tags extra adds a line, and it panics at a known line when asked,
// so that -trimpath can be seen in the stack trace. It serves one request to
// itself so that the instrumentation has something to trace.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"

	"example.com/dropin/internal/greet"
)

var version = "dev"

var extra = "" // set by a file with //go:build extra

func main() {
	fmt.Println("version", version)
	if extra != "" {
		fmt.Println("extra", extra)
	}
	fmt.Println(greet.Hello("drop-in"))
	if len(os.Args) > 1 && os.Args[1] == "panic" {
		panic("dropin: asked to panic")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "pong") }))
	resp, err := http.Get("http://" + ln.Addr().String() + "/ping")
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println("got", string(body))
}
