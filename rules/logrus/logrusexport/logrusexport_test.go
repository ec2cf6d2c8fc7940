package logrusexport

import (
	"bytes"
	"context"
	"testing"

	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/contrib/bridges/otellogrus"
	otellog "go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/log/logtest"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/calltest"
	"otelgo.dev/rules/internal/exporttest"
	"otelgo.dev/rules/internal/spantest"
)

var (
	_ func(api.CallContext) = FireHooksOnExit
	_ func(api.CallContext) = FireHooksListOnExit
)

// fakeCall is a CallContext like the one the spliced code passes.
type fakeCall = calltest.Call

func TestMain(m *testing.M) { exporttest.Main(m) }

func exported(t *testing.T) []logtest.Record { return exporttest.Exported(t, ScopeName) }

const (
	traceHex = spantest.TraceHex
	spanHex  = spantest.SpanHex
)

var spanCtx = spantest.Context

// entry is what (*Entry).log hands fireHooks, with the ids
// otelgo.dev/rules/logrus added.
func entry(ctx context.Context, level logrus.Level) *logrus.Entry {
	l := logrus.New()
	l.SetOutput(&bytes.Buffer{})
	e := logrus.NewEntry(l).WithContext(ctx).WithField("k", "v")
	e.Level, e.Message = level, "hello"
	e.Data["trace_id"], e.Data["span_id"] = traceHex, spanHex
	return e
}

func TestEntryExportedWithSpanWithoutIDFields(t *testing.T) {
	exported(t)
	e := entry(spanCtx(), logrus.WarnLevel)
	FireHooksListOnExit(&fakeCall{Recv: e, Params: []any{[]logrus.Hook(nil)}})
	recs := exported(t)
	if len(recs) != 1 {
		t.Fatalf("exported %d", len(recs))
	}
	r := recs[0]
	sc := trace.SpanContextFromContext(r.Context)
	if r.Body.AsString() != "hello" || r.Severity != otellog.SeverityWarn || sc.SpanID().String() != spanHex {
		t.Errorf("body %v severity %v span %v", r.Body, r.Severity, sc)
	}
	if len(r.Attributes) != 1 || r.Attributes[0].Key != "k" {
		t.Errorf("attributes %v", r.Attributes)
	}
	if len(e.Data) != 3 || trace.SpanContextFromContext(e.Context).SpanID().String() != spanHex {
		t.Errorf("the entry was changed: %v", e.Data)
	}
}

func TestEntryWithoutContextExportedWithGoroutineSpan(t *testing.T) {
	exported(t)
	spantest.OnGoroutine(t, spanCtx())
	e := entry(nil, logrus.InfoLevel)
	FireHooksOnExit(&fakeCall{Recv: e})
	recs := exported(t)
	if len(recs) != 1 {
		t.Fatalf("exported %d", len(recs))
	}
	if sc := trace.SpanContextFromContext(recs[0].Context); sc.SpanID().String() != spanHex || len(recs[0].Attributes) != 1 {
		t.Errorf("span %v attributes %v", sc, recs[0].Attributes)
	}
	if e.Context != nil {
		t.Errorf("the entry's context was set")
	}
}

func TestLoggerWithTheBridgeLeftToIt(t *testing.T) {
	exported(t)
	e := entry(spanCtx(), logrus.InfoLevel)
	FireHooksListOnExit(&fakeCall{Recv: e, Params: []any{[]logrus.Hook{otellogrus.NewHook("mine")}}})
	e.Logger.AddHook(otellogrus.NewHook("mine"))
	FireHooksOnExit(&fakeCall{Recv: e})
	if recs := exported(t); len(recs) != 0 {
		t.Errorf("exported %d", len(recs))
	}
}
