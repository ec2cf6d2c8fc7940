package logrus

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/spantest"
)

// The hooks must fit the api convention for their targets exactly.
var (
	_ func(api.CallContext, *logrus.Entry)                = FireHooksOnEnter
	_ func(api.CallContext, *logrus.Entry, []logrus.Hook) = FireHooksListOnEnter
)

const (
	wantTrace = spantest.TraceHex
	wantSpan  = spantest.SpanHex
)

var spanCtx = spantest.Context

// splicedHook plays the hook spliced into (*Entry).fireHooks: a logrus hook
// fires at the same place (in fireHooks, on the entry's per-record copy),
// before the program's own hooks.
type splicedHook struct{}

func (splicedHook) Levels() []logrus.Level { return logrus.AllLevels }
func (splicedHook) Fire(e *logrus.Entry) error {
	FireHooksOnEnter(nil, e)
	return nil
}

// seen records the Data the program's hooks see.
type seen struct{ data []logrus.Fields }

func (*seen) Levels() []logrus.Level { return logrus.AllLevels }
func (s *seen) Fire(e *logrus.Entry) error {
	s.data = append(s.data, e.Data)
	return nil
}

func newLogger(buf *bytes.Buffer) (*logrus.Logger, *seen) {
	l := logrus.New()
	l.Out = buf
	l.Formatter = &logrus.JSONFormatter{DisableTimestamp: true}
	s := &seen{}
	l.AddHook(splicedHook{})
	l.AddHook(s)
	return l, s
}

func lines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func TestEntryWithSpanContextGetsIDs(t *testing.T) {
	var buf bytes.Buffer
	l, s := newLogger(&buf)
	entry := l.WithContext(spanCtx()).WithField("k", "v")
	entry.Info("hello")
	got := lines(t, &buf)[0]
	if got["trace_id"] != wantTrace || got["span_id"] != wantSpan || got["k"] != "v" || got["msg"] != "hello" {
		t.Errorf("got %v", got)
	}
	if s.data[0]["trace_id"] != wantTrace {
		t.Errorf("the program's hooks did not see trace_id: %v", s.data[0])
	}
	if _, ok := entry.Data["trace_id"]; ok {
		t.Errorf("the program's entry was written to: %v", entry.Data)
	}
}

func TestEntriesWithoutSpanUnchanged(t *testing.T) {
	var buf bytes.Buffer
	l, _ := newLogger(&buf)
	invalid := trace.ContextWithSpanContext(context.Background(), trace.SpanContext{})
	l.Info("no context")
	l.WithContext(context.Background()).Info("background")
	l.WithContext(invalid).Info("invalid")
	l.WithContext(spanCtx()).WithField("trace_id", "mine").Info("own trace_id")
	for _, got := range lines(t, &buf) {
		if got["msg"] == "own trace_id" {
			if got["trace_id"] != "mine" || got["span_id"] != nil {
				t.Errorf("own trace_id replaced: %v", got)
			}
			continue
		}
		if _, ok := got["trace_id"]; ok {
			t.Errorf("got %v", got)
		}
	}
}

func TestNilEntryAndNilData(t *testing.T) {
	FireHooksOnEnter(nil, nil)
	FireHooksListOnEnter(nil, nil, nil)
	e := &logrus.Entry{Context: spanCtx()}
	FireHooksListOnEnter(nil, e, nil)
	if e.Data["trace_id"] != wantTrace || e.Data["span_id"] != wantSpan {
		t.Errorf("got %v", e.Data)
	}
}

const (
	goroutineTrace = spantest.OtherTraceHex
	goroutineSpan  = spantest.OtherSpanHex
)

func TestEntriesWithoutSpanGetGoroutineIDs(t *testing.T) {
	spantest.OnGoroutine(t, spantest.OtherContext())
	var buf bytes.Buffer
	l, s := newLogger(&buf)
	invalid := trace.ContextWithSpanContext(context.Background(), trace.SpanContext{})
	entry := l.WithField("k", "v")
	entry.Info("no context")
	l.WithContext(context.Background()).Info("background")
	l.WithContext(invalid).Info("invalid")
	l.Warnf("package-level %s", "style")
	got := lines(t, &buf)
	if len(got) != 4 {
		t.Fatalf("got %v", got)
	}
	for i, rec := range got {
		if rec["trace_id"] != goroutineTrace || rec["span_id"] != goroutineSpan {
			t.Errorf("got %v", rec)
		}
		if s.data[i]["trace_id"] != goroutineTrace {
			t.Errorf("the program's hooks did not see trace_id: %v", s.data[i])
		}
	}
	if _, ok := entry.Data["trace_id"]; ok {
		t.Errorf("the program's entry was written to: %v", entry.Data)
	}
}

func TestContextSpanWinsOverGoroutineSpan(t *testing.T) {
	spantest.OnGoroutine(t, spantest.OtherContext())
	var buf bytes.Buffer
	l, _ := newLogger(&buf)
	l.WithContext(spanCtx()).Info("ctx")
	l.WithField("trace_id", "mine").Info("own trace_id")
	got := lines(t, &buf)
	if got[0]["trace_id"] != wantTrace || got[0]["span_id"] != wantSpan {
		t.Errorf("got %v", got[0])
	}
	if got[1]["trace_id"] != "mine" || got[1]["span_id"] != nil {
		t.Errorf("own trace_id replaced: %v", got[1])
	}
}
