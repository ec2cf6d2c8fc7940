// Package fetch gets a URL's body; its test runs against a local server.
package fetch

import (
	"io"
	"net/http"
)

// Body returns the body of a GET of url.
func Body(url string) (string, error) {
	resp, err := http.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}
