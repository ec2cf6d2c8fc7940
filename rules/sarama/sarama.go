// Package sarama traces github.com/IBM/sarama with the messaging semantic
// conventions for Kafka (otelgo.dev/rules/internal/msgconv). The rules are
// in sarama.json beside this file; shopifysarama/ holds the same hooks for
// github.com/Shopify/sarama, the module's name before v1.40.0 (keep the two
// in step: shopifysarama/sarama.go is this file with the import changed).
//
// Why not otelsarama: go.opentelemetry.io/contrib's
// instrumentation/github.com/IBM/sarama/otelsarama (and its Shopify twin)
// was deprecated and removed from contrib; its last versions wrote
// conventions older than semconv v1.26 (messaging.operation "receive" for
// consumers, no messaging.operation.type). A message that already carries a
// trace context (the program's own, or such a wrapper's) is sent without a
// second span.
//
// Producer: SyncProducer.SendMessage and SendMessages (SendMessageContext
// and SendMessagesContext since v1.62.0, which the others call) are a
// PRODUCER span "send {topic}" under the span of the context, else of the
// span current on the goroutine (the request's SERVER span in a handler:
// SendMessage takes no context), with the partition and offset the broker
// gave; its context goes into the message's headers (a RecordHeader
// appended to msg.Headers: sarama sends headers to brokers from Kafka
// 0.11, Config.Version V0_11_0_0 and later). The AsyncProducer is not
// traced.
//
// Consumer: the handler given to ConsumerGroup.Consume is wrapped: each
// claim's Messages() channel is fed through the hooks, and each message
// the program takes from it is a CONSUMER span "process {topic}" (with the
// group, partition, offset and key), linked to the message's creation
// context and its child, so the producer's trace goes on in the consumer.
// The span starts when the program takes the message and ends when it
// marks it (session.MarkMessage), takes the next one, or returns from
// ConsumeClaim. The program's loop runs on its own goroutine, so spans it
// starts there without a context do not nest under the process span.
package sarama

import (
	"context"
	"strconv"
	"sync"

	"github.com/IBM/sarama"
	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.39.0"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/msgconv"
)

// ScopeName is the instrumentation scope of the spans and metrics made here.
const ScopeName = "otelgo.dev/rules/sarama"

// --- producer

// producers maps each SyncProducer made by NewSyncProducer to the address
// of its first broker.
var producers sync.Map // the SyncProducer -> *group (its address only)

// NewSyncProducerOnEnter is the OnEnter hook of
//
//	func NewSyncProducer(addrs []string, config *Config) (SyncProducer, error)
func NewSyncProducerOnEnter(call api.CallContext, addrs []string, config *sarama.Config) {
	if len(addrs) > 0 {
		g := &group{}
		g.server, g.port = msgconv.HostPort(addrs[0])
		call.SetData(g)
	}
}

// NewSyncProducerOnExit keeps the address of the producer made.
func NewSyncProducerOnExit(call api.CallContext, sp sarama.SyncProducer, err error) {
	if g, ok := call.Data().(*group); ok && sp != nil && err == nil {
		producers.Store(sp, g)
	}
}

// SendMessageOnEnter is the OnEnter hook of
//
//	func (sp *syncProducer) SendMessage(msg *ProducerMessage) (partition int32, offset int64, err error)
//
// before v1.62.0.
func SendMessageOnEnter(call api.CallContext, sp any, msg *sarama.ProducerMessage) {
	startSend(call, sp, context.Background(), []*sarama.ProducerMessage{msg}, false)
}

// SendMessageContextOnEnter is the OnEnter hook of
//
//	func (sp *syncProducer) SendMessageContext(ctx context.Context, msg *ProducerMessage) (partition int32, offset int64, err error)
func SendMessageContextOnEnter(call api.CallContext, sp any, ctx context.Context, msg *sarama.ProducerMessage) {
	startSend(call, sp, ctx, []*sarama.ProducerMessage{msg}, false)
}

// SendMessageOnExit ends the span of a SendMessage.
func SendMessageOnExit(call api.CallContext, partition int32, offset int64, err error) {
	if span, ok := call.Data().(*msgconv.Span); ok {
		if err == nil {
			span.SetPartition(partition)
			span.SetAttributes(semconv.MessagingKafkaOffset(int(offset)))
		}
		span.End(err)
	}
}

