package zap

import (
	"bytes"
	"context"
	"testing"

	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap/zapcore"

	"otelgo.dev/rules/internal/spantest"
)

// Core stands for otelzap's core (*otelzap.Core, which these hooks name
// and do not import) in these tests: it records the fields it is given.
type Core struct {
	zapcore.LevelEnabler
	got *[]zapcore.Field
}

func (c *Core) With([]zapcore.Field) zapcore.Core { return c }
func (c *Core) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	return ce.AddCore(e, c)
}
func (c *Core) Write(_ zapcore.Entry, f []zapcore.Field) error { *c.got = f; return nil }
func (c *Core) Sync() error                                    { return nil }

// asBridge makes Core the bridge's core for one test.
func asBridge(t *testing.T) {
	old := otelzapPath
	otelzapPath = "otelgo.dev/rules/zap"
	t.Cleanup(func() { otelzapPath = old })
}

func jsonCore(buf *bytes.Buffer) zapcore.Core {
	return zapcore.NewCore(zapcore.NewJSONEncoder(zapcore.EncoderConfig{MessageKey: "msg"}), zapcore.AddSync(buf), zapcore.DebugLevel)
}

// writeTo plays the spliced (*CheckedEntry).Write on core.
func writeTo(core zapcore.Core, fields ...zapcore.Field) *fakeCall {
	ce := core.Check(zapcore.Entry{Level: zapcore.InfoLevel, Message: "m"}, nil)
	c := &fakeCall{Params: []any{fields}}
	WriteOnEnter(c, ce, fields)
	ce.Write(c.Params[0].([]zapcore.Field)...)
	return c
}

func contextOf(fields []zapcore.Field) context.Context {
	var ctx context.Context
	for _, f := range fields {
		if c, ok := f.Interface.(context.Context); ok {
			ctx = c
		}
	}
	return ctx
}

func TestEntryToTheBridgeGetsTheGoroutineSpanAsAContextField(t *testing.T) {
	asBridge(t)
	spantest.OnGoroutine(t, spanCtx())
	var buf bytes.Buffer
	var got []zapcore.Field
	writeTo(zapcore.NewTee(jsonCore(&buf), &Core{zapcore.DebugLevel, &got}), zapcore.Field{Key: "k", Type: zapcore.StringType, String: "v"})
	if sc := trace.SpanContextFromContext(contextOf(got)); sc.SpanID().String() != wantSpan {
		t.Errorf("the bridge's fields %v", got)
	}
	// The written line is what it was: the IDs, no context.
	want := `{"msg":"m","k":"v","trace_id":"` + wantTrace + `","span_id":"` + wantSpan + `"}` + "\n"
	if buf.String() != want {
		t.Errorf("wrote %s", buf.String())
	}
}

func TestEntryWithItsOwnContextOrWithoutTheBridgeGetsNoContextField(t *testing.T) {
	asBridge(t)
	spantest.OnGoroutine(t, spanCtx())
	var got []zapcore.Field
	ctx := spantest.OtherContext()
	writeTo(zapcore.NewTee(jsonCore(&bytes.Buffer{}), &Core{zapcore.DebugLevel, &got}), zapcore.Field{Key: "context", Type: zapcore.SkipType, Interface: ctx})
	if contextOf(got) != ctx {
		t.Errorf("the program's context was replaced: %v", got)
	}
	c := writeTo(jsonCore(&bytes.Buffer{}))
	if f := c.Params[0].([]zapcore.Field); len(f) != 2 || contextOf(f) != nil {
		t.Errorf("fields %v", f)
	}
}

func TestBridgeCheckDoesNotAllocate(t *testing.T) {
	asBridge(t)
	var got []zapcore.Field
	for name, core := range map[string]zapcore.Core{
		"plain":  jsonCore(&bytes.Buffer{}),
		"bridge": zapcore.NewTee(jsonCore(&bytes.Buffer{}), &Core{zapcore.DebugLevel, &got}),
	} {
		ce := core.Check(zapcore.Entry{Level: zapcore.InfoLevel}, nil)
		if n := testing.AllocsPerRun(100, func() { _, _ = toBridge(ce) }); n != 0 {
			t.Errorf("%s: %v allocations", name, n)
		}
		if some, all := toBridge(ce); some != (name == "bridge") || all {
			t.Errorf("%s: toBridge %v %v", name, some, all)
		}
	}
}

func BenchmarkToBridge(b *testing.B) {
	ce := zapcore.NewTee(jsonCore(&bytes.Buffer{}), jsonCore(&bytes.Buffer{})).Check(zapcore.Entry{Level: zapcore.InfoLevel}, nil)
	b.ReportAllocs()
	for b.Loop() {
		_, _ = toBridge(ce)
	}
}

func TestEntryToTheBridgeAloneGetsTheContextFieldOnly(t *testing.T) {
	asBridge(t)
	spantest.OnGoroutine(t, spanCtx())
	var got []zapcore.Field
	bridge := &Core{zapcore.DebugLevel, &got}
	c := writeTo(bridge, zapcore.Field{Key: "k", Type: zapcore.StringType, String: "v"})
	if len(got) != 2 || got[0].Key != "k" {
		t.Fatalf("the bridge's fields %v", got)
	}
	if sc := trace.SpanContextFromContext(contextOf(got)); sc.SpanID().String() != wantSpan {
		t.Errorf("context span %v", sc)
	}
	// With a context that has the span: unchanged.
	ctx := spantest.OtherContext()
	c = writeTo(bridge, zapcore.Field{Key: "context", Type: zapcore.SkipType, Interface: ctx})
	if c.ParamSet || len(got) != 1 {
		t.Errorf("fields %v", got)
	}
}
