package zapexport

import (
	"bytes"
	"testing"

	"go.opentelemetry.io/contrib/bridges/otelzap"
	otellog "go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/log/logtest"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/calltest"
	"otelgo.dev/rules/internal/exporttest"
	"otelgo.dev/rules/internal/spantest"
)

var _ func(api.CallContext, zapcore.Core, []zap.Option) = NewOnEnter

// fakeCall is a CallContext like the one the spliced code passes.
type fakeCall = calltest.Call

const (
	traceHex = spantest.TraceHex
	spanHex  = spantest.SpanHex
)

var spanCtx = spantest.Context

// newLogger is zap.New with the hook spliced, writing JSON at info level.
func newLogger(buf *bytes.Buffer) (*zap.Logger, *fakeCall) {
	enc := zap.NewProductionEncoderConfig()
	enc.TimeKey = ""
	core := zapcore.NewCore(zapcore.NewJSONEncoder(enc), zapcore.AddSync(buf), zapcore.InfoLevel)
	call := &fakeCall{Params: []any{core}}
	NewOnEnter(call, core, nil)
	return zap.New(call.Params[0].(zapcore.Core)), call
}

// ids are the fields otelgo.dev/rules/zap adds to a record of the span.
var ids = []zap.Field{zap.String("trace_id", traceHex), zap.String("span_id", spanHex)}

func TestMain(m *testing.M) { exporttest.Main(m) }

func exported(t *testing.T) []logtest.Record { return exporttest.Exported(t, ScopeName) }

var attrs = exporttest.Attrs

func TestRecordWrittenAndExportedWithContextSpan(t *testing.T) {
	exported(t)
	var buf bytes.Buffer
	l, _ := newLogger(&buf)
	l.Warn("hello", append([]zap.Field{zap.Int("k", 1), zap.Any("context", spanCtx())}, ids...)...)
	if !bytes.Contains(buf.Bytes(), []byte(`"msg":"hello","k":1,"context":`)) || !bytes.Contains(buf.Bytes(), []byte(`"trace_id":"`+traceHex)) {
		t.Errorf("written %s", buf.String())
	}
	recs := exported(t)
	if len(recs) != 1 {
		t.Fatalf("exported %d", len(recs))
	}
	r := recs[0]
	sc := trace.SpanContextFromContext(r.Context)
	if r.Body.AsString() != "hello" || r.Severity != otellog.SeverityWarn || sc.TraceID().String() != traceHex || sc.SpanID().String() != spanHex {
		t.Errorf("body %v severity %v span %v", r.Body, r.Severity, sc)
	}
	if a := attrs(r); len(a) != 1 || a["k"].AsInt64() != 1 {
		t.Errorf("attributes %v", r.Attributes)
	}
}

func TestRecordWithoutContextExportedWithGoroutineSpan(t *testing.T) {
	exported(t)
	spantest.OnGoroutine(t, spanCtx())
	var buf bytes.Buffer
	l, _ := newLogger(&buf)
	l.Info("m", ids...)
	recs := exported(t)
	if len(recs) != 1 {
		t.Fatalf("exported %d", len(recs))
	}
	if sc := trace.SpanContextFromContext(recs[0].Context); sc.SpanID().String() != spanHex || len(recs[0].Attributes) != 0 {
		t.Errorf("span %v attributes %v", sc, recs[0].Attributes)
	}
}

func TestBoundContextAndWithFields(t *testing.T) {
	exported(t)
	var buf bytes.Buffer
	l, _ := newLogger(&buf)
	l.With(append([]zap.Field{zap.String("w", "x"), zap.Any("context", spanCtx())}, ids...)...).Info("m")
	recs := exported(t)
	if len(recs) != 1 {
		t.Fatalf("exported %d", len(recs))
	}
	if sc := trace.SpanContextFromContext(recs[0].Context); sc.SpanID().String() != spanHex {
		t.Errorf("span %v", sc)
	}
	if a := attrs(recs[0]); len(a) != 1 || a["w"].AsString() != "x" {
		t.Errorf("attributes %v", recs[0].Attributes)
	}
}

func TestOnlyWhatIsWrittenIsExported(t *testing.T) {
	exported(t)
	var buf bytes.Buffer
	l, _ := newLogger(&buf)
	l.Debug("m")
	if buf.Len() != 0 || len(exported(t)) != 0 {
		t.Errorf("a disabled level was written or exported")
	}
}

func TestExportingCoresLeftAlone(t *testing.T) {
	var buf bytes.Buffer
	l, call := newLogger(&buf)
	if !call.ParamSet {
		t.Fatal("a plain core was not wrapped")
	}
	own := zapcore.NewTee(zapcore.NewNopCore(), otelzap.NewCore("mine"))
	for name, core := range map[string]zapcore.Core{"ours": l.Core(), "bridge": otelzap.NewCore("x"), "tee with the bridge": own} {
		c := &fakeCall{Params: []any{core}}
		NewOnEnter(c, core, nil)
		if c.ParamSet {
			t.Errorf("%s: core replaced", name)
		}
	}
}
