package redisconv

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	semconv "otelgo.dev/rules/internal/semconv"

	"otelgo.dev/rules/internal/dbconv"
)

// measuredSpan is the span of one command or batch that also measures it
// in db.client.operation.duration when it ends. The callers keep handling
// a trace.Span, ending it with the timestamps they choose.
type measuredSpan struct {
	trace.Span
	scope string
	ctx   context.Context // the span's
	start time.Time

	mu    sync.Mutex
	attrs []attribute.KeyValue // the span's attributes at the start, then the error's
}

func measure(ctx context.Context, span trace.Span, scope string, start time.Time, attrs []attribute.KeyValue) trace.Span {
	if start.IsZero() {
		start = time.Now()
	}
	return &measuredSpan{Span: span, scope: scope, ctx: ctx, start: start, attrs: attrs}
}

// SetAttributes sets kv on the span, and the error attributes RecordError
// sets on the measurement too.
func (s *measuredSpan) SetAttributes(kv ...attribute.KeyValue) {
	s.Span.SetAttributes(kv...)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range kv {
		if a.Key == semconv.ErrorTypeKey || a.Key == semconv.DBResponseStatusCodeKey {
			s.attrs = append(s.attrs[:len(s.attrs):len(s.attrs)], a)
		}
	}
}

// End ends the span and records the command's duration, up to the end
// timestamp given, if any.
func (s *measuredSpan) End(opts ...trace.SpanEndOption) {
	s.Span.End(opts...)
	cfg := trace.NewSpanEndConfig(opts...)
	end := cfg.Timestamp()
	if end.IsZero() {
		end = time.Now()
	}
	s.mu.Lock()
	attrs := s.attrs
	s.mu.Unlock()
	dbconv.RecordDuration(s.ctx, s.scope, s.start, end, attrs)
}
