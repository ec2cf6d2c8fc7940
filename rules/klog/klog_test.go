package klog

import (
	"bytes"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/log/logtest"
	"go.opentelemetry.io/otel/trace"
	"k8s.io/klog/v2"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/exporttest"
	"otelgo.dev/rules/internal/spantest"
)

// The hook must fit the api convention for its target: klog's internal
// types are any.
var _ func(api.CallContext, any, any, any, any, int, string, int, bool) = OutputOnEnter

func TestMain(m *testing.M) { exporttest.Main(m) }

func exported(t *testing.T) []logtest.Record { return exporttest.Exported(t, ScopeName) }

// klogLine is a line as klog formats it.
func klogLine(t *testing.T, log func()) string {
	t.Helper()
	var b bytes.Buffer
	klog.LogToStderr(false)
	klog.SetOutput(&b)
	t.Cleanup(func() { klog.SetOutput(nil); klog.LogToStderr(true) })
	log()
	klog.Flush()
	return strings.SplitAfter(b.String(), "\n")[0]
}

const ids = ` trace_id="` + spantest.TraceHex + `" span_id="` + spantest.SpanHex + `"`

func TestIDsAtTheEndOfTheLineAndExported(t *testing.T) {
	exported(t)
	line := klogLine(t, func() { klog.InfoS("hello", "k", "v") })
	if !isHeader([]byte(line)) || !strings.HasSuffix(line, `] "hello" k="v"`+"\n") {
		t.Fatalf("klog wrote %q", line)
	}
	spantest.OnGoroutine(t, spantest.Context())
	b := bytes.NewBuffer(make([]byte, 0, 1024)) // room to append in place, as klog's buffers have
	b.WriteString(line)
	OutputOnEnter(nil, nil, int32(1), nil, b, 0, "", 0, false)
	if b.String() != strings.TrimSuffix(line, "\n")+ids+"\n" {
		t.Errorf("wrote %q", b.String())
	}
	recs := exported(t)
	if len(recs) != 1 {
		t.Fatalf("exported %d", len(recs))
	}
	sc := trace.SpanContextFromContext(recs[0].Context)
	if recs[0].Body.AsString() != `"hello" k="v"` || recs[0].Severity != 13 || sc.SpanID().String() != spantest.SpanHex {
		t.Errorf("exported %v", recs[0])
	}
}

func TestOutsideSpanOrWithIDsUnchanged(t *testing.T) {
	line := "I1206 07:40:59.123456   12345 main.go:10] hello\n"
	b := bytes.NewBufferString(line)
	OutputOnEnter(nil, nil, int32(0), nil, b, 0, "", 0, false)
	if b.String() != line {
		t.Errorf("wrote %q", b.String())
	}
	spantest.OnGoroutine(t, spantest.Context())
	withIDs := `I1206 07:40:59.123456   12345 main.go:10] "hello" trace_id="x"` + "\n"
	b = bytes.NewBufferString(withIDs)
	OutputOnEnter(nil, nil, int32(0), nil, b, 0, "", 0, false)
	if b.String() != withIDs {
		t.Errorf("wrote %q", b.String())
	}
	type logWriter struct{}
	b = bytes.NewBufferString(line)
	OutputOnEnter(nil, nil, int32(0), &logWriter{}, b, 0, "", 0, false)
	if b.String() != line {
		t.Errorf("a line for a logr logger changed: %q", b.String())
	}
	exported(t)
}

// A line of klog's logr sink has the IDs as key-value pairs already: they
// are the record's, not its body's.
func TestLogrSinkLineExportedWithoutItsIDs(t *testing.T) {
	exported(t)
	spantest.OnGoroutine(t, spantest.Context())
	line := `I1206 07:40:59.123456   12345 main.go:10] "m" k="v" trace_id="` + spantest.OtherTraceHex + `" span_id="` + spantest.OtherSpanHex + `"` + "\n"
	b := bytes.NewBufferString(line)
	OutputOnEnter(nil, nil, int32(0), nil, b, 0, "", 0, false)
	if b.String() != line {
		t.Errorf("wrote %q", b.String())
	}
	recs := exported(t)
	if len(recs) != 1 {
		t.Fatalf("exported %d", len(recs))
	}
	sc := trace.SpanContextFromContext(recs[0].Context)
	if recs[0].Body.AsString() != `"m" k="v"` || sc.SpanID().String() != spantest.OtherSpanHex {
		t.Errorf("exported %q %v", recs[0].Body.AsString(), sc)
	}
}
