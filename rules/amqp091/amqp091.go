// Package amqp091 traces github.com/rabbitmq/amqp091-go with the messaging
// semantic conventions for RabbitMQ (otelgo.dev/rules/internal/msgconv).
// The rules are in amqp091.json beside this file; streadwayamqp/ holds the
// same hooks for github.com/streadway/amqp, the library amqp091-go was
// forked from (keep the two in step: streadwayamqp/amqp.go is this file
// with the import changed and the hooks of functions streadway lacks left
// out).
//
// Producer: a publish on a Channel (Publish, PublishWithContext,
// PublishWithDeferredConfirm, PublishWithDeferredConfirmWithContext, which
// call one another) is one PRODUCER span "publish {exchange}:{routing
// key}" (the routing key alone on the default exchange), under the span of
// the context, else the goroutine's current span; its context goes into a
// copy of the message's headers table (traceparent, tracestate). A message
// whose headers already carry a trace context is published untraced.
// messaging.message.id and messaging.message.conversation_id are the
// message's MessageId and CorrelationId.
//
// Consumer: the delivery channel Consume (and ConsumeWithContext) returns
// is fed through the hooks: each delivery the program takes from it is a
// CONSUMER span "process {destination}" (exchange, routing key and queue as
// the conventions join them), linked to the message's creation context and
// its child, so the producer's trace goes on in the consumer, with the
// delivery's tag as messaging.rabbitmq.message.delivery_tag. The span
// starts when the program takes the delivery and ends when the program
// settles it (Ack, Nack, Reject on the delivery or the channel), takes the
// next one, or closes the channel or its connection. The program's loop
// runs on its own goroutine, so spans it starts there without a context do
// not nest under the process span. Connections and channels are
// remembered (their server, a channel's connection) until they are closed.
package amqp091

import (
	"context"
	"sync"

	amqp "github.com/rabbitmq/amqp091-go"
	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.39.0"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/msgconv"
)

// ScopeName is the instrumentation scope of the spans and metrics made here.
const ScopeName = "otelgo.dev/rules/amqp091"

// servers maps each Connection, then each of its Channels, to its server.
var servers sync.Map // *amqp.Connection or *amqp.Channel -> server

type server struct {
	address string
	port    int
}

// DialConfigOnEnter is the OnEnter hook of
//
//	func DialConfig(url string, config Config) (*Connection, error)
//
// which Dial and DialTLS call. With DialConfigOnExit it keeps the server
// the connection was made to.
func DialConfigOnEnter(call api.CallContext, url string, config amqp.Config) {
	if uri, err := amqp.ParseURI(url); err == nil {
		call.SetData(server{uri.Host, uri.Port})
	}
}

// DialConfigOnExit keeps the server of the connection made.
func DialConfigOnExit(call api.CallContext, c *amqp.Connection, err error) {
	if s, ok := call.Data().(server); ok && c != nil && err == nil {
		servers.Store(c, s)
	}
}

// connections maps each Channel to its Connection.
var connections sync.Map // *amqp.Channel -> *amqp.Connection

// ChannelOnEnter is the OnEnter hook of
//
//	func (c *Connection) Channel() (*Channel, error)
//
// With ChannelOnExit it gives the channel its connection's server.
func ChannelOnEnter(call api.CallContext, c *amqp.Connection) {
	call.SetData(c)
}

// ChannelOnExit keeps the connection and the server of the channel made.
func ChannelOnExit(call api.CallContext, ch *amqp.Channel, err error) {
	c, ok := call.Data().(*amqp.Connection)
	if !ok || c == nil || ch == nil || err != nil {
		return
	}
	connections.Store(ch, c)
	if s, ok := servers.Load(c); ok {
		servers.Store(ch, s)
	}
}

// ConnectionCloseOnEnter is the OnEnter hook of
//
//	func (c *Connection) Close() error
//
// It ends the processing of the deliveries of the connection's channels
// (a consumer with automatic acknowledgement settles none): before the
// program exits, not when the library's goroutines get to it.
func ConnectionCloseOnEnter(call api.CallContext, c *amqp.Connection) {
	endWhere(func(ch *amqp.Channel) bool {
		conn, _ := connections.Load(ch)
		return conn == c
	})
	servers.Delete(c)
}

// ChannelCloseOnEnter is the OnEnter hook of
//
//	func (ch *Channel) Close() error
//
// It ends the processing of the channel's deliveries.
func ChannelCloseOnEnter(call api.CallContext, ch *amqp.Channel) {
	endWhere(func(c *amqp.Channel) bool { return c == ch })
	servers.Delete(ch)
	connections.Delete(ch)
}

// endWhere ends the process spans of the deliveries of the channels match
// accepts.
func endWhere(match func(*amqp.Channel) bool) {
	defer msgconv.Recover(ScopeName + " close")
	processing.Range(func(k, _ any) bool {
		t := k.(tag)
		if ch, ok := t.ack.(*amqp.Channel); ok && match(ch) {
			endProcess(&t)
		}
		return true
	})
}

