package fetch_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"example.com/buildmodes/fetch"
)

func server(t testing.TB) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "fetched")
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestBody(t *testing.T) {
	got, err := fetch.Body(context.Background(), server(t).URL+"/thing")
	if err != nil || got != "fetched" {
		t.Fatalf("Body = %q, %v", got, err)
	}
}

func BenchmarkBody(b *testing.B) {
	url := server(b).URL + "/bench"
	for range b.N {
		if _, err := fetch.Body(context.Background(), url); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzWords(f *testing.F) {
	f.Add("Hello World")
	f.Fuzz(func(t *testing.T, s string) {
		for _, w := range fetch.Words(s) {
			if w != strings.ToLower(w) || strings.TrimSpace(w) != w {
				t.Fatalf("word %q", w)
			}
		}
	})
}
