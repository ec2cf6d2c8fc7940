//go:build go1.26

package slog

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"go.opentelemetry.io/contrib/bridges/otelslog"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/internal/spantest"
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

func TestMultiHandlerWithTheBridgeGetsTheGoroutineSpanAsContextAndIDs(t *testing.T) {
	spantest.OnGoroutine(t, otherSpanCtx())
	l := slog.New(slog.NewMultiHandler(slog.NewJSONHandler(&bytes.Buffer{}, nil), otelslog.NewHandler("mine")))
	c := call(l, context.Background(), "k", "v")
	if sc := trace.SpanContextFromContext(c.Params[0].(context.Context)); sc.SpanID().String() != spantest.OtherSpanHex {
		t.Errorf("context span %v", sc)
	}
	if args := c.Params[3].([]any); len(args) != 4 {
		t.Errorf("pairs %v", args)
	}
	// Its own context with a span: left alone.
	ctx := spanCtx()
	if c := call(l, ctx, "k", "v"); c.Params[0] != ctx {
		t.Errorf("context replaced")
	}
	// Looking into a handler allocates nothing (giving the record a
	// context does, like adding the IDs).
	json := slog.NewJSONHandler(&bytes.Buffer{}, nil)
	plain := slog.New(slog.NewMultiHandler(json, json))
	c = &fakeCall{Params: make([]any, 4)}
	if n := testing.AllocsPerRun(100, func() { teeContext(c, plain, context.Background()) }); n != 0 || c.ParamSet {
		t.Errorf("%v allocations, params %v", n, c.Params)
	}
}

func BenchmarkTeeContextMultiHandlerWithTheBridge(b *testing.B) {
	spantest.OnGoroutine(b, otherSpanCtx())
	l := slog.New(slog.NewMultiHandler(slog.NewJSONHandler(&bytes.Buffer{}, nil), otelslog.NewHandler("mine")))
	c := &fakeCall{Params: make([]any, 4)}
	b.ReportAllocs()
	for b.Loop() {
		teeContext(c, l, context.Background())
	}
}
