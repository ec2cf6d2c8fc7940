package slog

import (
	"bytes"
	"context"
	"log/slog"
	"testing"

	"go.opentelemetry.io/contrib/bridges/otelslog"
	otellog "go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/log/logtest"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/exporttest"
	"otelgo.dev/rules/internal/spantest"
)

var _ func(api.CallContext, slog.Handler) = NewOnEnter

// newExportLogger is slog.New with the hook spliced.
func newExportLogger(h slog.Handler) *slog.Logger {
	call := &fakeCall{Params: []any{h}}
	NewOnEnter(call, h)
	return slog.New(call.Params[0].(slog.Handler))
}

func TestMain(m *testing.M) { exporttest.Main(m) }

func exported(t *testing.T) []logtest.Record { return exporttest.Exported(t, ScopeName) }

var attrsOf = exporttest.Attrs

func TestRecordWrittenAndExportedWithSpan(t *testing.T) {
	exported(t)
	var buf bytes.Buffer
	l := newExportLogger(newLogger(&buf).Handler())
	logThrough(l, spanCtx(), slog.LevelWarn, "hello", "k", 1)
	want := `{"level":"WARN","msg":"hello","k":1,"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7"}` + "\n"
	if buf.String() != want {
		t.Errorf("written  %s\nwant %s", buf.String(), want)
	}
	recs := exported(t)
	if len(recs) != 1 {
		t.Fatalf("exported %d records", len(recs))
	}
	r := recs[0]
	if r.Body.AsString() != "hello" || r.Severity != otellog.SeverityWarn {
		t.Errorf("body %v severity %v", r.Body, r.Severity)
	}
	if sc := trace.SpanContextFromContext(r.Context); sc.TraceID().String() != spantest.TraceHex || sc.SpanID().String() != spantest.SpanHex {
		t.Errorf("span context %v", sc)
	}
	attrs := attrsOf(r)
	if len(attrs) != 1 || attrs["k"].AsInt64() != 1 {
		t.Errorf("attributes %v: want only k (the ids are the record's own)", r.Attributes)
	}
}

func TestRecordWithoutContextExportedWithGoroutineSpan(t *testing.T) {
	exported(t)
	spantest.OnGoroutine(t, spanCtx())
	var buf bytes.Buffer
	logThrough(newExportLogger(newLogger(&buf).Handler()), nil, slog.LevelInfo, "m")
	recs := exported(t)
	if len(recs) != 1 {
		t.Fatalf("exported %d records", len(recs))
	}
	if sc := trace.SpanContextFromContext(recs[0].Context); sc.SpanID().String() != spantest.SpanHex {
		t.Errorf("span context %v", sc)
	}
	if len(recs[0].Attributes) != 0 {
		t.Errorf("attributes %v", recs[0].Attributes)
	}
}

func TestWithAttrsAndGroupsReachTheBridge(t *testing.T) {
	exported(t)
	var buf bytes.Buffer
	l := newExportLogger(newLogger(&buf).Handler()).With("a", "x").WithGroup("g")
	logThrough(l, context.Background(), slog.LevelInfo, "m", "k", "v")
	if want := `{"level":"INFO","msg":"m","a":"x","g":{"k":"v"}}` + "\n"; buf.String() != want {
		t.Errorf("written %s", buf.String())
	}
	recs := exported(t)
	if len(recs) != 1 {
		t.Fatalf("exported %d records", len(recs))
	}
	attrs := attrsOf(recs[0])
	g := attrs["g"].AsMap()
	if attrs["a"].AsString() != "x" || len(g) != 1 || g[0].Key != "k" || g[0].Value.AsString() != "v" {
		t.Errorf("attributes %v", recs[0].Attributes)
	}
	if trace.SpanContextFromContext(recs[0].Context).IsValid() {
		t.Errorf("a record outside any span got one")
	}
}

func TestOnlyWhatIsWrittenIsExported(t *testing.T) {
	exported(t)
	var buf bytes.Buffer
	logThrough(newExportLogger(newLogger(&buf).Handler()), spanCtx(), slog.LevelDebug, "m")
	if buf.Len() != 0 || len(exported(t)) != 0 {
		t.Errorf("a disabled level was written or exported")
	}
}

func TestProgramsOwnTraceIDKept(t *testing.T) {
	exported(t)
	var buf bytes.Buffer
	logThrough(newExportLogger(newLogger(&buf).Handler()), spanCtx(), slog.LevelInfo, "m", "trace_id", "mine")
	recs := exported(t)
	if len(recs) != 1 || attrsOf(recs[0])["trace_id"].AsString() != "mine" {
		t.Errorf("exported %v", recs)
	}
}

func TestHandlersLeftAlone(t *testing.T) {
	wrapped := newExportLogger(slog.NewTextHandler(&bytes.Buffer{}, nil)).Handler()
	for name, h := range map[string]slog.Handler{
		"default": slog.Default().Handler(),
		"bridge":  otelslog.NewHandler("x"),
		"wrapped": wrapped,
		"nil":     nil,
	} {
		call := &fakeCall{Params: []any{h}}
		NewOnEnter(call, h)
		if call.ParamSet {
			t.Errorf("%s: handler replaced", name)
		}
	}
	if _, ok := wrapped.(*exportHandler); !ok {
		t.Errorf("a text handler was not wrapped: %T", wrapped)
	}
}
