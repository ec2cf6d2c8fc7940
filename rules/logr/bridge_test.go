package logr

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"github.com/go-logr/logr"
	"go.opentelemetry.io/contrib/bridges/otelslog"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/internal/calltest"
	"otelgo.dev/rules/internal/spantest"
)

type fakeCall = calltest.Call

var spanCtx = spantest.Context

// sink stands for otellogr's sink (which these hooks name and do not
// import) in these tests.
type sink struct{}

func (sink) Init(logr.RuntimeInfo)            {}
func (sink) Enabled(int) bool                 { return true }
func (sink) Info(int, string, ...any)         {}
func (sink) Error(error, string, ...any)      {}
func (s sink) WithValues(...any) logr.LogSink { return s }
func (s sink) WithName(string) logr.LogSink   { return s }

func asBridge(t *testing.T) {
	old := otellogrPath
	otellogrPath = "otelgo.dev/rules/logr"
	t.Cleanup(func() { otellogrPath = old })
}

func TestBridgeSinkGetsTheGoroutineSpanAsAContextValueNotIDs(t *testing.T) {
	asBridge(t)
	exported(t)
	spantest.OnGoroutine(t, spanCtx())
	l := logr.New(sink{})
	kvs := []any{"k", "v"}
	c := &fakeCall{Params: []any{"m", kvs}}
	InfoOnEnter(c, l, "m", kvs)
	got := c.Params[1].([]any)
	if len(got) != 4 || got[2] != "context" {
		t.Fatalf("pairs %v", got)
	}
	if sc := trace.SpanContextFromContext(got[3].(context.Context)); sc.SpanID().String() != spantest.SpanHex {
		t.Errorf("context span %v", sc)
	}
	// A context among the pairs that holds a span is the record's already.
	kvs = []any{"k", "v", "ctx", spantest.OtherContext()}
	c = &fakeCall{Params: []any{errSentinel, "m", kvs}}
	ErrorOnEnter(c, l, errSentinel, "m", kvs)
	if c.ParamSet {
		t.Errorf("pairs %v", c.Params[2])
	}
	if recs := exported(t); len(recs) != 0 {
		t.Errorf("otelgo exported %d", len(recs))
	}
}

type sentinel struct{}

func (sentinel) Error() string { return "e" }

var errSentinel error = sentinel{}

func TestSlogAdapterAroundTheBridgeIsLeftToIt(t *testing.T) {
	exported(t)
	spantest.OnGoroutine(t, spanCtx())
	for name, want := range map[string]bool{"bridge": true, "json": false} {
		var h slog.Handler = otelslog.NewHandler("mine")
		if name == "json" {
			h = slog.NewJSONHandler(&bytes.Buffer{}, nil)
		}
		l := logr.FromSlogHandler(h)
		if delegated(l.GetSink()) != want {
			t.Errorf("%s: delegated %v", name, !want)
		}
		c := &fakeCall{Params: []any{"m", []any(nil)}}
		InfoOnEnter(c, l, "m", nil)
		if n := len(exported(t)); n != map[bool]int{true: 0, false: 1}[want] {
			t.Errorf("%s: otelgo exported %d", name, n)
		}
	}
}

func TestBridgeChecksDoNotAllocate(t *testing.T) {
	for _, s := range []logr.LogSink{
		logr.FromSlogHandler(otelslog.NewHandler("mine")).GetSink(),
		logr.FromSlogHandler(slog.NewJSONHandler(&bytes.Buffer{}, nil)).GetSink(),
		sink{},
	} {
		if n := testing.AllocsPerRun(100, func() { _, _ = delegated(s), isOtellogr(s) }); n != 0 {
			t.Errorf("%T: %v allocations", s, n)
		}
	}
}

func BenchmarkDelegated(b *testing.B) {
	s := logr.FromSlogHandler(slog.NewJSONHandler(&bytes.Buffer{}, nil)).GetSink()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = delegated(s), isOtellogr(s)
	}
}
