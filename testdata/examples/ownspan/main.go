// Command shop answers price quotes over HTTP:
//
//	GET /quote?item=apple  ->  "apple: 120"
//
// It asks the price list service at PRICES_URL for each price.
package main

import (
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"

	"example.com/shop/pricing"
)

func main() {
	if url := os.Getenv("PRICES_URL"); url != "" {
		pricing.PriceListURL = url
	}
	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}

	http.HandleFunc("GET /quote", func(w http.ResponseWriter, r *http.Request) {
		item := r.URL.Query().Get("item")
		price, err := pricing.Quote(r.Context(), item)
		switch {
		case errors.Is(err, pricing.ErrUnknownItem):
			http.Error(w, err.Error(), http.StatusNotFound)
		case err != nil:
			http.Error(w, err.Error(), http.StatusBadGateway)
		default:
			fmt.Fprintf(w, "%s: %d\n", item, price)
		}
	})

	log.Printf("shop listening on %s", addr)
	log.Fatal(http.ListenAndServe(addr, nil))
}
