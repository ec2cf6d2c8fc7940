// Package main is a C shared library (go build -buildmode=c-shared): the C
// host in ../chost calls Fetch. Go's runtime and otelgo's SDK bootstrap
// start when the library is loaded.
package main

import "C"

import (
	"context"

	"example.com/buildmodes/fetch"
)

// Fetch fetches url and returns the length of its body, -1 on error.
//
//export Fetch
func Fetch(url *C.char) C.int {
	body, err := fetch.Body(context.Background(), C.GoString(url))
	if err != nil {
		return -1
	}
	return C.int(len(body))
}

func main() {}
