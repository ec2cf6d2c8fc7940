// Package fetch gets a URL's body, in a span of its own (//otel:span), so
// that each build mode shows a package of the program's own module spliced.
package fetch

import (
	"context"
	"io"
	"net/http"
	"strings"
)

// Body returns the body of a GET of url.
//
//otel:span fetch.body
func Body(ctx context.Context, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// Words splits s into its words, lower-cased: the fuzz target.
func Words(s string) []string {
	var out []string
	for _, w := range strings.Fields(s) {
		out = append(out, strings.ToLower(w))
	}
	return out
}
