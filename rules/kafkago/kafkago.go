// Package kafkago traces github.com/segmentio/kafka-go with the messaging
// semantic conventions for Kafka (otelgo.dev/rules/internal/msgconv). The
// rules are in kafkago.json beside this file.
//
// Producer: each Writer.WriteMessages call is a PRODUCER span "send
// {topic}" under the context's span (else the goroutine's current span),
// with messaging.batch.message_count when it writes more than one message
// and the message key of a single one; its context goes into every
// message's headers (traceparent), on copies of the messages: the
// caller's slice is left as it was. Messages that already carry a trace
// context (the program's own) are written untouched and untraced. An
// asynchronous Writer (Async: true) returns at once: its span covers the
// hand-over, not the delivery.
//
// Consumer: Reader.FetchMessage (and ReadMessage, which calls it) is
// pull-based: each message it returns gets a CLIENT span "poll {topic}"
// from the call to its return, linked to the message's creation context,
// then a CONSUMER span "process {topic}" for the program's work on the
// message, linked to the creation context and its child when nothing else
// is current (the reader's loop has no span of its own), so the
// producer's trace goes on in the consumer. The process span is current on
// the goroutine that fetched (spans the program starts while processing,
// also without a context, nest under it) and ends when that reader
// fetches again or is closed — the usual loop of one goroutine per
// Reader. A fetch that ends because its context was cancelled or the
// reader closed has no span.
package kafkago

import (
	"context"
	"errors"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	semconv "otelgo.dev/rules/internal/semconv"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/msgconv"
)

// ScopeName is the instrumentation scope of the spans and metrics made here.
const ScopeName = "otelgo.dev/rules/kafkago"

// WriteMessagesOnEnter is the OnEnter hook of
//
//	func (w *Writer) WriteMessages(ctx context.Context, msgs ...Message) error
func WriteMessagesOnEnter(call api.CallContext, w *kafka.Writer, ctx context.Context, msgs []kafka.Message) {
	if w == nil || len(msgs) == 0 {
		return
	}
	for i := range msgs {
		if msgconv.Carries(&carrier{headers: &msgs[i].Headers}) {
			return
		}
	}
	op := msgconv.Operation{
		System:      msgconv.Kafka,
		Type:        msgconv.Send,
		Name:        "send",
		Destination: topicOf(w, msgs),
		Count:       len(msgs),
	}
	if len(msgs) > 1 {
		op.Batch = len(msgs)
	} else {
		op.Attrs = messageAttrs(msgs[0].Key, msgs[0].Value)
	}
	if w.Addr != nil {
		op.ServerAddress, op.ServerPort = msgconv.HostPort(w.Addr.String())
	}
	ctx, span := msgconv.StartSend(ctx, ScopeName, op)
	call.SetData(span)
	traced := make([]kafka.Message, len(msgs))
	for i, m := range msgs {
		msgconv.Inject(ctx, &carrier{headers: &m.Headers})
		traced[i] = m
	}
	call.SetParam(1, traced)
}

// WriteMessagesOnExit ends the span of a WriteMessages.
func WriteMessagesOnExit(call api.CallContext, err error) {
	if span, ok := call.Data().(*msgconv.Span); ok {
		span.End(err)
	}
}

// topicOf is the writer's topic, or the messages' when they all have the same.
func topicOf(w *kafka.Writer, msgs []kafka.Message) string {
	if w.Topic != "" {
		return w.Topic
	}
	topic := msgs[0].Topic
	for _, m := range msgs[1:] {
		if m.Topic != topic {
			return ""
		}
	}
	return topic
}

func messageAttrs(key, value []byte) []attribute.KeyValue {
	var attrs []attribute.KeyValue
	if key != nil {
		attrs = append(attrs, semconv.MessagingKafkaMessageKey(string(key)))
	}
	if value == nil {
		attrs = append(attrs, semconv.MessagingKafkaMessageTombstone(true))
	}
	return attrs
}

