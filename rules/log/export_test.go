package log

import (
	"bytes"
	"context"
	stdlog "log"
	"log/slog"
	"testing"

	"go.opentelemetry.io/contrib/bridges/otelslog"
	otellog "go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/log/logtest"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/internal/exporttest"
	"otelgo.dev/rules/internal/spantest"
)

func TestMain(m *testing.M) { exporttest.Main(m) }

func exported(t *testing.T) []logtest.Record { return exporttest.Exported(t, ScopeName) }

func TestLineExportedWithSpanAndWithoutIDs(t *testing.T) {
	for _, ids := range []bool{false, true} {
		exportedWithSpan(t, ids)
	}
}

// exportedWithSpan: the record carries the span whether or not the line
// gets the ids (OTELGO_LOG_TRACE_IDS), and its body never has them.
func exportedWithSpan(t *testing.T, ids bool) {
	if ids {
		idsOn(t)
	}
	want := "p: hello\n"
	if ids {
		want = "p: hello" + suffix + "\n"
	}
	exported(t)
	spantest.OnGoroutine(t, spantest.Context())
	for _, msg := range []string{"hello", "hello\n"} {
		if got, _ := output("p: ", msg); got != want {
			t.Errorf("written %q", got)
		}
		recs := exported(t)
		if len(recs) != 1 {
			t.Fatalf("%q: exported %d records", msg, len(recs))
		}
		r := recs[0]
		sc := trace.SpanContextFromContext(r.Context)
		if r.Body.AsString() != "hello" || r.Severity != otellog.SeverityInfo || sc.TraceID().String() != wantTrace || sc.SpanID().String() != wantSpan {
			t.Errorf("%q: body %q severity %v span %v", msg, r.Body.AsString(), r.Severity, sc)
		}
	}
}

func TestLineOutsideSpanExportedWithoutSpan(t *testing.T) {
	exported(t)
	if got, call := output("p: ", "hello"); got != "p: hello\n" || !call.ParamSet {
		t.Errorf("written %q, set %v", got, call.ParamSet)
	}
	recs := exported(t)
	if len(recs) != 1 || recs[0].Body.AsString() != "hello" || trace.SpanContextFromContext(recs[0].Context).IsValid() {
		t.Errorf("exported %v", recs)
	}
}

// slog's default handler's lines hold the ids of the record's own span,
// which may differ from the goroutine's: the record carries them.
func TestIDsInTheMessageAreTheRecords(t *testing.T) {
	exported(t)
	spantest.OnGoroutine(t, spantest.Context())
	const other = " trace_id=0af7651916cd43dd8448eb211c80319c span_id=b7ad6b7169203331"
	if got, _ := output("", "INFO m k=v"+other); got != "INFO m k=v"+other+"\n" {
		t.Errorf("written %q", got)
	}
	recs := exported(t)
	if len(recs) != 1 {
		t.Fatalf("exported %d records", len(recs))
	}
	sc := trace.SpanContextFromContext(recs[0].Context)
	if recs[0].Body.AsString() != "INFO m k=v" || sc.SpanID().String() != "b7ad6b7169203331" {
		t.Errorf("body %q span %v", recs[0].Body.AsString(), sc)
	}
}

func TestSplitIDsLeavesOtherText(t *testing.T) {
	for _, msg := range []string{"", "trace_id=x", "m trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span_id=00f067aa0ba902bZ",
		"m trace_id=00000000000000000000000000000000 span_id=00f067aa0ba902b7", "m span_id=00f067aa0ba902b7 trace_id=4bf92f3577b34da6a3ce929d0e0e4736"} {
		if body, sc := splitIDs([]byte(msg)); string(body) != msg || sc.IsValid() {
			t.Errorf("%q: %q %v", msg, body, sc)
		}
	}
}

// A log.Logger writing into a slog handler: the slog hook exports.
func TestLoggerIntoSlogHandlerNotExported(t *testing.T) {
	exported(t)
	l := slog.NewLogLogger(slog.NewTextHandler(&bytes.Buffer{}, nil), slog.LevelInfo)
	call := &fakeCall{Params: []any{uintptr(0), 2, func(b []byte) []byte { return append(b, "m"...) }}}
	OutputOnEnter(call, l, 0, 2, call.Params[2].(func([]byte) []byte))
	if call.ParamSet {
		t.Errorf("appendOutput replaced outside a span for a logger into slog")
	}
	if !exporting(stdlog.New(&bytes.Buffer{}, "", 0)) || exporting(l) {
		t.Errorf("exporting: wrong for a plain logger or one into slog")
	}
}

// noExport makes the test run as without a LoggerProvider; it returns
// where records would go.
func noExport(t *testing.T) *logtest.Recorder {
	disabled := logtest.NewRecorder(logtest.WithEnabledFunc(func(context.Context, otellog.EnabledParameters) bool { return false }))
	saved := handler.Load()
	handler.Store(otelslog.NewHandler(ScopeName, otelslog.WithLoggerProvider(disabled)))
	t.Cleanup(func() { handler.Store(saved) })
	return disabled
}

func TestNothingExportedWithoutProvider(t *testing.T) {
	disabled := noExport(t)
	if got, call := output("p: ", "hello"); got != "p: hello\n" || call.ParamSet {
		t.Errorf("written %q, appendOutput replaced: %v", got, call.ParamSet)
	}
	if len(disabled.Result()[logtest.Scope{Name: ScopeName}]) != 0 {
		t.Errorf("exported while disabled")
	}
}

// A logr logger with a stdr sink writes the IDs as its own pairs: the line
// gets no second ones, and the record carries them, without them in the body.
func TestStdrPairsAreTheRecordsIDs(t *testing.T) {
	exported(t)
	spantest.OnGoroutine(t, spantest.Context())
	const pairs = ` "trace_id"="` + spantest.OtherTraceHex + `" "span_id"="` + spantest.OtherSpanHex + `"`
	if got, _ := output("", `"level"=0 "msg"="m"`+pairs); got != `"level"=0 "msg"="m"`+pairs+"\n" {
		t.Errorf("written %q", got)
	}
	recs := exported(t)
	if len(recs) != 1 {
		t.Fatalf("exported %d records", len(recs))
	}
	sc := trace.SpanContextFromContext(recs[0].Context)
	if recs[0].Body.AsString() != `"level"=0 "msg"="m"` || sc.SpanID().String() != spantest.OtherSpanHex {
		t.Errorf("body %q span %v", recs[0].Body.AsString(), sc)
	}
}
