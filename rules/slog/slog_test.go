package slog

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"reflect"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/calltest"
	"otelgo.dev/rules/internal/spantest"
)

// The hooks must fit the api convention for their targets exactly.
var (
	_ func(api.CallContext, *slog.Logger, context.Context, slog.Level, string, []any)       = LogOnEnter
	_ func(api.CallContext, *slog.Logger, context.Context, slog.Level, string, []slog.Attr) = LogAttrsOnEnter
)

// fakeCall is a CallContext like the one the spliced code passes.
type fakeCall = calltest.Call

var spanCtx = spantest.Context

// otherSpanCtx holds another span, for the goroutine.
var otherSpanCtx = spantest.OtherContext

// logThrough plays the spliced (*Logger).log: OnEnter, then the body with
// the arguments OnEnter may have replaced.
func logThrough(l *slog.Logger, ctx context.Context, level slog.Level, msg string, args ...any) *fakeCall {
	call := &fakeCall{Params: []any{ctx, level, msg, args}}
	LogOnEnter(call, l, ctx, level, msg, args)
	l.Log(ctx, level, msg, call.Params[3].([]any)...)
	return call
}

func logAttrsThrough(l *slog.Logger, ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) *fakeCall {
	call := &fakeCall{Params: []any{ctx, level, msg, attrs}}
	LogAttrsOnEnter(call, l, ctx, level, msg, attrs)
	l.LogAttrs(ctx, level, msg, call.Params[3].([]slog.Attr)...)
	return call
}

func newLogger(buf *bytes.Buffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
}

func TestRecordWithSpanGetsIDs(t *testing.T) {
	var buf bytes.Buffer
	logThrough(newLogger(&buf), spanCtx(), slog.LevelInfo, "hello", "k", 1)
	want := `{"level":"INFO","msg":"hello","k":1,"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7"}` + "\n"
	if buf.String() != want {
		t.Errorf("got  %s\nwant %s", buf.String(), want)
	}
}

func TestLogAttrsWithSpanGetsIDs(t *testing.T) {
	var buf bytes.Buffer
	logAttrsThrough(newLogger(&buf), spanCtx(), slog.LevelWarn, "hello", slog.Int("k", 1))
	want := `{"level":"WARN","msg":"hello","k":1,"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7"}` + "\n"
	if buf.String() != want {
		t.Errorf("got  %s\nwant %s", buf.String(), want)
	}
}

func TestRecordsWithoutSpanUnchanged(t *testing.T) {
	invalid := trace.ContextWithSpanContext(context.Background(), trace.SpanContext{})
	for name, ctx := range map[string]context.Context{"background": context.Background(), "nil": nil, "invalid span": invalid} {
		var buf bytes.Buffer
		l := newLogger(&buf)
		if c := logThrough(l, ctx, slog.LevelInfo, "m", "k", "v"); c.ParamSet {
			t.Errorf("%s: log args replaced: %v", name, c.Params[3])
		}
		if c := logAttrsThrough(l, ctx, slog.LevelInfo, "m", slog.String("k", "v")); c.ParamSet {
			t.Errorf("%s: logAttrs args replaced: %v", name, c.Params[3])
		}
		want := `{"level":"INFO","msg":"m","k":"v"}` + "\n"
		if buf.String() != want+want {
			t.Errorf("%s: got %s", name, buf.String())
		}
	}
}

func TestDisabledLevelCostsNothing(t *testing.T) {
	var buf bytes.Buffer
	if c := logThrough(newLogger(&buf), spanCtx(), slog.LevelDebug, "m"); c.ParamSet {
		t.Errorf("args replaced for a disabled level")
	}
	if buf.Len() != 0 {
		t.Errorf("logged %q", buf.String())
	}
}

