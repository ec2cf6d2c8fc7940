// Command routers serves, on $ADDR, one of the routers below, chosen by
// $ROUTER, with the same routes in each router's own syntax (gin's here):
//
//	GET /users/:id        200 "user ID"
//	GET /users/:id/fail   500: the handler fails (returns or writes an error)
//	GET /users/:id/panic  the handler panics (no recovery: net/http recovers)
//	GET /api/items/:id    200 "item ID" (a route group, subrouter or mounted router)
//	GET /admin/:section   403 from a middleware (or filter) that refuses before the handler
//	anything else         the router's 404 (or 405 for another method on a route)
//
// The routers: gin, echov3, echov4, echov5, mux, chi (v5), chiv4
// (github.com/go-chi/chi), httprouter, restful (go-restful v3).
package main

import (
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"sort"
	"strings"
)

var routers = map[string]func() http.Handler{
	"gin":        ginRouter,
	"echov3":     echov3Router,
	"echov4":     echov4Router,
	"echov5":     echov5Router,
	"mux":        muxRouter,
	"chi":        chiRouter,
	"chiv4":      chiv4Router,
	"httprouter": httprouterRouter,
	"restful":    restfulRouter,
}

// errFailed is what the /fail handlers fail with.
var errFailed = errors.New("the user store is unavailable")

func main() {
	name := os.Getenv("ROUTER")
	newRouter, ok := routers[name]
	if !ok {
		names := make([]string, 0, len(routers))
		for n := range routers {
			names = append(names, n)
		}
		sort.Strings(names)
		log.Fatalf("ROUTER=%q: want one of %s", name, strings.Join(names, ", "))
	}
	log.Fatal(http.ListenAndServe(os.Getenv("ADDR"), newRouter()))
}

func user(id string) string { return fmt.Sprintf("user %s", id) }
func item(id string) string { return fmt.Sprintf("item %s", id) }
