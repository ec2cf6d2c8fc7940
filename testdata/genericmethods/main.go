// Command genericmethods uses Go 1.27's generic methods, one of them marked
// with //otel:span, and fetches a URL from inside it: the CLIENT span is a
// child of the method's span. Built by the second-toolchain test.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
)

// Fetcher fetches URLs.
type Fetcher struct{ base string }

// Get fetches path and converts the body with conv.
//
//otel:span fetcher.get kind=generic
func (f Fetcher) Get[T any](ctx context.Context, path string, conv func(string) T) (T, error) {
	var zero T
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.base+path, nil)
	if err != nil {
		return zero, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return zero, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return conv(string(body)), err
}

// Pair holds two values.
type Pair[K comparable, V any] struct {
	Key K
	Val V
}

// Format is a generic method of a generic type that nothing instruments:
// it must not keep the package from being instrumented.
func (p Pair[K, V]) Format[S fmt.Stringer](s S) string {
	return fmt.Sprintf("%v=%v (%s)", p.Key, p.Val, s.String())
}

type name string

func (n name) String() string { return string(n) }

func main() {
	f := Fetcher{base: os.Getenv("TARGET_URL")}
	n, err := f.Get(context.Background(), "/generic", func(s string) int { return len(strings.TrimSpace(s)) })
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(Pair[string, int]{"length", n}.Format(name("pong")))
}
