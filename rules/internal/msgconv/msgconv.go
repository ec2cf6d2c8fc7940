// Package msgconv is the messaging semantic conventions
// (go.opentelemetry.io/otel/semconv/v1.39.0, messaging spans and metrics)
// for the hooks of the messaging libraries (Kafka, RabbitMQ, NATS clients).
//
// Spans:
//   - send/publish: a PRODUCER span under the caller's span (the context
//     given to the call, else the span current on the goroutine); its
//     context is the messages' creation context, which the hook injects
//     into the message headers (W3C trace context through the global
//     propagator);
//   - receive (a call of the program that pulls messages): a CLIENT span
//     under the caller's span, linked to each message's creation context;
//   - process (a handler the library calls, or the processing of a
//     message the program pulled): a CONSUMER span linked to the message's
//     creation context, and its child when no span is current where it
//     starts (the conventions' "message creation context as parent" for a
//     single message); under the current span otherwise.
//
// Each span is named "{operation name} {destination}" ("send orders",
// "process orders"), the destination left out when it is temporary or
// anonymous. Metrics: messaging.client.operation.duration for send and
// receive, messaging.process.duration for process,
// messaging.client.sent.messages per message sent and
// messaging.client.consumed.messages per message delivered to the program.
package msgconv

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	semconv "otelgo.dev/rules/internal/semconv"
	"otelgo.dev/rules/internal/semconv/messagingconv"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/goroutine"
	"otelgo.dev/rules/internal/telemetry"
)

// messaging.system values. NATS has no constant in semconv v1.39.0; its
// conventions (docs/messaging/nats.md) name it "nats".
var (
	Kafka    = string(messagingconv.SystemKafka)
	RabbitMQ = string(messagingconv.SystemRabbitMQ)
	NATS     = "nats"
)

// Operation types.
var (
	Send    = messagingconv.OperationTypeSend
	Receive = messagingconv.OperationTypeReceive
	Process = messagingconv.OperationTypeProcess
	Settle  = messagingconv.OperationTypeSettle
)

// Operation describes one messaging operation.
type Operation struct {
	System string                          // messaging.system: Kafka, RabbitMQ, NATS
	Type   messagingconv.OperationTypeAttr // messaging.operation.type
	Name   string                          // messaging.operation.name: "send", "publish", "poll", "process"

	Destination   string // messaging.destination.name; "" when not known or not the same for all messages
	Temporary     bool   // messaging.destination.temporary (and no destination in the span name or metrics)
	Anonymous     bool   // messaging.destination.anonymous (likewise)
	ConsumerGroup string // messaging.consumer.group.name
	Subscription  string // messaging.destination.subscription.name
	Partition     string // messaging.destination.partition.id
	ClientID      string // messaging.client.id (spans only)
	ServerAddress string // server.address
	ServerPort    int    // server.port (with ServerAddress)

	// Batch is the number of messages of a batch API call
	// (messaging.batch.message_count); 0 for an API of single messages.
	Batch int
	// Count is how many messages the operation adds to
	// messaging.client.sent.messages (send) or
	// messaging.client.consumed.messages (receive, process); 0 for none.
	Count int
	// Attrs are further span attributes: message id, Kafka key and
	// offset, routing key, ...
	Attrs []attribute.KeyValue
}

// SpanName is "{operation name} {destination}", or the operation name
// alone for a temporary, anonymous or unknown destination.
func (o *Operation) SpanName() string {
	if o.Destination == "" || o.Temporary || o.Anonymous {
		return o.Name
	}
	return o.Name + " " + o.Destination
}

func (o *Operation) kind() trace.SpanKind {
	switch o.Type {
	case Send:
		return trace.SpanKindProducer
	case Process:
		return trace.SpanKindConsumer
	default:
		return trace.SpanKindClient
	}
}

// metricAttrs are the attributes the conventions give the metrics.
func (o *Operation) metricAttrs() []attribute.KeyValue {
	attrs := make([]attribute.KeyValue, 0, 12)
	attrs = append(attrs,
		semconv.MessagingSystemKey.String(o.System),
		semconv.MessagingOperationName(o.Name),
	)
	if o.Destination != "" && !o.Temporary && !o.Anonymous {
		attrs = append(attrs, semconv.MessagingDestinationName(o.Destination))
	}
	if o.ConsumerGroup != "" {
		attrs = append(attrs, semconv.MessagingConsumerGroupName(o.ConsumerGroup))
	}
	if o.Subscription != "" {
		attrs = append(attrs, semconv.MessagingDestinationSubscriptionName(o.Subscription))
	}
	if o.Partition != "" {
		attrs = append(attrs, semconv.MessagingDestinationPartitionID(o.Partition))
	}
	if o.ServerAddress != "" {
		attrs = append(attrs, semconv.ServerAddress(o.ServerAddress))
		if o.ServerPort > 0 {
			attrs = append(attrs, semconv.ServerPort(o.ServerPort))
		}
	}
	return attrs
}

