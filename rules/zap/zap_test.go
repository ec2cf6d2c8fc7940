package zap

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/calltest"
	"otelgo.dev/rules/internal/spantest"
)

// The hooks must fit the api convention for their targets exactly.
var (
	_ func(api.CallContext, *zapcore.CheckedEntry, []zapcore.Field) = WriteOnEnter
	_ func(api.CallContext, *zap.Logger, []zap.Field)               = WithOnEnter
	_ func(api.CallContext, *zap.Logger)                            = WithOnExit
	_ func(api.CallContext, *zap.Logger, []zap.Field)               = WithLazyOnEnter
	_ func(api.CallContext, *zap.Logger)                            = WithLazyOnExit
)

// fakeCall is a CallContext like the one the spliced code passes.
type fakeCall = calltest.Call

const (
	wantTrace = spantest.TraceHex
	wantSpan  = spantest.SpanHex
)

var spanCtx = spantest.Context

func newLogger(buf *bytes.Buffer) *zap.Logger {
	cfg := zap.NewProductionEncoderConfig()
	cfg.TimeKey = ""
	return zap.New(zapcore.NewCore(zapcore.NewJSONEncoder(cfg), zapcore.AddSync(buf), zapcore.InfoLevel))
}

// info plays logger.Info with (*CheckedEntry).Write spliced.
func info(l *zap.Logger, msg string, fields ...zap.Field) *fakeCall {
	ce := l.Check(zapcore.InfoLevel, msg)
	call := &fakeCall{Params: []any{fields}}
	WriteOnEnter(call, ce, fields)
	ce.Write(call.Params[0].([]zapcore.Field)...)
	return call
}

// with plays logger.With with the With hooks spliced.
func with(l *zap.Logger, fields ...zap.Field) *zap.Logger {
	call := &fakeCall{Params: []any{fields}}
	WithOnEnter(call, l, fields)
	call.Results = []any{l.With(call.Params[0].([]zap.Field)...)}
	WithOnExit(call, call.Results[0].(*zap.Logger))
	return call.Results[0].(*zap.Logger)
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
		if c := info(newLogger(&buf), "m", fields...); c.ParamSet {
			t.Errorf("%s: fields replaced: %v", name, c.Params[0])
		}
	}
}

