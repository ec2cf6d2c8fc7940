// Command vendored serves GET /hello/{name} on $ADDR with gorilla/mux. Its
// tests run `go mod vendor` on a copy of this module and build the copy from
// vendor/ only (-mod=vendor, GOPROXY=off).
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"

	"example.com/greeting"
	"github.com/gorilla/mux"
)

func main() {
	r := mux.NewRouter()
	r.HandleFunc("/hello/{name}", func(w http.ResponseWriter, req *http.Request) {
		fmt.Fprintln(w, greeting.For(mux.Vars(req)["name"]))
	}).Methods(http.MethodGet)
	log.Fatal(http.ListenAndServe(os.Getenv("ADDR"), r))
}
