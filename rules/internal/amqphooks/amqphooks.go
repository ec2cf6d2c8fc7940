// Package amqphooks is the logic of the RabbitMQ client hooks, shared by
// otelgo.dev/rules/amqp091 (github.com/rabbitmq/amqp091-go) and
// otelgo.dev/rules/amqp091/streadwayamqp (github.com/streadway/amqp, the
// library amqp091-go was forked from). Two import paths are two sets of
// types, and each hook module requires the lowest version of its own: the
// hook packages keep the hooks, whose signatures name the library's types,
// and the few lines that read a publishing or a delivery into the plain
// values here; connections and channels are keys (any), headers tables
// plain maps. What the hooks trace is told in the package comment of
// otelgo.dev/rules/amqp091.
package amqphooks

import (
	"context"
	"strings"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	semconv "otelgo.dev/rules/internal/semconv"

	"otelgo.dev/rules/internal/msgconv"
)

// Hooks is the state of the hooks of one import path.
type Hooks struct {
	scope       string
	servers     sync.Map // *Connection or *Channel -> Server
	connections sync.Map // *Channel -> *Connection
	forwarded   sync.Map // the delivery channels Feed feeds, while it does -> struct{}
	processing  sync.Map // tag -> *msgconv.Span: the deliveries taken and not settled
}

// New returns the hooks' state for the instrumentation scope scope.
func New(scope string) *Hooks { return &Hooks{scope: scope} }

// Server is the server of a connection.
type Server struct {
	Address string
	Port    int
}

// Dialed keeps the server of the connection conn (data is the Server the
// OnEnter hook gave the call).
func (h *Hooks) Dialed(data, conn any) {
	if s, ok := data.(Server); ok {
		h.servers.Store(conn, s)
	}
}

// Opened keeps the connection of the channel ch and gives it the
// connection's server.
func (h *Hooks) Opened(conn, ch any) {
	h.connections.Store(ch, conn)
	if s, ok := h.servers.Load(conn); ok {
		h.servers.Store(ch, s)
	}
}

// ConnectionClosed ends the processing of the deliveries of the channels
// of conn (a consumer with automatic acknowledgement settles none) and
// forgets conn.
func (h *Hooks) ConnectionClosed(conn any) {
	h.endWhere(func(ch any) bool {
		c, _ := h.connections.Load(ch)
		return c == conn
	})
	h.servers.Delete(conn)
}

// ChannelClosed ends the processing of the deliveries of ch and forgets it.
func (h *Hooks) ChannelClosed(ch any) {
	h.endWhere(func(c any) bool { return c == ch })
	h.servers.Delete(ch)
	h.connections.Delete(ch)
}

// endWhere ends the process spans of the deliveries whose channel match
// accepts.
func (h *Hooks) endWhere(match func(ch any) bool) {
	defer msgconv.Recover(h.scope + " close")
	h.processing.Range(func(k, _ any) bool {
		if t := k.(tag); match(t.ack) {
			h.endProcess(&t)
		}
		return true
	})
}

func (h *Hooks) serverOf(ch any) Server {
	if s, ok := h.servers.Load(ch); ok {
		return s.(Server)
	}
	return Server{}
}

// --- producer

// Publishing is a message to publish, as the hooks read it.
type Publishing struct {
	Exchange, Key            string
	MessageID, CorrelationID string
	Headers                  map[string]any
}

// StartPublish starts the PRODUCER span of a publish on the channel ch
// under the span of ctx, else the goroutine's current span, and returns it
// with a copy of the message's headers that holds its context; it returns
// nil when the message carries a trace context already: the program's, or
// that of the publish this one is called by (the publishing functions call
// one another).
func (h *Hooks) StartPublish(ctx context.Context, ch any, p Publishing) (*msgconv.Span, map[string]any) {
	if msgconv.Carries(Table(p.Headers)) {
		return nil, nil
	}
	srv := h.serverOf(ch)
	op := msgconv.Operation{
		System:        msgconv.RabbitMQ,
		Type:          msgconv.Send,
		Name:          "publish",
		Destination:   Destination(p.Exchange, p.Key, ""),
		ServerAddress: srv.Address,
		ServerPort:    srv.Port,
		Count:         1,
		Attrs:         messageAttrs(p.Key, p.MessageID, p.CorrelationID),
	}
	ctx, span := msgconv.StartSend(ctx, h.scope, op)
	headers := make(map[string]any, len(p.Headers)+2)
	for k, v := range p.Headers {
		headers[k] = v
	}
	msgconv.Inject(ctx, Table(headers))
	return span, headers
}

