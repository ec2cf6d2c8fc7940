package logr

import (
	"context"
	"errors"
	"log"
	"strings"
	"testing"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	"github.com/go-logr/stdr"
	"go.opentelemetry.io/otel/log/logtest"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/calltest"
	"otelgo.dev/rules/internal/exporttest"
	"otelgo.dev/rules/internal/spantest"
)

// The hooks must fit the api convention for their targets exactly.
var (
	_ func(api.CallContext, logr.Logger, string, []any)        = InfoOnEnter
	_ func(api.CallContext, logr.Logger, error, string, []any) = ErrorOnEnter
)

func TestMain(m *testing.M) { exporttest.Main(m) }

func exported(t *testing.T) []logtest.Record { return exporttest.Exported(t, ScopeName) }

const ids = `"trace_id"="` + spantest.TraceHex + `" "span_id"="` + spantest.SpanHex + `"`

// write plays a spliced call of l.Info (or l.Error with err) and returns
// what the sink wrote.
func write(t *testing.T, l func(func(string)) logr.Logger, isError bool, msg string, kvs ...any) string {
	t.Helper()
	var out []string
	logger := l(func(s string) { out = append(out, s) })
	if isError {
		call := &calltest.Call{Params: []any{errors.New("boom"), msg, kvs}}
		ErrorOnEnter(call, logger, errors.New("boom"), msg, kvs)
		logger.Error(errors.New("boom"), msg, call.Params[2].([]any)...)
	} else {
		call := &calltest.Call{Params: []any{msg, kvs}}
		InfoOnEnter(call, logger, msg, kvs)
		logger.Info(msg, call.Params[1].([]any)...)
	}
	return strings.Join(out, "\n")
}

func text(write func(string)) logr.Logger {
	return funcr.New(func(prefix, args string) { write(args) }, funcr.Options{})
}

func TestIDsOfTheGoroutinesSpan(t *testing.T) {
	spantest.OnGoroutine(t, spantest.Context())
	kvs := []any{"k", "v"}
	if got := write(t, text, false, "m", kvs...); got != `"level"=0 "msg"="m" "k"="v" `+ids {
		t.Errorf("wrote %s", got)
	}
	if len(kvs) != 2 {
		t.Errorf("the caller's pairs were changed: %v", kvs)
	}
	if got := write(t, text, true, "m"); got != `"msg"="m" "error"="boom" `+ids {
		t.Errorf("wrote %s", got)
	}
}

func TestIDsOfTheContextAmongThePairs(t *testing.T) {
	spantest.OnGoroutine(t, spantest.OtherContext())
	got := write(t, text, false, "m", "ctx", spantest.Context())
	if !strings.HasSuffix(got, ids) {
		t.Errorf("wrote %s", got)
	}
}

func TestNoSpanNoIDs(t *testing.T) {
	if got := write(t, text, false, "m", "k", "v"); got != `"level"=0 "msg"="m" "k"="v"` {
		t.Errorf("wrote %s", got)
	}
}

func TestOwnTraceIDAndDanglingKeyLeftAlone(t *testing.T) {
	spantest.OnGoroutine(t, spantest.Context())
	if got := write(t, text, false, "m", "trace_id", "x"); got != `"level"=0 "msg"="m" "trace_id"="x"` {
		t.Errorf("wrote %s", got)
	}
	if got := write(t, text, false, "m", "k"); strings.Contains(got, "trace_id") {
		t.Errorf("wrote %s", got)
	}
}

func TestExportedThroughTheBridgeWithSpanAndWithoutIDs(t *testing.T) {
	exported(t)
	spantest.OnGoroutine(t, spantest.Context())
	write(t, text, false, "hello", "k", "v")
	write(t, text, true, "failed")
	recs := exported(t)
	if len(recs) != 2 {
		t.Fatalf("exported %d records", len(recs))
	}
	for i, want := range []string{"hello", "failed"} {
		r := recs[i]
		sc := trace.SpanContextFromContext(r.Context)
		if r.Body.AsString() != want || sc.TraceID().String() != spantest.TraceHex || sc.SpanID().String() != spantest.SpanHex {
			t.Errorf("body %q span %v", r.Body.AsString(), sc)
		}
		attrs := exporttest.Attrs(r)
		if _, ok := attrs["trace_id"]; ok {
			t.Errorf("ids as attributes: %v", attrs)
		}
	}
	if v := exporttest.Attrs(recs[0])["k"]; v.AsString() != "v" {
		t.Errorf("attributes %v", recs[0].Attributes)
	}
}

func TestStdrSinkDelegated(t *testing.T) {
	exported(t)
	spantest.OnGoroutine(t, spantest.Context())
	var b strings.Builder
	got := write(t, func(func(string)) logr.Logger { return stdr.New(log.New(&b, "", 0)) }, false, "m", "k", "v")
	_ = got
	if !strings.HasSuffix(strings.TrimSpace(b.String()), ids) {
		t.Errorf("wrote %s", b.String())
	}
	if recs := exported(t); len(recs) != 0 {
		t.Errorf("a stdr record exported by the logr hook: %v", recs)
	}
}

func TestDisabledAndNilSinkUntouched(t *testing.T) {
	spantest.OnGoroutine(t, spantest.Context())
	call := &calltest.Call{Params: []any{"m", []any(nil)}}
	InfoOnEnter(call, logr.Discard(), "m", nil)
	InfoOnEnter(call, text(func(string) {}).V(3), "m", nil)
	if call.ParamSet {
		t.Errorf("pairs replaced for a disabled record")
	}
	_ = context.Background()
}