// spanAttrs are the span's attributes.
func (o *Operation) spanAttrs() []attribute.KeyValue {
	attrs := append(o.metricAttrs(), semconv.MessagingOperationTypeKey.String(string(o.Type)))
	if o.Destination != "" && (o.Temporary || o.Anonymous) {
		attrs = append(attrs, semconv.MessagingDestinationName(o.Destination))
	}
	if o.Temporary {
		attrs = append(attrs, semconv.MessagingDestinationTemporary(true))
	}
	if o.Anonymous {
		attrs = append(attrs, semconv.MessagingDestinationAnonymous(true))
	}
	if o.ClientID != "" {
		attrs = append(attrs, semconv.MessagingClientID(o.ClientID))
	}
	if o.Batch > 0 {
		attrs = append(attrs, semconv.MessagingBatchMessageCount(o.Batch))
	}
	return append(attrs, o.Attrs...)
}

// Span is one messaging operation under way.
type Span struct {
	trace.Span
	op    Operation
	start time.Time
	scope string
	extra []attribute.KeyValue // metric attributes known at the end (partition)
}

// StartSend starts the PRODUCER span of a send or publish under the span
// of ctx, else the goroutine's current span. The returned context holds
// the span: inject it into the messages.
func StartSend(ctx context.Context, scope string, op Operation, links ...trace.Link) (context.Context, *Span) {
	return start(goroutine.Context(ctx), scope, op, time.Now(), links)
}

// StartReceive starts the CLIENT span of a receive (a pull the program
// made) under the span of ctx, else the goroutine's current span; links
// are the creation contexts of the messages received, when known at the
// start (see Span.AddLink).
func StartReceive(ctx context.Context, scope string, op Operation, links ...trace.Link) (context.Context, *Span) {
	return start(goroutine.Context(ctx), scope, op, time.Now(), links)
}

// StartReceiveAt is StartReceive for a receive that began at startTime
// (known to have received something only once it returned).
func StartReceiveAt(ctx context.Context, scope string, op Operation, startTime time.Time, links ...trace.Link) (context.Context, *Span) {
	return start(goroutine.Context(ctx), scope, op, startTime, links)
}

// StartProcess starts the CONSUMER span of processing one message whose
// creation context is creation (invalid when the message carried none):
// linked to it, and its child unless ctx or the goroutine has a span, which
// is then the parent.
func StartProcess(ctx context.Context, scope string, op Operation, creation trace.SpanContext) (context.Context, *Span) {
	ctx = goroutine.Context(ctx)
	var links []trace.Link
	if creation.IsValid() {
		links = append(links, trace.Link{SpanContext: creation})
		if !trace.SpanContextFromContext(ctx).IsValid() {
			ctx = trace.ContextWithRemoteSpanContext(ctx, creation)
		}
	}
	return start(ctx, scope, op, time.Now(), links)
}

func start(ctx context.Context, scope string, op Operation, now time.Time, links []trace.Link) (context.Context, *Span) {
	opts := []trace.SpanStartOption{
		trace.WithSpanKind(op.kind()),
		trace.WithAttributes(op.spanAttrs()...),
		trace.WithTimestamp(now),
	}
	if len(links) > 0 {
		opts = append(opts, trace.WithLinks(links...))
	}
	ctx, span := telemetry.Tracer(scope).Start(ctx, op.SpanName(), opts...)
	return ctx, &Span{Span: span, op: op, start: now, scope: scope}
}

// SetPartition records the partition a message went to or came from,
// known once the operation is over, on the span and its metrics.
func (s *Span) SetPartition(partition int32) {
	if s.op.Partition != "" {
		return
	}
	kv := semconv.MessagingDestinationPartitionID(strconv.Itoa(int(partition)))
	s.SetAttributes(kv)
	s.extra = append(s.extra, kv)
}

// Detach makes the span no longer the current span of the calling
// goroutine, for a span that another goroutine ends (a send acknowledged
// asynchronously): the caller's later spans then nest where they did
// before it started.
func (s *Span) Detach() {
	goroutine.SpanEndOnEnter(nil, s.Span, nil)
}

// SetCount sets how many messages the operation counts in its metric,
// when known only at its end (a receive).
func (s *Span) SetCount(n int) { s.op.Count = n }

