package awssdk

import (
	"reflect"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

func reflectValue(v any) reflect.Value { return reflect.ValueOf(v) }

// recordingSpan records the links and attributes a call's span gets.
type recordingSpan struct {
	noop.Span
	links []trace.Link
	attrs []attribute.KeyValue
}

func (s *recordingSpan) AddLink(l trace.Link)                   { s.links = append(s.links, l) }
func (s *recordingSpan) SetAttributes(kv ...attribute.KeyValue) { s.attrs = append(s.attrs, kv...) }