func serverOf(ch *amqp.Channel) server {
	if s, ok := servers.Load(ch); ok {
		return s.(server)
	}
	return server{}
}

// PublishOnEnter is the OnEnter hook of
//
//	func (ch *Channel) Publish(exchange, key string, mandatory, immediate bool, msg Publishing) error
func PublishOnEnter(call api.CallContext, ch *amqp.Channel, exchange, key string, mandatory, immediate bool, msg amqp.Publishing) {
	startPublish(call, ch, context.Background(), exchange, key, msg, 4)
}

// PublishWithContextOnEnter is the OnEnter hook of
//
//	func (ch *Channel) PublishWithContext(ctx context.Context, exchange, key string, mandatory, immediate bool, msg Publishing) error
func PublishWithContextOnEnter(call api.CallContext, ch *amqp.Channel, ctx context.Context, exchange, key string, mandatory, immediate bool, msg amqp.Publishing) {
	startPublish(call, ch, ctx, exchange, key, msg, 5)
}

// PublishWithDeferredConfirmOnEnter is the OnEnter hook of
//
//	func (ch *Channel) PublishWithDeferredConfirm(exchange, key string, mandatory, immediate bool, msg Publishing) (*DeferredConfirmation, error)
func PublishWithDeferredConfirmOnEnter(call api.CallContext, ch *amqp.Channel, exchange, key string, mandatory, immediate bool, msg amqp.Publishing) {
	startPublish(call, ch, context.Background(), exchange, key, msg, 4)
}

// PublishWithDeferredConfirmWithContextOnEnter is the OnEnter hook of
//
//	func (ch *Channel) PublishWithDeferredConfirmWithContext(ctx context.Context, exchange, key string, mandatory, immediate bool, msg Publishing) (*DeferredConfirmation, error)
func PublishWithDeferredConfirmWithContextOnEnter(call api.CallContext, ch *amqp.Channel, ctx context.Context, exchange, key string, mandatory, immediate bool, msg amqp.Publishing) {
	startPublish(call, ch, ctx, exchange, key, msg, 5)
}

// PublishOnExit ends the span of a publish.
func PublishOnExit(call api.CallContext, err error) {
	if span, ok := call.Data().(*msgconv.Span); ok {
		span.End(err)
	}
}

// PublishDeferredOnExit ends the span of a publish with a deferred confirmation.
func PublishDeferredOnExit(call api.CallContext, dc *amqp.DeferredConfirmation, err error) {
	PublishOnExit(call, err)
}

// startPublish starts the span of a publish, unless the message carries a
// trace context already: the program's, or that of the publish this one
// is called by (the publishing functions call one another).
func startPublish(call api.CallContext, ch *amqp.Channel, ctx context.Context, exchange, key string, msg amqp.Publishing, msgParam int) {
	if ch == nil || msgconv.Carries(tableCarrier(msg.Headers)) {
		return
	}
	srv := serverOf(ch)
	op := msgconv.Operation{
		System:        msgconv.RabbitMQ,
		Type:          msgconv.Send,
		Name:          "publish",
		Destination:   destination(exchange, key, ""),
		ServerAddress: srv.address,
		ServerPort:    srv.port,
		Count:         1,
		Attrs:         messageAttrs(key, msg.MessageId, msg.CorrelationId),
	}
	ctx, span := msgconv.StartSend(ctx, ScopeName, op)
	call.SetData(span)
	headers := make(amqp.Table, len(msg.Headers)+2)
	for k, v := range msg.Headers {
		headers[k] = v
	}
	msgconv.Inject(ctx, tableCarrier(headers))
	msg.Headers = headers
	call.SetParam(msgParam, msg)
}

// destination joins exchange, routing key and queue as the RabbitMQ
// conventions ask: the non-empty ones, the queue left out when it is the
// routing key; "amq.default" when there is none.
func destination(exchange, key, queue string) string {
	parts := make([]string, 0, 3)
	for _, p := range []string{exchange, key} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if queue != "" && queue != key {
		parts = append(parts, queue)
	}
	if len(parts) == 0 {
		return "amq.default"
	}
	out := parts[0]
	for _, p := range parts[1:] {
		out += ":" + p
	}
	return out
}

func messageAttrs(key, id, correlation string) []attribute.KeyValue {
	var attrs []attribute.KeyValue
	if key != "" {
		attrs = append(attrs, semconv.MessagingRabbitMQDestinationRoutingKey(key))
	}
	if id != "" {
		attrs = append(attrs, semconv.MessagingMessageID(id))
	}
	if correlation != "" {
		attrs = append(attrs, semconv.MessagingMessageConversationID(correlation))
	}
	return attrs
}

// --- consumer

type consume struct {
	ch    *amqp.Channel
	queue string
}

// ConsumeOnEnter is the OnEnter hook of
//
//	func (ch *Channel) Consume(queue, consumer string, autoAck, exclusive, noLocal, noWait bool, args Table) (<-chan Delivery, error)
func ConsumeOnEnter(call api.CallContext, ch *amqp.Channel, queue, consumer string, autoAck, exclusive, noLocal, noWait bool, args amqp.Table) {
	call.SetData(&consume{ch: ch, queue: queue})
}