// EndPublish ends the span of a publish (data is what StartPublish gave the
// call).
func EndPublish(data any, err error) {
	if span, ok := data.(*msgconv.Span); ok {
		span.End(err)
	}
}

// Destination joins exchange, routing key and queue as the RabbitMQ
// conventions ask: the non-empty ones, the queue left out when it is the
// routing key; "amq.default" when there is none.
func Destination(exchange, key, queue string) string {
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
	return strings.Join(parts, ":")
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

// Consumer is a Consume call: its channel and queue.
type Consumer struct {
	Channel any
	Queue   string
}

// Delivery is a delivery, as the hooks read it.
type Delivery struct {
	Exchange, RoutingKey     string
	MessageID, CorrelationID string
	DeliveryTag              uint64
	Acknowledger             any // the delivery's channel
	Headers                  map[string]any
}

// Feed returns the channel to give the program in place of the deliveries
// Consume returned (data is the *Consumer the OnEnter hook gave the call),
// or nil to leave them: when data is not one, or when in is a channel Feed
// returned already (Consume called by ConsumeWithContext, or the other way
// round). The returned channel hands the deliveries to the program one at a
// time: each delivery it takes is a CONSUMER span "process {destination}"
// (read describes the delivery), which ends when the program settles it
// (Settled), takes the next one, or closes the channel or its connection;
// the returned channel is closed with in (closed with the channel or the
// consumer).
func Feed[D any](h *Hooks, data any, in <-chan D, read func(D) Delivery) <-chan D {
	c, ok := data.(*Consumer)
	if !ok || in == nil {
		return nil
	}
	if _, ours := h.forwarded.Load(in); ours {
		return nil
	}
	out := make(chan D)
	h.forwarded.Store((<-chan D)(out), struct{}{})
	go forward(h, c, in, out, read)
	return out
}

func forward[D any](h *Hooks, c *Consumer, in <-chan D, out chan D, read func(D) Delivery) {
	var last *tag
	defer func() { h.endProcess(last) }()
	defer h.forwarded.Delete((<-chan D)(out))
	defer close(out)
	for d := range in {
		out <- d
		h.endProcess(last)
		last = startProcess(h, c, read, d)
	}
}

// tag identifies a delivery: its channel's acknowledger and delivery tag.
type tag struct {
	ack any
	n   uint64
}

func startProcess[D any](h *Hooks, c *Consumer, read func(D) Delivery, delivery D) (t *tag) {
	defer msgconv.Recover(h.scope + " process start")
	d := read(delivery)
	srv := h.serverOf(c.Channel)
	op := msgconv.Operation{
		System:        msgconv.RabbitMQ,
		Type:          msgconv.Process,
		Name:          "process",
		Destination:   Destination(d.Exchange, d.RoutingKey, c.Queue),
		ServerAddress: srv.Address,
		ServerPort:    srv.Port,
		Count:         1,
		Attrs: append(messageAttrs(d.RoutingKey, d.MessageID, d.CorrelationID),
			semconv.MessagingRabbitMQMessageDeliveryTag(int(d.DeliveryTag))),
	}
	_, span := msgconv.StartProcess(context.Background(), h.scope, op, msgconv.Extract(Table(d.Headers)))
	t = &tag{ack: d.Acknowledger, n: d.DeliveryTag}
	h.processing.Store(*t, span)
	return t
}

func (h *Hooks) endProcess(t *tag) {
	defer msgconv.Recover(h.scope + " process end")
	if t == nil {
		return
	}
	if span, ok := h.processing.LoadAndDelete(*t); ok {
		span.(*msgconv.Span).End(nil)
	}
}

// Settled ends the process spans of the deliveries a settlement (Ack,
// Nack, Reject) on the channel ch covers: the delivery tagged n, or every
// one up to n when multiple.
func (h *Hooks) Settled(ch any, n uint64, multiple bool) {
	defer msgconv.Recover(h.scope + " settle")
	if !multiple {
		h.endProcess(&tag{ack: ch, n: n})
		return
	}
	h.processing.Range(func(k, _ any) bool {
		if t := k.(tag); t.ack == ch && t.n <= n {
			h.endProcess(&t)
		}
		return true
	})
}

// Table is the TextMapCarrier of a headers table (string values).
type Table map[string]any

func (c Table) Get(key string) string {
	switch v := c[key].(type) {
	case string:
		return v
	case []byte:
		return string(v)
	}
	return ""
}

func (c Table) Set(key, value string) { c[key] = value }

func (c Table) Keys() []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	return keys
}