func TestExistingTraceIDKept(t *testing.T) {
	var buf bytes.Buffer
	l := newLogger(&buf)
	if c := logThrough(l, spanCtx(), slog.LevelInfo, "m", "trace_id", "mine"); c.ParamSet {
		t.Errorf("args replaced despite trace_id")
	}
	if c := logThrough(l, spanCtx(), slog.LevelInfo, "m", slog.String("trace_id", "mine")); c.ParamSet {
		t.Errorf("args replaced despite a trace_id Attr")
	}
	if c := logAttrsThrough(l, spanCtx(), slog.LevelInfo, "m", slog.String("trace_id", "mine")); c.ParamSet {
		t.Errorf("attrs replaced despite trace_id")
	}
	// A value that happens to be "trace_id" is not a key.
	if c := logThrough(l, spanCtx(), slog.LevelInfo, "m", "key", "trace_id"); !c.ParamSet {
		t.Errorf("a value equal to trace_id stopped the IDs")
	}
}

func TestCallersSliceNotWritten(t *testing.T) {
	var buf bytes.Buffer
	backing := make([]any, 2, 8)
	backing[0], backing[1] = "k", "v"
	logThrough(newLogger(&buf), spanCtx(), slog.LevelInfo, "m", backing...)
	if got := backing[:4]; !reflect.DeepEqual(got, []any{"k", "v", nil, nil}) {
		t.Errorf("caller's backing array written: %v", got)
	}
	attrs := make([]slog.Attr, 1, 8)
	attrs[0] = slog.String("k", "v")
	logAttrsThrough(newLogger(&buf), spanCtx(), slog.LevelInfo, "m", attrs...)
	if got := attrs[:2]; !got[1].Equal(slog.Attr{}) {
		t.Errorf("caller's attrs backing array written: %v", got)
	}
}

func TestGroupedLoggerNestsIDs(t *testing.T) {
	var buf bytes.Buffer
	logThrough(newLogger(&buf).WithGroup("g"), spanCtx(), slog.LevelInfo, "m")
	var got map[string]any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	g, _ := got["g"].(map[string]any)
	if g["trace_id"] != spantest.TraceHex || g["span_id"] != spantest.SpanHex {
		t.Errorf("got %s", buf.String())
	}
}

func TestRecordWithoutContextGetsGoroutineIDs(t *testing.T) {
	spantest.OnGoroutine(t, spanCtx())
	invalid := trace.ContextWithSpanContext(context.Background(), trace.SpanContext{})
	want := `{"level":"INFO","msg":"m","k":"v","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7"}` + "\n"
	for name, ctx := range map[string]context.Context{"background": context.Background(), "nil": nil, "invalid span": invalid} {
		var buf bytes.Buffer
		l := newLogger(&buf)
		logThrough(l, ctx, slog.LevelInfo, "m", "k", "v")
		logAttrsThrough(l, ctx, slog.LevelInfo, "m", slog.String("k", "v"))
		if buf.String() != want+want {
			t.Errorf("%s: got %s", name, buf.String())
		}
	}
}

func TestContextSpanWinsOverGoroutineSpan(t *testing.T) {
	spantest.OnGoroutine(t, otherSpanCtx())
	var buf bytes.Buffer
	logThrough(newLogger(&buf), spanCtx(), slog.LevelInfo, "m")
	want := `{"level":"INFO","msg":"m","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7"}` + "\n"
	if buf.String() != want {
		t.Errorf("got  %s\nwant %s", buf.String(), want)
	}
}

func TestGoroutineIDsNotDoubled(t *testing.T) {
	spantest.OnGoroutine(t, spanCtx())
	var buf bytes.Buffer
	l := newLogger(&buf)
	if c := logThrough(l, context.Background(), slog.LevelInfo, "m", "trace_id", "mine"); c.ParamSet {
		t.Errorf("args replaced despite trace_id")
	}
	if c := logThrough(l, context.Background(), slog.LevelDebug, "m"); c.ParamSet {
		t.Errorf("args replaced for a disabled level")
	}
}
