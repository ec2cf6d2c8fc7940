// Package saramahooks is the logic of the sarama hooks, shared by
// otelgo.dev/rules/sarama (github.com/IBM/sarama) and
// otelgo.dev/rules/sarama/shopifysarama (github.com/Shopify/sarama, the
// same library under its name before v1.40.0). Two import paths are two
// sets of types, and each hook module requires the lowest version of its
// own: the hook packages keep the hooks, whose signatures name sarama's
// types, and the few lines that read a sarama message into the plain
// values here (Outgoing, Incoming); everything else is written once, here.
// What the hooks trace is told in the package comment of
// otelgo.dev/rules/sarama.
package saramahooks

import (
	"context"
	"strconv"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	semconv "otelgo.dev/rules/internal/semconv"

	"otelgo.dev/rules/internal/msgconv"
)

// Hooks is the state of the hooks of one import path.
type Hooks struct {
	scope      string
	producers  sync.Map // the SyncProducer -> *Group (its address only)
	groups     sync.Map // the ConsumerGroup -> *Group
	processing sync.Map // consumed message (*ConsumerMessage) -> *msgconv.Span
}

// New returns the hooks' state for the instrumentation scope scope.
func New(scope string) *Hooks { return &Hooks{scope: scope} }

// Group is what the hooks know of a consumer group, or of the brokers of a
// producer (its address only).
type Group struct {
	ID     string
	Server string
	Port   int
}

// NewGroup is the group id with the address of the first of addrs.
func NewGroup(id string, addrs []string) *Group {
	g := &Group{ID: id}
	if len(addrs) > 0 {
		g.Server, g.Port = msgconv.HostPort(addrs[0])
	}
	return g
}

// ProducerMade keeps the address of a SyncProducer made (data is the
// *Group the OnEnter hook gave the call).
func (h *Hooks) ProducerMade(data, producer any, err error) {
	if g, ok := data.(*Group); ok && producer != nil && err == nil {
		h.producers.Store(producer, g)
	}
}

// GroupMade keeps what is known of a ConsumerGroup made (data is the
// *Group the OnEnter hook gave the call).
func (h *Hooks) GroupMade(data, cg any, err error) {
	if g, ok := data.(*Group); ok && cg != nil && err == nil {
		h.groups.Store(cg, g)
	}
}

// GroupOf is what is known of the ConsumerGroup cg (empty if nothing).
func (h *Hooks) GroupOf(cg any) *Group {
	if v, ok := h.groups.Load(cg); ok {
		return v.(*Group)
	}
	return &Group{}
}

// --- producer

// Encoder is the part of sarama.Encoder that the hooks use.
type Encoder interface{ Encode() ([]byte, error) }

// Outgoing is a message to send, as the hooks read it.
type Outgoing struct {
	Topic     string
	Key       Encoder // nil for none
	Tombstone bool    // no value
	Headers   propagation.TextMapCarrier
}

// StartSend starts the PRODUCER span of a send of msgs (batch: a
// SendMessages) by producer under the span of ctx, else the goroutine's
// current span, and injects its context into the messages' headers. It
// returns nil, and leaves the messages alone, when there are none or one
// of them carries a trace context already.
func (h *Hooks) StartSend(ctx context.Context, producer any, msgs []Outgoing, batch bool) *msgconv.Span {
	if len(msgs) == 0 {
		return nil
	}
	topic := msgs[0].Topic
	for _, m := range msgs {
		if msgconv.Carries(m.Headers) {
			return nil
		}
		if m.Topic != topic {
			topic = ""
		}
	}
	op := msgconv.Operation{
		System:      msgconv.Kafka,
		Type:        msgconv.Send,
		Name:        "send",
		Destination: topic,
		Count:       len(msgs),
	}
	if g, ok := h.producers.Load(producer); ok {
		op.ServerAddress, op.ServerPort = g.(*Group).Server, g.(*Group).Port
	}
	if batch {
		op.Batch = len(msgs)
	} else {
		op.Attrs = keyAttrs(msgs[0].Key, msgs[0].Tombstone)
	}
	ctx, span := msgconv.StartSend(ctx, h.scope, op)
	for _, m := range msgs {
		msgconv.Inject(ctx, m.Headers)
	}
	return span
}

func keyAttrs(key Encoder, tombstone bool) []attribute.KeyValue {
	var attrs []attribute.KeyValue
	if key != nil {
		if b, err := key.Encode(); err == nil && b != nil {
			attrs = append(attrs, semconv.MessagingKafkaMessageKey(string(b)))
		}
	}
	if tombstone {
		attrs = append(attrs, semconv.MessagingKafkaMessageTombstone(true))
	}
	return attrs
}

// EndSend ends the span of a send (data is what StartSend gave the call),
// with the partition and offset the broker gave a single message (known
// is false for a batch).
func EndSend(data any, partition int32, offset int64, known bool, err error) {
	if span, ok := data.(*msgconv.Span); ok {
		if known && err == nil {
			span.SetPartition(partition)
			span.SetAttributes(semconv.MessagingKafkaOffset(int(offset)))
		}
		span.End(err)
	}
}

