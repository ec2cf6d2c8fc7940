package logrus

import (
	"bytes"
	"context"
	"testing"

	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/internal/spantest"
)

// Hook stands for otellogrus's hook (*otellogrus.Hook, which these hooks
// name and do not import) in these tests: it records the context of the
// entries it fires for.
type Hook struct{ ctx []context.Context }

func (*Hook) Levels() []logrus.Level { return logrus.AllLevels }
func (h *Hook) Fire(e *logrus.Entry) error {
	h.ctx = append(h.ctx, e.Context)
	return nil
}

func asBridge(t *testing.T) {
	old := otellogrusPath
	otellogrusPath = "otelgo.dev/rules/logrus"
	t.Cleanup(func() { otellogrusPath = old })
}

func TestEntryOfALoggerWithTheBridgeGetsTheGoroutineSpanAsItsContext(t *testing.T) {
	asBridge(t)
	spantest.OnGoroutine(t, spanCtx())
	bridge := &Hook{}
	l := logrus.New()
	l.SetOutput(&bytes.Buffer{})
	l.AddHook(splicedHook{})
	l.AddHook(bridge)
	l.Info("no context")
	other := spantest.OtherContext()
	l.WithContext(other).Info("its own")
	if len(bridge.ctx) != 2 {
		t.Fatalf("fired %d", len(bridge.ctx))
	}
	if sc := trace.SpanContextFromContext(bridge.ctx[0]); sc.SpanID().String() != wantSpan {
		t.Errorf("context span %v", sc)
	}
	if bridge.ctx[1] != other {
		t.Errorf("the entry's own context was replaced")
	}
}

func TestEntryOfALoggerWithoutTheBridgeKeepsItsContext(t *testing.T) {
	spantest.OnGoroutine(t, spanCtx())
	mine := &Hook{} // not the bridge's: otellogrusPath is the real one
	l := logrus.New()
	l.SetOutput(&bytes.Buffer{})
	l.AddHook(splicedHook{})
	l.AddHook(mine)
	l.Info("no context")
	if len(mine.ctx) != 1 || mine.ctx[0] != nil {
		t.Errorf("contexts %v", mine.ctx)
	}
}

func TestBridgeHookCheckDoesNotAllocate(t *testing.T) {
	e := logrus.NewEntry(logrus.New())
	e.Context = spanCtx()
	hooks := []logrus.Hook{splicedHook{}, &seen{}, &Hook{}}
	if n := testing.AllocsPerRun(100, func() { bridgeContext(e, hooks) }); n != 0 {
		t.Errorf("%v allocations", n)
	}
	e.Context = nil
	if n := testing.AllocsPerRun(100, func() { bridgeContext(e, hooks) }); n != 0 {
		t.Errorf("%v allocations without a context", n)
	}
}

func BenchmarkBridgeContext(b *testing.B) {
	e := logrus.NewEntry(logrus.New())
	hooks := []logrus.Hook{splicedHook{}, &seen{}}
	b.ReportAllocs()
	for b.Loop() {
		bridgeContext(e, hooks)
	}
}
