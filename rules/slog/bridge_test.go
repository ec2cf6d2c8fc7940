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

// wrapper is a program's handler around another, in a field of type
// slog.Handler.
type wrapper struct{ next slog.Handler }

func (w wrapper) Enabled(ctx context.Context, l slog.Level) bool  { return w.next.Enabled(ctx, l) }
func (w wrapper) Handle(ctx context.Context, r slog.Record) error { return w.next.Handle(ctx, r) }
func (w wrapper) WithAttrs(as []slog.Attr) slog.Handler           { return wrapper{w.next.WithAttrs(as)} }
func (w wrapper) WithGroup(n string) slog.Handler                 { return wrapper{w.next.WithGroup(n)} }

// opaque hides its handler behind a function: otelgo cannot see it.
type opaque struct{ next func() slog.Handler }

func (o opaque) Enabled(ctx context.Context, l slog.Level) bool  { return o.next().Enabled(ctx, l) }
func (o opaque) Handle(ctx context.Context, r slog.Record) error { return o.next().Handle(ctx, r) }
func (o opaque) WithAttrs(as []slog.Attr) slog.Handler           { return o.next().WithAttrs(as) }
func (o opaque) WithGroup(n string) slog.Handler                 { return o.next().WithGroup(n) }

func TestHandlersThatExportThemselvesAreNotWrapped(t *testing.T) {
	bridge := otelslog.NewHandler("mine")
	json := slog.NewJSONHandler(&bytes.Buffer{}, nil)
	for name, h := range map[string]slog.Handler{
		"bridge":            bridge,
		"bridge WithAttrs":  bridge.WithAttrs([]slog.Attr{slog.String("k", "v")}),
		"wrapper":           wrapper{bridge},
		"pointer wrapper":   &wrapper{wrapper{bridge}},
		"export handler":    &exportHandler{inner: json},
		"wrapped by otelgo": wrapper{&exportHandler{inner: json}},
	} {
		if wraps(h) {
			t.Errorf("%s: wrapped", name)
		}
	}
	for name, h := range map[string]slog.Handler{
		"json":             json,
		"wrapper":          wrapper{json},
		"opaque (a limit)": opaque{func() slog.Handler { return bridge }},
		"nil in a wrapper": wrapper{},
		"nil ptr wrapper":  (*wrapper)(nil),
	} {
		if !wraps(h) {
			t.Errorf("%s: not wrapped", name)
		}
	}
}

// call plays the spliced (*Logger).log with ctx and returns the context
// and the pairs the logger's handler gets.
func call(l *slog.Logger, ctx context.Context, args ...any) *fakeCall {
	c := &fakeCall{Params: []any{ctx, slog.LevelInfo, "m", args}}
	LogOnEnter(c, l, ctx, slog.LevelInfo, "m", args)
	return c
}

func TestBridgeLoggerGetsTheGoroutineSpanAsItsContextNotAttributes(t *testing.T) {
	spantest.OnGoroutine(t, otherSpanCtx())
	l := slog.New(otelslog.NewHandler("mine"))

	c := call(l, context.Background(), "k", "v")
	if sc := trace.SpanContextFromContext(c.Params[0].(context.Context)); sc.SpanID().String() != spantest.OtherSpanHex {
		t.Errorf("context span %v", sc)
	}
	if args := c.Params[3].([]any); len(args) != 2 {
		t.Errorf("pairs %v", args)
	}

	// A context with a span is the program's: unchanged, no attributes.
	ctx := spanCtx()
	c = call(l, ctx, "k", "v")
	if c.ParamSet || c.Params[0] != ctx {
		t.Errorf("params %v", c.Params)
	}

	// The same through LogAttrs.
	ac := &fakeCall{Params: []any{context.Background(), slog.LevelInfo, "m", []slog.Attr(nil)}}
	LogAttrsOnEnter(ac, l, context.Background(), slog.LevelInfo, "m", nil)
	if sc := trace.SpanContextFromContext(ac.Params[0].(context.Context)); !sc.IsValid() || len(ac.Params[3].([]slog.Attr)) != 0 {
		t.Errorf("params %v", ac.Params)
	}
}

func TestWrappersOfTheBridgeGetTheIDAttributesAndTheSpanAsContext(t *testing.T) {
	spantest.OnGoroutine(t, otherSpanCtx())
	l := slog.New(wrapper{otelslog.NewHandler("mine")}) // its output may need them
	c := call(l, context.Background(), "k", "v")
	sc := trace.SpanContextFromContext(c.Params[0].(context.Context))
	if args := c.Params[3].([]any); len(args) != 4 || sc.SpanID().String() != spantest.OtherSpanHex {
		t.Errorf("params %v", c.Params)
	}
	// Other handlers: the IDs only.
	l = slog.New(wrapper{slog.NewJSONHandler(&bytes.Buffer{}, nil)})
	c = call(l, context.Background(), "k", "v")
	if args := c.Params[3].([]any); len(args) != 4 || c.Params[0] != context.Background() {
		t.Errorf("params %v", c.Params)
	}
}

func TestBridgeCheckDoesNotAllocate(t *testing.T) {
	plain := slog.New(slog.NewJSONHandler(&bytes.Buffer{}, nil))
	bridge := slog.New(otelslog.NewHandler("mine"))
	ctx := spanCtx()
	c := &fakeCall{Params: make([]any, 4)}
	for name, l := range map[string]*slog.Logger{"plain": plain, "bridge": bridge} {
		if n := testing.AllocsPerRun(100, func() { _ = bridgeOnly(c, l, ctx) }); n != 0 {
			t.Errorf("%s: %v allocations", name, n)
		}
	}
}

func BenchmarkBridgeOnly(b *testing.B) {
	plain := slog.New(slog.NewJSONHandler(&bytes.Buffer{}, nil))
	ctx := spanCtx()
	c := &fakeCall{Params: make([]any, 4)}
	b.ReportAllocs()
	for b.Loop() {
		_ = bridgeOnly(c, plain, ctx)
	}
}

func BenchmarkLogOnEnterBridgeLogger(b *testing.B) {
	l := slog.New(otelslog.NewHandler("mine"))
	ctx := spanCtx()
	args := []any{"k", "v"}
	c := &fakeCall{Params: []any{ctx, slog.LevelInfo, "m", args}}
	b.ReportAllocs()
	for b.Loop() {
		LogOnEnter(c, l, ctx, slog.LevelInfo, "m", args)
	}
}

func TestTeeContextStopsAtOtelgosOwnHandler(t *testing.T) {
	var buf bytes.Buffer
	c := &fakeCall{Params: []any{context.Background(), slog.LevelInfo, "m", []any(nil)}}
	h := slog.New(slog.NewJSONHandler(&buf, nil)).Handler()
	l := slog.New(&exportHandler{inner: h})
	if n := testing.AllocsPerRun(100, func() { teeContext(c, l, context.Background()) }); n != 0 || c.ParamSet {
		t.Errorf("%v allocations, params %v", n, c.Params)
	}
}

func BenchmarkTeeContextExportHandler(b *testing.B) {
	l := slog.New(&exportHandler{inner: slog.NewJSONHandler(&bytes.Buffer{}, nil)})
	c := &fakeCall{Params: make([]any, 4)}
	b.ReportAllocs()
	for b.Loop() {
		teeContext(c, l, context.Background())
	}
}