// ConsumeWithContextOnEnter is the OnEnter hook of
//
//	func (ch *Channel) ConsumeWithContext(ctx context.Context, queue, consumer string, autoAck, exclusive, noLocal, noWait bool, args Table) (<-chan Delivery, error)
//
// of v1.9.0 and later.
func ConsumeWithContextOnEnter(call api.CallContext, ch *amqp.Channel, ctx context.Context, queue, consumer string, autoAck, exclusive, noLocal, noWait bool, args amqp.Table) {
	call.SetData(&consume{ch: ch, queue: queue})
}

// ConsumeOnExit feeds the deliveries through forward.
func ConsumeOnExit(call api.CallContext, deliveries <-chan amqp.Delivery, err error) {
	c, ok := call.Data().(*consume)
	if !ok || deliveries == nil || err != nil {
		return
	}
	if _, ours := forwarded.Load(deliveries); ours {
		return // Consume called by ConsumeWithContext, or the other way round
	}
	out := make(chan amqp.Delivery)
	forwarded.Store((<-chan amqp.Delivery)(out), struct{}{})
	go c.forward(deliveries, out)
	call.SetResult(0, (<-chan amqp.Delivery)(out))
}

// forwarded holds the delivery channels forward feeds, while it does.
var forwarded sync.Map // <-chan amqp.Delivery -> struct{}

// forward hands the deliveries to the program one at a time, starting the
// process span of each when the program takes it; it ends with the
// library's channel (closed with the channel or the consumer).
func (c *consume) forward(in <-chan amqp.Delivery, out chan amqp.Delivery) {
	var last *tag
	defer func() { endProcess(last) }()
	defer forwarded.Delete((<-chan amqp.Delivery)(out))
	defer close(out)
	for d := range in {
		out <- d
		endProcess(last)
		last = c.startProcess(d)
	}
}

// tag identifies a delivery: its channel's acknowledger and delivery tag.
type tag struct {
	ack any
	n   uint64
}

// processing holds the process span of each delivery taken and not settled.
var processing sync.Map // tag -> *msgconv.Span

func (c *consume) startProcess(d amqp.Delivery) (t *tag) {
	defer msgconv.Recover(ScopeName + " process start")
	srv := serverOf(c.ch)
	op := msgconv.Operation{
		System:        msgconv.RabbitMQ,
		Type:          msgconv.Process,
		Name:          "process",
		Destination:   destination(d.Exchange, d.RoutingKey, c.queue),
		ServerAddress: srv.address,
		ServerPort:    srv.port,
		Count:         1,
		Attrs: append(messageAttrs(d.RoutingKey, d.MessageId, d.CorrelationId),
			semconv.MessagingRabbitMQMessageDeliveryTag(int(d.DeliveryTag))),
	}
	_, span := msgconv.StartProcess(context.Background(), ScopeName, op, msgconv.Extract(tableCarrier(d.Headers)))
	t = &tag{ack: d.Acknowledger, n: d.DeliveryTag}
	processing.Store(*t, span)
	return t
}

func endProcess(t *tag) {
	defer msgconv.Recover(ScopeName + " process end")
	if t == nil {
		return
	}
	if span, ok := processing.LoadAndDelete(*t); ok {
		span.(*msgconv.Span).End(nil)
	}
}

// settle ends the process spans of the deliveries a settlement covers.
func settle(ch *amqp.Channel, n uint64, multiple bool) {
	defer msgconv.Recover(ScopeName + " settle")
	if !multiple {
		endProcess(&tag{ack: ch, n: n})
		return
	}
	processing.Range(func(k, _ any) bool {
		if t := k.(tag); t.ack == any(ch) && t.n <= n {
			endProcess(&t)
		}
		return true
	})
}

// AckOnEnter is the OnEnter hook of
//
//	func (ch *Channel) Ack(tag uint64, multiple bool) error
//
// which Delivery.Ack calls.
func AckOnEnter(call api.CallContext, ch *amqp.Channel, n uint64, multiple bool) {
	settle(ch, n, multiple)
}

// NackOnEnter is the OnEnter hook of
//
//	func (ch *Channel) Nack(tag uint64, multiple bool, requeue bool) error
func NackOnEnter(call api.CallContext, ch *amqp.Channel, n uint64, multiple, requeue bool) {
	settle(ch, n, multiple)
}

// RejectOnEnter is the OnEnter hook of
//
//	func (ch *Channel) Reject(tag uint64, requeue bool) error
func RejectOnEnter(call api.CallContext, ch *amqp.Channel, n uint64, requeue bool) {
	settle(ch, n, false)
}

// tableCarrier is a TextMapCarrier over a headers table (string values).
type tableCarrier amqp.Table

func (c tableCarrier) Get(key string) string {
	switch v := c[key].(type) {
	case string:
		return v
	case []byte:
		return string(v)
	}
	return ""
}

func (c tableCarrier) Set(key, value string) { c[key] = value }

func (c tableCarrier) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}
