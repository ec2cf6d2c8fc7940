package awssdk

import (
	"context"
	"net/url"
	"reflect"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	semconv "otelgo.dev/rules/internal/semconv"
)

// maxMessageAttributes is how many attributes SQS takes per message.
const maxMessageAttributes = 10

// sqsCall is what an SQS call's span needs beyond the common attributes.
type sqsCall struct {
	op    string
	kind  trace.SpanKind
	attrs []attribute.KeyValue
	added []string // attribute names a ReceiveMessage asks for on the program's behalf
}

func newSQSCall(op string, input any) *sqsCall {
	c := &sqsCall{op: op, kind: trace.SpanKindClient}
	c.attrs = []attribute.KeyValue{semconv.MessagingSystemAWSSQS, semconv.MessagingOperationName(op)}
	if queueURL := stringField(input, "QueueUrl"); queueURL != "" {
		c.attrs = append(c.attrs, semconv.AWSSQSQueueURL(queueURL))
		if name := queueName(queueURL); name != "" {
			c.attrs = append(c.attrs, semconv.MessagingDestinationName(name))
		}
	}
	switch op {
	case "SendMessage", "SendMessageBatch":
		c.kind = trace.SpanKindProducer
		c.attrs = append(c.attrs, semconv.MessagingOperationTypeSend)
		if entries := field(input, "Entries"); entries.IsValid() && entries.Kind() == reflect.Slice {
			c.attrs = append(c.attrs, semconv.MessagingBatchMessageCount(entries.Len()))
		}
	case "ReceiveMessage":
		c.attrs = append(c.attrs, semconv.MessagingOperationTypeReceive)
	case "DeleteMessage", "DeleteMessageBatch":
		c.attrs = append(c.attrs, semconv.MessagingOperationTypeSettle)
	}
	return c
}

// queueName is the last path element of a queue's URL.
func queueName(queueURL string) string {
	u, err := url.Parse(queueURL)
	if err != nil {
		return ""
	}
	p := strings.TrimSuffix(u.Path, "/")
	return p[strings.LastIndexByte(p, '/')+1:]
}

// prepare returns the input the call is to send: for a send, a copy of the
// program's with the trace context of ctx in each message's attributes; for
// a receive, a copy that asks for the propagator's attributes too. The
// program's input is never written to.
func (c *sqsCall) prepare(ctx context.Context, input any) any {
	v := reflect.ValueOf(input)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return input
	}
	switch c.op {
	case "SendMessage":
		attrs := v.Elem().FieldByName("MessageAttributes")
		withContext, ok := inject(ctx, attrs)
		if !ok {
			return input
		}
		out := copyStruct(v)
		out.Elem().FieldByName("MessageAttributes").Set(withContext)
		return out.Interface()
	case "SendMessageBatch":
		entries := v.Elem().FieldByName("Entries")
		if !entries.IsValid() || entries.Kind() != reflect.Slice || entries.Len() == 0 {
			return input
		}
		copied := reflect.MakeSlice(entries.Type(), entries.Len(), entries.Len())
		reflect.Copy(copied, entries)
		for i := range copied.Len() {
			attrs := copied.Index(i).FieldByName("MessageAttributes")
			if withContext, ok := inject(ctx, attrs); ok {
				attrs.Set(withContext)
			}
		}
		out := copyStruct(v)
		out.Elem().FieldByName("Entries").Set(copied)
		return out.Interface()
	case "ReceiveMessage":
		names := v.Elem().FieldByName("MessageAttributeNames")
		if !names.IsValid() || names.Type() != reflect.TypeOf([]string(nil)) {
			return input
		}
		asked := names.Interface().([]string)
		for _, n := range asked {
			if n == "All" || n == ".*" {
				return input
			}
		}
		wanted := append([]string(nil), asked...)
		for _, f := range otel.GetTextMapPropagator().Fields() {
			if !contains(asked, f) {
				wanted = append(wanted, f)
				c.added = append(c.added, f)
			}
		}
		if len(c.added) == 0 {
			return input
		}
		out := copyStruct(v)
		out.Elem().FieldByName("MessageAttributeNames").Set(reflect.ValueOf(wanted))
		return out.Interface()
	}
	return input
}

