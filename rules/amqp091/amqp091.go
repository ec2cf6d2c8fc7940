// Package amqp091 traces github.com/rabbitmq/amqp091-go with the messaging
// semantic conventions for RabbitMQ (otelgo.dev/rules/internal/msgconv).
// The rules are in amqp091.json beside this file; streadwayamqp/ holds the
// same hooks for github.com/streadway/amqp, the library amqp091-go was
// forked from. The logic of both is otelgo.dev/rules/internal/amqphooks;
// the hooks here only read amqp091-go's types into its plain values.
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

	amqp "github.com/rabbitmq/amqp091-go"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/amqphooks"
)

// ScopeName is the instrumentation scope of the spans and metrics made here.
const ScopeName = "otelgo.dev/rules/amqp091"

var hooks = amqphooks.New(ScopeName)

// DialConfigOnEnter is the OnEnter hook of
//
//	func DialConfig(url string, config Config) (*Connection, error)
//
// which Dial and DialTLS call. With DialConfigOnExit it keeps the server
// the connection was made to.
func DialConfigOnEnter(call api.CallContext, url string, config amqp.Config) {
	if uri, err := amqp.ParseURI(url); err == nil {
		call.SetData(amqphooks.Server{Address: uri.Host, Port: uri.Port})
	}
}

// DialConfigOnExit keeps the server of the connection made.
func DialConfigOnExit(call api.CallContext, c *amqp.Connection, err error) {
	if c != nil && err == nil {
		hooks.Dialed(call.Data(), c)
	}
}

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
	if c, ok := call.Data().(*amqp.Connection); ok && c != nil && ch != nil && err == nil {
		hooks.Opened(c, ch)
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
	hooks.ConnectionClosed(c)
}

// ChannelCloseOnEnter is the OnEnter hook of
//
//	func (ch *Channel) Close() error
//
// It ends the processing of the channel's deliveries.
func ChannelCloseOnEnter(call api.CallContext, ch *amqp.Channel) {
	hooks.ChannelClosed(ch)
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
	amqphooks.EndPublish(call.Data(), err)
}

// PublishDeferredOnExit ends the span of a publish with a deferred confirmation.
func PublishDeferredOnExit(call api.CallContext, dc *amqp.DeferredConfirmation, err error) {
	PublishOnExit(call, err)
}

// startPublish starts the span of a publish and hands the library the
// message with the headers that carry its context.
func startPublish(call api.CallContext, ch *amqp.Channel, ctx context.Context, exchange, key string, msg amqp.Publishing, msgParam int) {
	if ch == nil {
		return
	}
	span, headers := hooks.StartPublish(ctx, ch, amqphooks.Publishing{Exchange: exchange, Key: key,
		MessageID: msg.MessageId, CorrelationID: msg.CorrelationId, Headers: msg.Headers})
	if span == nil {
		return
	}
	call.SetData(span)
	msg.Headers = headers
	call.SetParam(msgParam, msg)
}

// --- consumer

// ConsumeOnEnter is the OnEnter hook of
//
//	func (ch *Channel) Consume(queue, consumer string, autoAck, exclusive, noLocal, noWait bool, args Table) (<-chan Delivery, error)
func ConsumeOnEnter(call api.CallContext, ch *amqp.Channel, queue, consumer string, autoAck, exclusive, noLocal, noWait bool, args amqp.Table) {
	call.SetData(&amqphooks.Consumer{Channel: ch, Queue: queue})
}

// ConsumeWithContextOnEnter is the OnEnter hook of
//
//	func (ch *Channel) ConsumeWithContext(ctx context.Context, queue, consumer string, autoAck, exclusive, noLocal, noWait bool, args Table) (<-chan Delivery, error)
//
// of v1.9.0 and later.
func ConsumeWithContextOnEnter(call api.CallContext, ch *amqp.Channel, ctx context.Context, queue, consumer string, autoAck, exclusive, noLocal, noWait bool, args amqp.Table) {
	call.SetData(&amqphooks.Consumer{Channel: ch, Queue: queue})
}

// ConsumeOnExit feeds the deliveries through amqphooks.Feed.
func ConsumeOnExit(call api.CallContext, deliveries <-chan amqp.Delivery, err error) {
	if err != nil {
		return
	}
	if out := amqphooks.Feed(hooks, call.Data(), deliveries, delivery); out != nil {
		call.SetResult(0, out)
	}
}

func delivery(d amqp.Delivery) amqphooks.Delivery {
	return amqphooks.Delivery{Exchange: d.Exchange, RoutingKey: d.RoutingKey, MessageID: d.MessageId,
		CorrelationID: d.CorrelationId, DeliveryTag: d.DeliveryTag, Acknowledger: d.Acknowledger, Headers: d.Headers}
}

// AckOnEnter is the OnEnter hook of
//
//	func (ch *Channel) Ack(tag uint64, multiple bool) error
//
// which Delivery.Ack calls.
func AckOnEnter(call api.CallContext, ch *amqp.Channel, n uint64, multiple bool) {
	hooks.Settled(ch, n, multiple)
}

// NackOnEnter is the OnEnter hook of
//
//	func (ch *Channel) Nack(tag uint64, multiple bool, requeue bool) error
func NackOnEnter(call api.CallContext, ch *amqp.Channel, n uint64, multiple, requeue bool) {
	hooks.Settled(ch, n, multiple)
}

// RejectOnEnter is the OnEnter hook of
//
//	func (ch *Channel) Reject(tag uint64, requeue bool) error
func RejectOnEnter(call api.CallContext, ch *amqp.Channel, n uint64, requeue bool) {
	hooks.Settled(ch, n, false)
}
