// Package streadwayamqp traces github.com/streadway/amqp, the library
// github.com/rabbitmq/amqp091-go was forked from, with the hooks of
// otelgo.dev/rules/amqp091 but those of the functions streadway/amqp lacks
// (PublishWithContext, PublishWithDeferredConfirm*, ConsumeWithContext),
// reading streadway's types into the plain values of
// otelgo.dev/rules/internal/amqphooks, which holds the logic of both (see
// the package comment of otelgo.dev/rules/amqp091 for what is traced and
// how).
package streadwayamqp

import (
	"context"

	"github.com/streadway/amqp"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/amqphooks"
)

// ScopeName is the instrumentation scope of the spans and metrics made here.
const ScopeName = "otelgo.dev/rules/amqp091/streadwayamqp"

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

// PublishOnExit ends the span of a publish.
func PublishOnExit(call api.CallContext, err error) {
	amqphooks.EndPublish(call.Data(), err)
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
