// Package shopifysarama traces github.com/Shopify/sarama, the name of
// sarama's module before v1.40.0 (github.com/IBM/sarama since), with the
// hooks of otelgo.dev/rules/sarama: the same hooks, reading Shopify's types
// into the plain values of otelgo.dev/rules/internal/saramahooks, which
// holds the logic of both (see the package comment of
// otelgo.dev/rules/sarama for what is traced and how). Shopify's
// sarama has no SendMessageContext: its rules hook SendMessage and
// SendMessages.
package shopifysarama

import (
	"context"

	"github.com/Shopify/sarama"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/saramahooks"
)

// ScopeName is the instrumentation scope of the spans and metrics made here.
const ScopeName = "otelgo.dev/rules/sarama/shopifysarama"

var hooks = saramahooks.New(ScopeName)

// --- producer

// NewSyncProducerOnEnter is the OnEnter hook of
//
//	func NewSyncProducer(addrs []string, config *Config) (SyncProducer, error)
func NewSyncProducerOnEnter(call api.CallContext, addrs []string, config *sarama.Config) {
	if len(addrs) > 0 {
		call.SetData(saramahooks.NewGroup("", addrs))
	}
}

// NewSyncProducerOnExit keeps the address of the producer made.
func NewSyncProducerOnExit(call api.CallContext, sp sarama.SyncProducer, err error) {
	hooks.ProducerMade(call.Data(), sp, err)
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
	saramahooks.EndSend(call.Data(), partition, offset, true, err)
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
	saramahooks.EndSend(call.Data(), 0, 0, false, err)
}

func startSend(call api.CallContext, sp any, ctx context.Context, msgs []*sarama.ProducerMessage, batch bool) {
	out := make([]saramahooks.Outgoing, len(msgs))
	for i, m := range msgs {
		if m == nil {
			return
		}
		out[i] = saramahooks.Outgoing{Topic: m.Topic, Key: m.Key, Tombstone: m.Value == nil,
			Headers: saramahooks.ProducerHeaders[sarama.RecordHeader]{Headers: &m.Headers}}
	}
	if span := hooks.StartSend(ctx, sp, out, batch); span != nil {
		call.SetData(span)
	}
}

// --- consumer groups

// NewConsumerGroupOnEnter is the OnEnter hook of
//
//	func NewConsumerGroup(addrs []string, groupID string, config *Config) (ConsumerGroup, error)
func NewConsumerGroupOnEnter(call api.CallContext, addrs []string, groupID string, config *sarama.Config) {
	call.SetData(saramahooks.NewGroup(groupID, addrs))
}

// NewConsumerGroupFromClientOnEnter is the OnEnter hook of
//
//	func NewConsumerGroupFromClient(groupID string, client Client) (ConsumerGroup, error)
func NewConsumerGroupFromClientOnEnter(call api.CallContext, groupID string, client sarama.Client) {
	call.SetData(saramahooks.NewGroup(groupID, nil))
}

// NewConsumerGroupOnExit keeps what is known of the group made.
func NewConsumerGroupOnExit(call api.CallContext, cg sarama.ConsumerGroup, err error) {
	hooks.GroupMade(call.Data(), cg, err)
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
	call.SetParam(2, &groupHandler{ConsumerGroupHandler: handler, group: hooks.GroupOf(cg)})
}

// MarkMessageOnEnter is the OnEnter hook of
//
//	func (s *consumerGroupSession) MarkMessage(msg *ConsumerMessage, metadata string)
//
// It ends the processing of msg.
func MarkMessageOnEnter(call api.CallContext, s any, msg *sarama.ConsumerMessage, metadata string) {
	saramahooks.EndProcess(hooks, msg)
}

// groupHandler is the program's handler, with each claim's messages fed
// through saramahooks.Feed.
type groupHandler struct {
	sarama.ConsumerGroupHandler
	group *saramahooks.Group
}

func (h *groupHandler) ConsumeClaim(sess sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	messages, stop := saramahooks.Feed(hooks, h.group, claim.Messages(), incoming)
	defer stop()
	return h.ConsumerGroupHandler.ConsumeClaim(sess, &claimView{ConsumerGroupClaim: claim, messages: messages})
}

func incoming(m *sarama.ConsumerMessage) saramahooks.Incoming {
	return saramahooks.Incoming{Topic: m.Topic, Partition: m.Partition, Offset: m.Offset, Key: m.Key, Tombstone: m.Value == nil,
		Headers: saramahooks.ConsumerHeaders[sarama.RecordHeader](m.Headers)}
}

// claimView is a claim whose Messages() come through saramahooks.Feed.
type claimView struct {
	sarama.ConsumerGroupClaim
	messages <-chan *sarama.ConsumerMessage
}

func (c *claimView) Messages() <-chan *sarama.ConsumerMessage { return c.messages }