func copyStruct(ptr reflect.Value) reflect.Value {
	out := reflect.New(ptr.Elem().Type())
	out.Elem().Set(ptr.Elem())
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// inject returns a copy of a message's attributes (a
// map[string]types.MessageAttributeValue) with the propagator's fields for
// ctx added as String attributes, and true; false when there is nothing to
// add, the message has one of those attributes already, or SQS's limit of
// attributes would be passed.
func inject(ctx context.Context, attrs reflect.Value) (reflect.Value, bool) {
	if !attrs.IsValid() || attrs.Kind() != reflect.Map || attrs.Type().Key().Kind() != reflect.String {
		return reflect.Value{}, false
	}
	carrier := propagation.MapCarrier{}
	otel.GetTextMapPropagator().Inject(ctx, carrier)
	if len(carrier) == 0 || attrs.Len()+len(carrier) > maxMessageAttributes {
		return reflect.Value{}, false
	}
	for k := range carrier {
		if attrs.MapIndex(reflect.ValueOf(k)).IsValid() {
			return reflect.Value{}, false
		}
	}
	elem := attrs.Type().Elem()
	dataType, stringValue, ok := valueFields(elem)
	if !ok {
		return reflect.Value{}, false
	}
	out := reflect.MakeMapWithSize(attrs.Type(), attrs.Len()+len(carrier))
	iter := attrs.MapRange()
	for iter.Next() {
		out.SetMapIndex(iter.Key(), iter.Value())
	}
	for k, s := range carrier {
		val := reflect.New(elem).Elem()
		typ, str := "String", s
		val.Field(dataType).Set(reflect.ValueOf(&typ))
		val.Field(stringValue).Set(reflect.ValueOf(&str))
		out.SetMapIndex(reflect.ValueOf(k), val)
	}
	return out, true
}

// valueFields returns the indexes of the DataType and StringValue fields
// (*string) of types.MessageAttributeValue.
func valueFields(t reflect.Type) (dataType, stringValue int, ok bool) {
	if t.Kind() != reflect.Struct {
		return 0, 0, false
	}
	strPtr := reflect.TypeOf((*string)(nil))
	d, okD := t.FieldByName("DataType")
	s, okS := t.FieldByName("StringValue")
	if !okD || !okS || d.Type != strPtr || s.Type != strPtr || len(d.Index) != 1 || len(s.Index) != 1 {
		return 0, 0, false
	}
	return d.Index[0], s.Index[0], true
}

// finish records what an SQS call returned: the ID of a message sent; the
// number of messages received and a link to the creation context of each
// that carries one, whose propagation attributes are then removed when the
// program did not ask for them.
func (c *sqsCall) finish(span trace.Span, result any) {
	switch c.op {
	case "SendMessage":
		if id := stringField(result, "MessageId"); id != "" {
			span.SetAttributes(semconv.MessagingMessageID(id))
		}
	case "ReceiveMessage":
		msgs := field(result, "Messages")
		if !msgs.IsValid() || msgs.Kind() != reflect.Slice {
			return
		}
		span.SetAttributes(semconv.MessagingBatchMessageCount(msgs.Len()))
		if msgs.Len() == 1 {
			if id := stringField(msgs.Index(0).Addr().Interface(), "MessageId"); id != "" {
				span.SetAttributes(semconv.MessagingMessageID(id))
			}
		}
		for i := range msgs.Len() {
			attrs := msgs.Index(i).FieldByName("MessageAttributes")
			if sc := extract(attrs); sc.IsValid() {
				span.AddLink(trace.Link{SpanContext: sc})
			}
			c.removeAdded(attrs)
		}
	}
}

// extract returns the span context a message's attributes carry.
func extract(attrs reflect.Value) trace.SpanContext {
	if !attrs.IsValid() || attrs.Kind() != reflect.Map || attrs.Len() == 0 {
		return trace.SpanContext{}
	}
	_, stringValue, ok := valueFields(attrs.Type().Elem())
	if !ok {
		return trace.SpanContext{}
	}
	carrier := propagation.MapCarrier{}
	for _, f := range otel.GetTextMapPropagator().Fields() {
		v := attrs.MapIndex(reflect.ValueOf(f))
		if !v.IsValid() {
			continue
		}
		if s := v.Field(stringValue); !s.IsNil() {
			carrier[f] = s.Elem().String()
		}
	}
	ctx := otel.GetTextMapPropagator().Extract(context.Background(), carrier)
	return trace.SpanContextFromContext(ctx)
}

// removeAdded deletes the attributes that were asked for on the program's
// behalf from a received message (nil when none is left).
func (c *sqsCall) removeAdded(attrs reflect.Value) {
	if len(c.added) == 0 || !attrs.IsValid() || attrs.Kind() != reflect.Map || attrs.IsNil() || !attrs.CanSet() {
		return
	}
	for _, f := range c.added {
		attrs.SetMapIndex(reflect.ValueOf(f), reflect.Value{})
	}
	if attrs.Len() == 0 {
		attrs.Set(reflect.Zero(attrs.Type()))
	}
}