func TestNilCheckedEntry(t *testing.T) {
	// A disabled level: Check returns nil and Write does nothing.
	call := &fakeCall{Params: []any{[]zapcore.Field{zap.Any("context", spanCtx())}}}
	WriteOnEnter(call, nil, call.Params[0].([]zapcore.Field))
	if call.ParamSet {
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

// --- records without a context field: the goroutine's span ------------------

const (
	goroutineTrace = spantest.OtherTraceHex
	goroutineSpan  = spantest.OtherSpanHex
)

var otherSpanCtx = spantest.OtherContext

// oneRecord checks that line has the keys want (in order) with trace_id and
// span_id, if in want, equal to the given ids, and no key twice.
func oneRecord(t *testing.T, name string, line []byte, want []string, traceID, spanID string) {
	t.Helper()
	keys, m := record(t, line)
	if strings.Join(keys, ",") != strings.Join(want, ",") {
		t.Errorf("%s: keys %v, want %v: %s", name, keys, want, line)
		return
	}
	if traceID != "" && (m["trace_id"] != traceID || m["span_id"] != spanID) {
		t.Errorf("%s: got %s, want ids %s %s", name, line, traceID, spanID)
	}
}

func lastLine(buf *bytes.Buffer) []byte {
	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	return lines[len(lines)-1]
}

func TestNoContextFieldGetsGoroutineIDs(t *testing.T) {
	spantest.OnGoroutine(t, otherSpanCtx())
	invalid := trace.ContextWithSpanContext(context.Background(), trace.SpanContext{})
	for name, c := range map[string]struct {
		fields []zap.Field
		keys   []string
	}{
		"no fields":        {nil, []string{"level", "msg", "trace_id", "span_id"}},
		"no context field": {[]zap.Field{zap.String("k", "v")}, []string{"level", "msg", "k", "trace_id", "span_id"}},
		"background":       {[]zap.Field{zap.Any("context", context.Background()), zap.Int("n", 1)}, []string{"level", "msg", "context", "n", "trace_id", "span_id"}},
		"invalid span":     {[]zap.Field{zap.Any("context", invalid)}, []string{"level", "msg", "context", "trace_id", "span_id"}},
	} {
		var buf bytes.Buffer
		info(newLogger(&buf), "m", c.fields...)
		oneRecord(t, name, buf.Bytes(), c.keys, goroutineTrace, goroutineSpan)
	}
}

func TestContextFieldWinsOverGoroutineSpan(t *testing.T) {
	spantest.OnGoroutine(t, otherSpanCtx())
	var buf bytes.Buffer
	info(newLogger(&buf), "m", zap.Any("context", spanCtx()))
	oneRecord(t, "ctx", buf.Bytes(), []string{"level", "msg", "context", "trace_id", "span_id"}, wantTrace, wantSpan)
}

func TestOwnTraceIDKeptInsideSpan(t *testing.T) {
	spantest.OnGoroutine(t, otherSpanCtx())
	var buf bytes.Buffer
	if c := info(newLogger(&buf), "m", zap.String("trace_id", "mine")); c.ParamSet {
		t.Errorf("fields replaced despite trace_id: %v", c.Params[0])
	}
}

// A logger derived with a context field keeps that context's ids, once,
// in every logger derived from it, whatever the goroutine's span.
func TestWithContextFieldNoDuplicateIDs(t *testing.T) {
	var buf bytes.Buffer
	base := newLogger(&buf)
	l := with(base, zap.Any("context", spanCtx()))
	spantest.OnGoroutine(t, otherSpanCtx())
	withKeys := []string{"level", "msg", "context", "trace_id", "span_id"}
	for name, c := range map[string]struct {
		l      *zap.Logger
		fields []zap.Field
		keys   []string
	}{
		"derived":           {l, nil, withKeys},
		"call fields":       {l, []zap.Field{zap.String("k", "v")}, append(withKeys, "k")},
		"call context":      {l, []zap.Field{zap.Any("context", otherSpanCtx())}, append(withKeys, "context")},
		"named":             {l.Named("n"), nil, []string{"level", "logger", "msg", "context", "trace_id", "span_id"}},
		"with again":        {with(l, zap.String("a", "b")), nil, append(withKeys, "a")},
		"with a context":    {with(l, zap.Any("context2", otherSpanCtx())), nil, append(withKeys, "context2")},
		"options":           {l.WithOptions(zap.Development()), nil, withKeys},
		"sugar":             {l.Sugar().With("s", 1).Desugar(), nil, append(withKeys, "s")},
		"plain with":        {l.With(zap.String("a", "b")), nil, append(withKeys, "a")},
		"with own trace_id": {with(base, zap.String("trace_id", "mine")), nil, []string{"level", "msg", "trace_id"}},
	} {
		buf.Reset()
		info(c.l, "m", c.fields...)
		tid, sid := wantTrace, wantSpan
		if name == "with own trace_id" {
			tid = ""
		}
		oneRecord(t, name, lastLine(&buf), c.keys, tid, sid)
	}
	// The base logger is not marked.
	buf.Reset()
	info(base, "m")
	oneRecord(t, "base", buf.Bytes(), []string{"level", "msg", "trace_id", "span_id"}, goroutineTrace, goroutineSpan)
}

// With binds only a context the program hands it, never the goroutine's
// span: the derived logger's records get the span current where they are
// written.
func TestWithWithoutSpanBindsNothing(t *testing.T) {
	var buf bytes.Buffer
	base := newLogger(&buf)
	end := spantest.OnGoroutine(t, spanCtx())
	var ls []*zap.Logger
	for _, f := range []zap.Field{zap.String("k", "v"), zap.Any("context", context.Background())} {
		call := &fakeCall{Params: []any{[]zap.Field{f}}}
		WithOnEnter(call, base, []zap.Field{f})
		if call.ParamSet || call.Stored != nil {
			t.Errorf("%s: With fields replaced or logger marked", f.Key)
		}
		ls = append(ls, with(base, f))
	}
	for _, l := range ls {
		buf.Reset()
		info(l, "inside")
		if _, m := record(t, buf.Bytes()); m["trace_id"] != wantTrace || m["span_id"] != wantSpan {
			t.Errorf("inside: %s", buf.String())
		}
	}
	end()
	spantest.OnGoroutine(t, otherSpanCtx())
	for _, l := range ls {
		buf.Reset()
		info(l, "elsewhere")
		if _, m := record(t, buf.Bytes()); m["trace_id"] != goroutineTrace {
			t.Errorf("elsewhere: %s", buf.String())
		}
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("boom") }
func (failingWriter) Sync() error               { return nil }

// The mark on a derived logger's error output writes where the error
// output did, and a nil one stays silent.
func TestMarkedErrorOutputStillWorks(t *testing.T) {
	var errBuf bytes.Buffer
	core := zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), failingWriter{}, zapcore.InfoLevel)
	l := with(zap.New(core, zap.ErrorOutput(zapcore.AddSync(&errBuf))), zap.Any("context", spanCtx()))
	if !carriesIDs(l) {
		t.Fatalf("derived logger not marked")
	}
	info(l, "m")
	if !strings.Contains(errBuf.String(), "boom") {
		t.Errorf("error output: %q", errBuf.String())
	}
	quiet := with(zap.New(core, zap.ErrorOutput(nil)), zap.Any("context", spanCtx()))
	info(quiet, "m") // must not panic
}

func TestNilLoggerInWith(t *testing.T) {
	call := &fakeCall{Params: []any{[]zap.Field{zap.Any("context", spanCtx())}}, Results: []any{(*zap.Logger)(nil)}}
	WithOnEnter(call, nil, call.Params[0].([]zap.Field))
	WithOnExit(call, nil)
	if call.ParamSet || call.Stored != nil || call.Results[0] != (*zap.Logger)(nil) {
		t.Errorf("nil logger: %+v", call)
	}
}