// End ends the span: its status and error.type when err is not nil, and
// the operation's metrics.
func (s *Span) End(err error) {
	s.EndAt(err, ErrorType(err), time.Now())
}

// EndAt ends the span at end, with errType as error.type for a non-nil
// err ("" for the error's Go type).
func (s *Span) EndAt(err error, errType string, end time.Time) {
	attrs := append(s.op.metricAttrs(), s.extra...)
	if err != nil {
		if errType == "" {
			errType = ErrorType(err)
		}
		et := semconv.ErrorTypeKey.String(errType)
		attrs = append(attrs, et)
		s.SetAttributes(et)
		s.SetStatus(codes.Error, err.Error())
	}
	s.Span.End(trace.WithTimestamp(end))
	record(trace.ContextWithSpan(context.Background(), s.Span), s.scope, &s.op, attrs, end.Sub(s.start))
}

// ErrorType is error.type for err: the name of a context error, else the
// error's Go type.
func ErrorType(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.Canceled):
		return "context.Canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "context.DeadlineExceeded"
	}
	return semconv.ErrorType(err).Value.AsString()
}

// --- metrics

// buckets are the bucket boundaries the messaging conventions advise.
var buckets = metric.WithExplicitBucketBoundaries(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10)

type instruments struct {
	operation messagingconv.ClientOperationDuration
	process   messagingconv.ProcessDuration
	sent      messagingconv.ClientSentMessages
	consumed  messagingconv.ClientConsumedMessages
}

var scoped = telemetry.NewInstruments(func(m metric.Meter) instruments {
	var i instruments
	var err error
	if i.operation, err = messagingconv.NewClientOperationDuration(m, buckets); err != nil {
		otel.Handle(err)
	}
	if i.process, err = messagingconv.NewProcessDuration(m, buckets); err != nil {
		otel.Handle(err)
	}
	if i.sent, err = messagingconv.NewClientSentMessages(m); err != nil {
		otel.Handle(err)
	}
	if i.consumed, err = messagingconv.NewClientConsumedMessages(m); err != nil {
		otel.Handle(err)
	}
	return i
})

func record(ctx context.Context, scope string, op *Operation, attrs []attribute.KeyValue, d time.Duration) {
	i := scoped.Get(scope)
	seconds := d.Seconds()
	counted := attribute.NewSet(attrs...)
	switch op.Type {
	case Process:
		i.process.RecordSet(ctx, seconds, counted)
	default:
		typed := attribute.NewSet(append(attrs, semconv.MessagingOperationTypeKey.String(string(op.Type)))...)
		i.operation.RecordSet(ctx, seconds, typed)
	}
	if op.Count > 0 {
		if op.Type == Send {
			i.sent.AddSet(ctx, int64(op.Count), counted)
		} else {
			i.consumed.AddSet(ctx, int64(op.Count), counted)
		}
	}
}

// --- context propagation

// Inject writes the trace context of ctx into carrier (the message's
// headers) with the global propagator.
func Inject(ctx context.Context, carrier propagation.TextMapCarrier) {
	otel.GetTextMapPropagator().Inject(ctx, carrier)
}

// Extract reads a message's creation context from carrier; invalid when
// the message carries none.
func Extract(carrier propagation.TextMapCarrier) trace.SpanContext {
	return trace.SpanContextFromContext(otel.GetTextMapPropagator().Extract(context.Background(), carrier))
}

// Carries reports whether carrier already holds a trace context (one the
// program or another instrumentation put there): a hook then leaves the
// message alone.
func Carries(carrier propagation.TextMapCarrier) bool {
	return Extract(carrier).IsValid()
}

// Link is the link of a span to a message's creation context.
func Link(sc trace.SpanContext) trace.Link { return trace.Link{SpanContext: sc} }

// --- safety

// Recover is deferred by code that runs inside a library's callbacks,
// outside the trampolines' recover: a panic of the hook is reported once
// and goes no further.
func Recover(site string) {
	if r := recover(); r != nil {
		api.ReportHookPanic(site, r)
	}
}

// HostPort splits a broker address "host:port" (the first of a
// comma-separated list) into server.address and server.port; port 0 when
// absent.
func HostPort(addr string) (string, int) {
	if i := strings.IndexByte(addr, ','); i >= 0 {
		addr = addr[:i]
	}
	addr = strings.TrimSpace(addr)
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr, 0
	}
	p, err := strconv.Atoi(port)
	if err != nil || p <= 0 || p > 65535 {
		p = 0
	}
	return host, p
}
