package zap

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"otelgo.dev/rules/api"
)

// The hooks must fit the api convention for their targets exactly.
var (
	_ func(api.CallContext, *zapcore.CheckedEntry, []zapcore.Field) = WriteOnEnter
	_ func(api.CallContext, *zap.Logger, []zap.Field)               = WithOnEnter
	_ func(api.CallContext, *zap.Logger, []zap.Field)               = WithLazyOnEnter
)

// fakeCall is a CallContext like the one the spliced code passes.
type fakeCall struct {
	params []any
	set    bool
}

var _ api.CallContext = (*fakeCall)(nil)

func (c *fakeCall) Param(i int) any       { return c.params[i] }
func (c *fakeCall) SetParam(i int, v any) { c.params[i] = v; c.set = true }
func (c *fakeCall) Receiver() any         { return nil }
func (c *fakeCall) Result(int) any        { return nil }
func (c *fakeCall) SetResult(int, any)    {}
func (c *fakeCall) SkipCall()             {}
func (c *fakeCall) Data() any             { return nil }
func (c *fakeCall) SetData(any)           {}
func (c *fakeCall) FuncName() string      { return "(*CheckedEntry).Write" }
func (c *fakeCall) PackagePath() string   { return "go.uber.org/zap/zapcore" }

const (
	wantTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	wantSpan  = "00f067aa0ba902b7"
)

func spanCtx() context.Context {
	tid, _ := trace.TraceIDFromHex(wantTrace)
	sid, _ := trace.SpanIDFromHex(wantSpan)
	sc := trace.NewSpanContext(trace.SpanContextConfig{TraceID: tid, SpanID: sid})
	return trace.ContextWithSpanContext(context.Background(), sc)
}

func newLogger(buf *bytes.Buffer) *zap.Logger {
	cfg := zap.NewProductionEncoderConfig()
	cfg.TimeKey = ""
	return zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(cfg), zapcore.AddSync(buf), zapcore.InfoLevel))
}

// info plays logger.Info with (*CheckedEntry).Write spliced.
func info(l *zap.Logger, msg string, fields ...zap.Field) *fakeCall {
	ce := l.Check(zapcore.InfoLevel, msg)
	call := &fakeCall{params: []any{fields}}
	WriteOnEnter(call, ce, fields)
	ce.Write(call.params[0].([]zapcore.Field)...)
	return call
}

// with plays logger.With with the With hook spliced.
func with(l *zap.Logger, fields ...zap.Field) *zap.Logger {
	call := &fakeCall{params: []any{fields}}
	WithOnEnter(call, l, fields)
	return l.With(call.params[0].([]zap.Field)...)
}

// keys returns the record's keys in order and its values.
func record(t *testing.T, line []byte) ([]string, map[string]any) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(line, &m); err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	var keys []string
	dec.Token() // {
	for dec.More() {
		tok, _ := dec.Token()
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		_ = dec.Decode(&skip)
	}
	return keys, m
}

func TestContextFieldWithSpanGetsIDs(t *testing.T) {
	var buf bytes.Buffer
	info(newLogger(&buf), "hello", zap.String("k", "v"), zap.Any("context", spanCtx()), zap.Int("n", 1))
	keys, m := record(t, buf.Bytes())
	want := []string{"level", "msg", "k", "context", "n", "trace_id", "span_id"}
	if len(keys) != len(want) {
		t.Fatalf("keys %v, want %v", keys, want)
	}
	for i := range want {
		if keys[i] != want[i] {
			t.Fatalf("keys %v, want %v", keys, want)
		}
	}
	if m["trace_id"] != wantTrace || m["span_id"] != wantSpan || m["k"] != "v" {
		t.Errorf("got %s", buf.String())
	}
}

func TestAnyContextValueType(t *testing.T) {
	// Whatever field type zap.Any picks for a context (Stringer, Reflect),
	// and zap.Reflect too, the field's Interface holds the context.
	for name, f := range map[string]zap.Field{
		"any":     zap.Any("ctx", spanCtx()),
		"reflect": zap.Reflect("ctx", spanCtx()),
	} {
		var buf bytes.Buffer
		info(newLogger(&buf), "m", f)
		_, m := record(t, buf.Bytes())
		if m["trace_id"] != wantTrace {
			t.Errorf("%s: got %s", name, buf.String())
		}
	}
}

func TestRecordsWithoutSpanUnchanged(t *testing.T) {
	invalid := trace.ContextWithSpanContext(context.Background(), trace.SpanContext{})
	cases := map[string][]zap.Field{
		"no fields":        nil,
		"no context field": {zap.String("k", "v")},
		"background":       {zap.Any("context", context.Background())},
		"invalid span":     {zap.Any("context", invalid)},
		"has trace_id":     {zap.String("trace_id", "mine"), zap.Any("context", spanCtx())},
	}
	for name, fields := range cases {
		var buf bytes.Buffer
		if c := info(newLogger(&buf), "m", fields...); c.set {
			t.Errorf("%s: fields replaced: %v", name, c.params[0])
		}
	}
}

func TestNilCheckedEntry(t *testing.T) {
	// A disabled level: Check returns nil and Write does nothing.
	call := &fakeCall{params: []any{[]zapcore.Field{zap.Any("context", spanCtx())}}}
	WriteOnEnter(call, nil, call.params[0].([]zapcore.Field))
	if call.set {
		t.Errorf("fields replaced for a nil CheckedEntry")
	}
}

func TestCallersSliceNotWritten(t *testing.T) {
	var buf bytes.Buffer
	backing := make([]zap.Field, 1, 8)
	backing[0] = zap.Any("context", spanCtx())
	info(newLogger(&buf), "m", backing...)
	if got := backing[:2]; got[1].Key != "" {
		t.Errorf("caller's backing array written: %v", got[1])
	}
}

func TestWithContextFieldTagsDerivedLogger(t *testing.T) {
	var buf bytes.Buffer
	base := newLogger(&buf)
	l := with(base, zap.Any("context", spanCtx()))
	l.Info("one")
	base.Info("two")
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	if len(lines) != 2 {
		t.Fatalf("got %s", buf.String())
	}
	if _, m := record(t, lines[0]); m["trace_id"] != wantTrace || m["span_id"] != wantSpan {
		t.Errorf("derived logger: %s", lines[0])
	}
	if _, m := record(t, lines[1]); m["trace_id"] != nil {
		t.Errorf("base logger changed: %s", lines[1])
	}
}
