// Command host loads the plugin at PLUGIN and calls its Fetch with
// TARGET_URL, inside a span of its own (//otel:span).
package main

import (
	"context"
	"fmt"
	"os"
	"plugin"
)

func main() {
	body, err := run(context.Background(), os.Getenv("PLUGIN"), os.Getenv("TARGET_URL")+"/plugin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(body)
}

// run opens the plugin and calls its Fetch.
//
//otel:span host.run
func run(ctx context.Context, path, url string) (string, error) {
	p, err := plugin.Open(path)
	if err != nil {
		return "", err
	}
	sym, err := p.Lookup("Fetch")
	if err != nil {
		return "", err
	}
	fetch, ok := sym.(func(context.Context, string) (string, error))
	if !ok {
		return "", fmt.Errorf("Fetch is a %T", sym)
	}
	return fetch(ctx, url)
}
