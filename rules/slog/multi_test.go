//go:build go1.26

package slog

import (
	"bytes"
	"log/slog"
	"testing"

	"go.opentelemetry.io/contrib/bridges/otelslog"
)

func TestMultiHandlerWithTheBridgeIsNotWrapped(t *testing.T) {
	json := slog.NewJSONHandler(&bytes.Buffer{}, nil)
	if wraps(slog.NewMultiHandler(json, otelslog.NewHandler("mine"))) {
		t.Error("a MultiHandler with the bridge's handler is wrapped")
	}
	if !wraps(slog.NewMultiHandler(json, json)) {
		t.Error("a MultiHandler without it is not")
	}
}
