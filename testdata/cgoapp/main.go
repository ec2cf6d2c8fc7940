// Command cgoapp serves GET /add on $ADDR; the sum comes from a cgo package.
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"

	"example.com/cgoapp/adder"
)

func main() {
	http.HandleFunc("GET /add", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "2+3=%d", adder.Add(2, 3))
	})
	log.Fatal(http.ListenAndServe(os.Getenv("ADDR"), nil))
}
