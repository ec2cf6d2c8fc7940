package zerolog

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"go.opentelemetry.io/otel/log/logtest"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/exporttest"
	"otelgo.dev/rules/internal/spantest"
)

// The hook must fit the api convention for its target exactly.
var _ func(api.CallContext, *zerolog.Event, string) = MsgOnEnter

func TestMain(m *testing.M) { exporttest.Main(m) }

func exported(t *testing.T) []logtest.Record { return exporttest.Exported(t, ScopeName) }

// msg plays a spliced e.Msg(m): the hook, then the event as written.
func msg(e *zerolog.Event, m string) {
	MsgOnEnter(nil, e, m)
	e.Msg(m)
}

const ids = `"trace_id":"` + spantest.TraceHex + `","span_id":"` + spantest.SpanHex + `"`

func TestIDsBeforeTheMessage(t *testing.T) {
	exported(t)
	spantest.OnGoroutine(t, spantest.Context())
	var b bytes.Buffer
	l := zerolog.New(&b)
	msg(l.Warn().Str("k", "v").Int("n", 3), "m")
	if got := strings.TrimSpace(b.String()); got != `{"level":"warn","k":"v","n":3,`+ids+`,"message":"m"}` {
		t.Errorf("wrote %s", got)
	}
	recs := exported(t)
	if len(recs) != 1 {
		t.Fatalf("exported %d", len(recs))
	}
	r := recs[0]
	sc := trace.SpanContextFromContext(r.Context)
	attrs := exporttest.Attrs(r)
	if r.Body.AsString() != "m" || r.Severity != 13 || sc.SpanID().String() != spantest.SpanHex || attrs["k"].AsString() != "v" || attrs["n"].AsInt64() != 3 || len(attrs) != 2 {
		t.Errorf("exported %v", r)
	}
}

func TestOutsideSpanUnchangedButExported(t *testing.T) {
	exported(t)
	var b bytes.Buffer
	l := zerolog.New(&b)
	msg(l.Info(), "m")
	if got := strings.TrimSpace(b.String()); got != `{"level":"info","message":"m"}` {
		t.Errorf("wrote %s", got)
	}
	if recs := exported(t); len(recs) != 1 || trace.SpanContextFromContext(recs[0].Context).IsValid() {
		t.Errorf("exported %v", recs)
	}
}

func TestOwnTraceIDLeftAlone(t *testing.T) {
	spantest.OnGoroutine(t, spantest.Context())
	var b bytes.Buffer
	l := zerolog.New(&b).With().Str("trace_id", "x").Logger()
	msg(l.Info(), "m")
	if got := strings.TrimSpace(b.String()); got != `{"level":"info","trace_id":"x","message":"m"}` {
		t.Errorf("wrote %s", got)
	}
	MsgOnEnter(nil, nil, "disabled") // a disabled event is nil
}
