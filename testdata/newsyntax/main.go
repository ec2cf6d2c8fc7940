// Command newsyntax serves one request to itself and returns from main: the
// SDK flush spliced into main is what delivers its spans. It uses Go 1.26's
// new(expr) at top level and in main, which tree-sitter-go does not parse.
package main

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"

	"example.com/newsyntax/stock"
)

var greeting = new("stock")

func main() {
	http.HandleFunc("GET /stock/{item}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, *greeting, *stock.Level(r.Context(), r.PathValue("item")))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go http.Serve(ln, nil) //nolint:errcheck // ends with the process
	url := new("http://" + ln.Addr().String() + "/stock/book")
	resp, err := http.Get(*url)
	if err != nil {
		log.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Print(string(body))
}