// --- headers

// Header is sarama's RecordHeader: the same struct under both import paths.
type Header interface {
	~struct {
		Key   []byte
		Value []byte
	}
}

type header = struct {
	Key   []byte
	Value []byte
}

// ProducerHeaders is the TextMapCarrier of a message to send: its Headers
// field (Set replaces a header of the same key).
type ProducerHeaders[H Header] struct{ Headers *[]H }

func (c ProducerHeaders[H]) Get(key string) string {
	for _, h := range *c.Headers {
		if r := header(h); string(r.Key) == key {
			return string(r.Value)
		}
	}
	return ""
}

func (c ProducerHeaders[H]) Set(key, value string) {
	headers := make([]H, 0, len(*c.Headers)+1)
	for _, h := range *c.Headers {
		if string(header(h).Key) != key {
			headers = append(headers, h)
		}
	}
	*c.Headers = append(headers, H(header{Key: []byte(key), Value: []byte(value)}))
}

func (c ProducerHeaders[H]) Keys() []string {
	keys := make([]string, len(*c.Headers))
	for i, h := range *c.Headers {
		keys[i] = string(header(h).Key)
	}
	return keys
}

// ConsumerHeaders is the TextMapCarrier of a consumed message's Headers
// (read only).
type ConsumerHeaders[H Header] []*H

func (c ConsumerHeaders[H]) Get(key string) string {
	for _, h := range c {
		if h != nil {
			if r := header(*h); string(r.Key) == key {
				return string(r.Value)
			}
		}
	}
	return ""
}

func (c ConsumerHeaders[H]) Set(string, string) {}

func (c ConsumerHeaders[H]) Keys() []string {
	keys := make([]string, 0, len(c))
	for _, h := range c {
		if h != nil {
			keys = append(keys, string(header(*h).Key))
		}
	}
	return keys
}

// --- consumer

// Incoming is a consumed message, as the hooks read it.
type Incoming struct {
	Topic     string
	Partition int32
	Offset    int64
	Key       []byte
	Tombstone bool // no value
	Headers   propagation.TextMapCarrier
}

// Feed feeds a claim's messages in through a channel it returns, which
// hands them to the program one at a time: each message the program takes
// is a CONSUMER span "process {topic}" of group g (read describes the
// message), which ends when the program marks it (EndProcess), takes the
// next one, or stop is called (when the program's ConsumeClaim returns).
func Feed[M comparable](h *Hooks, g *Group, in <-chan M, read func(M) Incoming) (out <-chan M, stop func()) {
	ch := make(chan M)
	done, finished := make(chan struct{}), make(chan struct{})
	go forward(h, g, in, ch, done, finished, read)
	return ch, func() {
		close(done)
		<-finished
	}
}

// forward hands the claim's messages to the program one at a time,
// starting the process span of each when the program takes it.
func forward[M comparable](h *Hooks, g *Group, in <-chan M, out chan<- M, done <-chan struct{}, finished chan<- struct{}, read func(M) Incoming) {
	defer close(finished)
	var last M
	defer func() { EndProcess(h, last) }()
	for {
		var msg M
		select {
		case m, ok := <-in:
			if !ok {
				close(out)
				return
			}
			msg = m
		case <-done:
			return
		}
		select {
		case out <- msg:
			EndProcess(h, last)
			last = msg
			startProcess(h, g, msg, read)
		case <-done:
			return
		}
	}
}

func startProcess[M comparable](h *Hooks, g *Group, msg M, read func(M) Incoming) {
	defer msgconv.Recover(h.scope + " process start")
	var none M
	if msg == none {
		return
	}
	m := read(msg)
	op := msgconv.Operation{
		System:        msgconv.Kafka,
		Type:          msgconv.Process,
		Name:          "process",
		Destination:   m.Topic,
		Partition:     strconv.Itoa(int(m.Partition)),
		ConsumerGroup: g.ID,
		ServerAddress: g.Server,
		ServerPort:    g.Port,
		Count:         1,
		Attrs:         []attribute.KeyValue{semconv.MessagingKafkaOffset(int(m.Offset))},
	}
	if m.Key != nil {
		op.Attrs = append(op.Attrs, semconv.MessagingKafkaMessageKey(string(m.Key)))
	}
	if m.Tombstone {
		op.Attrs = append(op.Attrs, semconv.MessagingKafkaMessageTombstone(true))
	}
	creation := msgconv.Extract(m.Headers)
	_, span := msgconv.StartProcess(context.Background(), h.scope, op, creation)
	h.processing.Store(msg, span)
}

// EndProcess ends the processing of msg (a *ConsumerMessage), if it has
// begun and not ended yet.
func EndProcess[M comparable](h *Hooks, msg M) {
	defer msgconv.Recover(h.scope + " process end")
	var none M
	if msg == none {
		return
	}
	if span, ok := h.processing.LoadAndDelete(msg); ok {
		span.(*msgconv.Span).End(nil)
	}
}