// readerState is what the hooks keep per Reader.
type readerState struct {
	mu      sync.Mutex
	group   string
	server  string
	port    int
	process *msgconv.Span // the message being processed
}

var readers sync.Map // *kafka.Reader -> *readerState

func stateOf(r *kafka.Reader) *readerState {
	if s, ok := readers.Load(r); ok {
		return s.(*readerState)
	}
	cfg := r.Config()
	s := &readerState{group: cfg.GroupID}
	if len(cfg.Brokers) > 0 {
		s.server, s.port = msgconv.HostPort(cfg.Brokers[0])
	}
	actual, _ := readers.LoadOrStore(r, s)
	return actual.(*readerState)
}

// endProcess ends the process span of the message the reader returned last.
func (s *readerState) endProcess() {
	s.mu.Lock()
	span := s.process
	s.process = nil
	s.mu.Unlock()
	if span != nil {
		span.End(nil)
	}
}

type fetch struct {
	ctx   context.Context
	start time.Time
	state *readerState
}

// FetchMessageOnEnter is the OnEnter hook of
//
//	func (r *Reader) FetchMessage(ctx context.Context) (Message, error)
//
// It ends the processing of the message fetched before.
func FetchMessageOnEnter(call api.CallContext, r *kafka.Reader, ctx context.Context) {
	if r == nil {
		return
	}
	s := stateOf(r)
	s.endProcess()
	call.SetData(&fetch{ctx: ctx, start: time.Now(), state: s})
}

// FetchMessageOnExit records the poll of the message returned and starts
// its processing.
func FetchMessageOnExit(call api.CallContext, m kafka.Message, err error) {
	f, ok := call.Data().(*fetch)
	if !ok || (err != nil && (errors.Is(err, context.Canceled) || errors.Is(err, io.EOF))) {
		return
	}
	s := f.state
	op := msgconv.Operation{
		System:        msgconv.Kafka,
		Type:          msgconv.Receive,
		Name:          "poll",
		Destination:   m.Topic,
		ConsumerGroup: s.group,
		ServerAddress: s.server,
		ServerPort:    s.port,
		Count:         1,
	}
	if err != nil {
		op.Count = 0
		_, span := msgconv.StartReceiveAt(f.ctx, ScopeName, op, f.start)
		span.End(err)
		return
	}
	op.Partition = strconv.Itoa(m.Partition)
	op.Attrs = append(messageAttrs(m.Key, m.Value), semconv.MessagingKafkaOffset(int(m.Offset)))
	creation := msgconv.Extract(&carrier{headers: &m.Headers})
	var links []trace.Link
	if creation.IsValid() {
		links = append(links, msgconv.Link(creation))
	}
	_, poll := msgconv.StartReceiveAt(f.ctx, ScopeName, op, f.start, links...)
	poll.End(nil)

	op.Type, op.Name, op.Count = msgconv.Process, "process", 0
	_, process := msgconv.StartProcess(f.ctx, ScopeName, op, creation)
	s.mu.Lock()
	s.process = process
	s.mu.Unlock()
}

// CloseOnEnter is the OnEnter hook of
//
//	func (r *Reader) Close() error
//
// It ends the processing of the last message fetched.
func CloseOnEnter(call api.CallContext, r *kafka.Reader) {
	if r == nil {
		return
	}
	if s, ok := readers.LoadAndDelete(r); ok {
		s.(*readerState).endProcess()
	}
}

// carrier is a TextMapCarrier over a message's headers.
type carrier struct {
	headers *[]kafka.Header
}

func (c *carrier) Get(key string) string {
	for _, h := range *c.headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

func (c *carrier) Set(key, value string) {
	headers := make([]kafka.Header, 0, len(*c.headers)+1) // never the caller's array
	for _, h := range *c.headers {
		if h.Key != key {
			headers = append(headers, h)
		}
	}
	*c.headers = append(headers, kafka.Header{Key: key, Value: []byte(value)})
}

func (c *carrier) Keys() []string {
	keys := make([]string, len(*c.headers))
	for i, h := range *c.headers {
		keys[i] = h.Key
	}
	return keys
}
