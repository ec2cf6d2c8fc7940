package fetch_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"example.com/gotest/fetch"
)

func TestBody(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "fetched")
	}))
	defer srv.Close()
	got, err := fetch.Body(srv.URL + "/thing")
	if err != nil || got != "fetched" {
		t.Fatalf("Body = %q, %v", got, err)
	}
}
