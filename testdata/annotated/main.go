// Command annotated serves /buy/{item}, which calls functions marked with
// //otel:span.
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"

	"example.com/annotated/shop"
)

func buy(w http.ResponseWriter, r *http.Request) {
	item := r.PathValue("item")
	var cart shop.Cart
	if err := cart.Add(item); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	price, err := shop.Quote(r.Context(), item)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	fmt.Fprintln(w, price, shop.Count([]string{item, "x", item}, item))
}

func main() {
	http.HandleFunc("GET /buy/{item}", buy)
	log.Fatal(http.ListenAndServe(os.Getenv("ADDR"), nil))
}
