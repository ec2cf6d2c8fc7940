// Package main is a plugin (go build -buildmode=plugin): the host loads it
// and calls Fetch with the context of its own span. The plugin gets no SDK
// bootstrap of its own; its instrumented packages use the host's SDK.
package main

import (
	"context"

	"example.com/buildmodes/fetch"
)

// Fetch fetches url in a span of its own (//otel:span), inside the host's.
//
//otel:span plugin.fetch
func Fetch(ctx context.Context, url string) (string, error) {
	return fetch.Body(ctx, url)
}

func main() {}
