package main

import (
	"net/http/httptest"
	"testing"
)

func TestComputeOverHTTP(t *testing.T) {
	srv := httptest.NewServer(newMux())
	defer srv.Close()
	if got := get(srv.URL + "/compute/4"); got != "compute 4 = 17\n" {
		t.Fatalf("got %q", got)
	}
}
