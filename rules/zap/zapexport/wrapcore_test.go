package zapexport

import (
	"bytes"
	"testing"

	"go.opentelemetry.io/contrib/bridges/otelzap"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/exporttest"
)

var _ func(api.CallContext, func(zapcore.Core) zapcore.Core) = WrapCoreOnEnter

// wrapCoreOption is zap.WrapCore with the hook spliced.
func wrapCoreOption(f func(zapcore.Core) zapcore.Core) zap.Option {
	call := &fakeCall{Params: []any{f}}
	WrapCoreOnEnter(call, f)
	return zap.WrapCore(call.Params[0].(func(zapcore.Core) zapcore.Core))
}

// byScope returns how many records each scope exported since the last call.
func byScope(t *testing.T) map[string]int {
	t.Helper()
	out := map[string]int{}
	for s, recs := range exporttest.Recorder.Result() {
		if len(recs) > 0 {
			out[s.Name] = len(recs)
		}
	}
	exporttest.Recorder.Reset()
	return out
}

func TestWrapCoreTeeingInTheBridgeTurnsOurExportOff(t *testing.T) {
	byScope(t)
	var buf bytes.Buffer
	l, _ := newLogger(&buf)
	calls := 0
	own := l.WithOptions(wrapCoreOption(func(c zapcore.Core) zapcore.Core {
		calls++
		return zapcore.NewTee(c, otelzap.NewCore("mine"))
	}))
	own.Info("a")
	own.With(zap.String("k", "v")).Info("b")
	if got := byScope(t); len(got) != 1 || got["mine"] != 2 {
		t.Errorf("exported %v", got)
	}
	if calls != 1 || bytes.Count(buf.Bytes(), []byte("\n")) != 2 {
		t.Errorf("%d calls of the option's function; wrote %s", calls, buf.String())
	}
	// The logger it was derived from still exports through otelgo.
	l.Info("c")
	if got := byScope(t); len(got) != 1 || got[ScopeName] != 1 {
		t.Errorf("exported %v", got)
	}
}

func TestWrapCoreWithoutTheBridgeKeepsOurExport(t *testing.T) {
	byScope(t)
	var buf bytes.Buffer
	l, _ := newLogger(&buf)
	sampled := l.WithOptions(wrapCoreOption(func(c zapcore.Core) zapcore.Core {
		return zapcore.NewSamplerWithOptions(c, 1e9, 1, 0) // one record per message a second
	}))
	sampled.Info("same")
	sampled.Info("same")
	if got := byScope(t); got[ScopeName] != 1 || bytes.Count(buf.Bytes(), []byte("\n")) != 1 {
		t.Errorf("exported %v, wrote %s", got, buf.String())
	}
}

func TestWrapCoreOnACoreOtelgoDidNotTee(t *testing.T) {
	core := zapcore.NewNopCore()
	got := wrapCore(func(c zapcore.Core) zapcore.Core { return c }, core)
	if got != core {
		t.Errorf("core %v", got)
	}
}