// SendMessagesOnEnter is the OnEnter hook of
//
//	func (sp *syncProducer) SendMessages(msgs []*ProducerMessage) error
//
// before v1.62.0.
func SendMessagesOnEnter(call api.CallContext, sp any, msgs []*sarama.ProducerMessage) {
	startSend(call, sp, context.Background(), msgs, true)
}

// SendMessagesContextOnEnter is the OnEnter hook of
//
//	func (sp *syncProducer) SendMessagesContext(ctx context.Context, msgs []*ProducerMessage) error
func SendMessagesContextOnEnter(call api.CallContext, sp any, ctx context.Context, msgs []*sarama.ProducerMessage) {
	startSend(call, sp, ctx, msgs, true)
}

// SendMessagesOnExit ends the span of a SendMessages.
func SendMessagesOnExit(call api.CallContext, err error) {
	if span, ok := call.Data().(*msgconv.Span); ok {
		span.End(err)
	}
}

func startSend(call api.CallContext, sp any, ctx context.Context, msgs []*sarama.ProducerMessage, batch bool) {
	if len(msgs) == 0 {
		return
	}
	topic := msgs[0].Topic
	for _, m := range msgs {
		if m == nil || msgconv.Carries(&producerCarrier{m}) {
			return
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
	if g, ok := producers.Load(sp); ok {
		op.ServerAddress, op.ServerPort = g.(*group).server, g.(*group).port
	}
	if batch {
		op.Batch = len(msgs)
	} else {
		op.Attrs = keyAttrs(msgs[0].Key, msgs[0].Value == nil)
	}
	ctx, span := msgconv.StartSend(ctx, ScopeName, op)
	for _, m := range msgs {
		msgconv.Inject(ctx, &producerCarrier{m})
	}
	call.SetData(span)
}

func keyAttrs(key sarama.Encoder, tombstone bool) []attribute.KeyValue {
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

// producerCarrier is a TextMapCarrier over a message to send.
type producerCarrier struct{ m *sarama.ProducerMessage }

func (c *producerCarrier) Get(key string) string {
	for _, h := range c.m.Headers {
		if string(h.Key) == key {
			return string(h.Value)
		}
	}
	return ""
}

func (c *producerCarrier) Set(key, value string) {
	headers := make([]sarama.RecordHeader, 0, len(c.m.Headers)+1)
	for _, h := range c.m.Headers {
		if string(h.Key) != key {
			headers = append(headers, h)
		}
	}
	c.m.Headers = append(headers, sarama.RecordHeader{Key: []byte(key), Value: []byte(value)})
}

func (c *producerCarrier) Keys() []string {
	keys := make([]string, len(c.m.Headers))
	for i, h := range c.m.Headers {
		keys[i] = string(h.Key)
	}
	return keys
}

// --- consumer groups

// group is what the hooks know of a consumer group.
type group struct {
	id     string
	server string
	port   int
}

var groups sync.Map // the ConsumerGroup -> *group

// NewConsumerGroupOnEnter is the OnEnter hook of
//
//	func NewConsumerGroup(addrs []string, groupID string, config *Config) (ConsumerGroup, error)
func NewConsumerGroupOnEnter(call api.CallContext, addrs []string, groupID string, config *sarama.Config) {
	g := &group{id: groupID}
	if len(addrs) > 0 {
		g.server, g.port = msgconv.HostPort(addrs[0])
	}
	call.SetData(g)
}

// NewConsumerGroupFromClientOnEnter is the OnEnter hook of
//
//	func NewConsumerGroupFromClient(groupID string, client Client) (ConsumerGroup, error)
func NewConsumerGroupFromClientOnEnter(call api.CallContext, groupID string, client sarama.Client) {
	call.SetData(&group{id: groupID})
}

// NewConsumerGroupOnExit keeps what is known of the group made.
func NewConsumerGroupOnExit(call api.CallContext, cg sarama.ConsumerGroup, err error) {
	if g, ok := call.Data().(*group); ok && cg != nil && err == nil {
		groups.Store(cg, g)
	}
}

// ConsumeOnEnter is the OnEnter hook of
//
//	func (c *consumerGroup) Consume(ctx context.Context, topics []string, handler ConsumerGroupHandler) error
//
// It wraps the handler.
func ConsumeOnEnter(call api.CallContext, cg any, ctx context.Context, topics []string, handler sarama.ConsumerGroupHandler) {
	if handler == nil {
		return
	}
	if _, done := handler.(*groupHandler); done {
		return
	}
	g := &group{}
	if v, ok := groups.Load(cg); ok {
		g = v.(*group)
	}
	call.SetParam(2, &groupHandler{ConsumerGroupHandler: handler, group: g})
}

// MarkMessageOnEnter is the OnEnter hook of
//
//	func (s *consumerGroupSession) MarkMessage(msg *ConsumerMessage, metadata string)
//
// It ends the processing of msg.
func MarkMessageOnEnter(call api.CallContext, s any, msg *sarama.ConsumerMessage, metadata string) {
	endProcess(msg)
}

// processing holds the process span of each message the program has taken
// and not yet marked.
var processing sync.Map // *sarama.ConsumerMessage -> *msgconv.Span

func endProcess(msg *sarama.ConsumerMessage) {
	defer msgconv.Recover(ScopeName + " process end")
	if msg == nil {
		return
	}
	if span, ok := processing.LoadAndDelete(msg); ok {
		span.(*msgconv.Span).End(nil)
	}
}

// groupHandler is the program's handler, with each claim's messages fed
// through forward.
type groupHandler struct {
	sarama.ConsumerGroupHandler
	group *group
}

func (h *groupHandler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	out := make(chan *sarama.ConsumerMessage)
	done, finished := make(chan struct{}), make(chan struct{})
	go h.forward(claim.Messages(), out, done, finished)
	defer func() {
		close(done)
		<-finished
	}()
	return h.ConsumerGroupHandler.ConsumeClaim(sess, &claimView{ConsumerGroupClaim: claim, messages: out})
}

// forward hands the claim's messages to the program one at a time,
// starting the process span of each when the program takes it.
func (h *groupHandler) forward(in <-chan *sarama.ConsumerMessage, out chan<- *sarama.ConsumerMessage, done <-chan struct{}, finished chan<- struct{}) {
	defer close(finished)
	var last *sarama.ConsumerMessage
	defer func() { endProcess(last) }()
	for {
		var msg *sarama.ConsumerMessage
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
			endProcess(last)
			last = msg
			h.startProcess(msg)
		case <-done:
			return
		}
	}
}

func (h *groupHandler) startProcess(msg *sarama.ConsumerMessage) {
	defer msgconv.Recover(ScopeName + " process start")
	if msg == nil {
		return
	}
	op := msgconv.Operation{
		System:        msgconv.Kafka,
		Type:          msgconv.Process,
		Name:          "process",
		Destination:   msg.Topic,
		Partition:     strconv.Itoa(int(msg.Partition)),
		ConsumerGroup: h.group.id,
		ServerAddress: h.group.server,
		ServerPort:    h.group.port,
		Count:         1,
		Attrs:         []attribute.KeyValue{semconv.MessagingKafkaOffset(int(msg.Offset))},
	}
	if msg.Key != nil {
		op.Attrs = append(op.Attrs, semconv.MessagingKafkaMessageKey(string(msg.Key)))
	}
	if msg.Value == nil {
		op.Attrs = append(op.Attrs, semconv.MessagingKafkaMessageTombstone(true))
	}
	creation := msgconv.Extract(&consumerCarrier{msg})
	_, span := msgconv.StartProcess(context.Background(), ScopeName, op, creation)
	processing.Store(msg, span)
}

// claimView is a claim whose Messages() come through forward.
type claimView struct {
	sarama.ConsumerGroupClaim
	messages <-chan *sarama.ConsumerMessage
}

func (c *claimView) Messages() <-chan *sarama.ConsumerMessage { return c.messages }

// consumerCarrier is a TextMapCarrier over a consumed message (read only).
type consumerCarrier struct{ m *sarama.ConsumerMessage }

func (c *consumerCarrier) Get(key string) string {
	for _, h := range c.m.Headers {
		if h != nil && string(h.Key) == key {
			return string(h.Value)
		}
	}
	return ""
}

func (c *consumerCarrier) Set(string, string) {}

func (c *consumerCarrier) Keys() []string {
	keys := make([]string, 0, len(c.m.Headers))
	for _, h := range c.m.Headers {
		if h != nil {
			keys = append(keys, string(h.Key))
		}
	}
	return keys
}
