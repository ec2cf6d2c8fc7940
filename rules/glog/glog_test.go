package glog

import (
	"context"
	"testing"
	"time"

	"github.com/golang/glog"
	"go.opentelemetry.io/contrib/bridges/otelslog"
	otellog "go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/log/logtest"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/calltest"
	"otelgo.dev/rules/internal/exporttest"
	"otelgo.dev/rules/internal/spantest"
)

// The hook must fit the api convention for its target: glog's internal
// logsink.Meta is any.
var _ func(api.CallContext, any, string, []any) = SinkfOnEnter

func TestMain(m *testing.M) { exporttest.Main(m) }

func exported(t *testing.T) []logtest.Record { return exporttest.Exported(t, ScopeName) }

// meta has the fields of glog's logsink.Meta that the hook reads.
type meta struct {
	Context  context.Context
	Time     time.Time
	Severity int32
}

func sinkf(m *meta, format string, args ...any) *calltest.Call {
	call := &calltest.Call{Params: []any{m, format, args}}
	SinkfOnEnter(call, m, format, args)
	return call
}

const ids = " trace_id=" + spantest.TraceHex + " span_id=" + spantest.SpanHex

func TestIDsAfterTheMessageAndExported(t *testing.T) {
	exported(t)
	spantest.OnGoroutine(t, spantest.OtherContext())
	for _, format := range []string{"hello %d", "hello %d\n"} {
		call := sinkf(&meta{Context: spantest.Context(), Severity: 2}, format, 1)
		want := "hello 1" + ids
		if format[len(format)-1] == '\n' {
			want += "\n"
		}
		if call.Params[1] != "%s" || call.Params[2].([]any)[0] != want {
			t.Errorf("%q: params %v", format, call.Params)
		}
		recs := exported(t)
		if len(recs) != 1 {
			t.Fatalf("exported %d", len(recs))
		}
		sc := trace.SpanContextFromContext(recs[0].Context)
		if recs[0].Body.AsString() != "hello 1" || recs[0].Severity != 17 || sc.SpanID().String() != spantest.SpanHex {
			t.Errorf("exported %v", recs[0])
		}
	}
}

func TestGoroutineSpanWithoutContext(t *testing.T) {
	spantest.OnGoroutine(t, spantest.Context())
	call := sinkf(&meta{}, "%v", "x")
	if call.Params[2].([]any)[0] != "x"+ids {
		t.Errorf("params %v", call.Params)
	}
	call = sinkf(&meta{}, "trace_id=%s", "mine")
	if call.Params[2].([]any)[0] != "trace_id=mine" {
		t.Errorf("params %v", call.Params)
	}
	exported(t)
}

func TestOutsideSpanWithoutProviderNothingChanged(t *testing.T) {
	disabled := logtest.NewRecorder(logtest.WithEnabledFunc(func(context.Context, otellog.EnabledParameters) bool { return false }))
	exp := exporter.Load()
	exp.SetHandler(otelslog.NewHandler(ScopeName, otelslog.WithLoggerProvider(disabled)))
	t.Cleanup(func() { exp.SetHandler(otelslog.NewHandler(ScopeName)) })
	if call := sinkf(&meta{}, "hello %d", 1); call.ParamSet {
		t.Errorf("params replaced: %v", call.Params)
	}
	if len(disabled.Result()[logtest.Scope{Name: ScopeName}]) != 0 {
		t.Errorf("exported while disabled")
	}
	glog.Flush()
}
