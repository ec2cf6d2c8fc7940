// Package franzgo traces github.com/twmb/franz-go (package kgo) with the
// messaging semantic conventions for Kafka
// (otelgo.dev/rules/internal/msgconv). The rules are in franzgo.json
// beside this file.
//
// Why not franz-go's own plugin, kotel: every version of it (up to v1.7.1)
// writes the conventions of semconv v1.18.0 (messaging.operation
// "publish", messaging.source.name, messaging.kafka.*), not the current
// ones, and requires a recent franz-go, which would raise the program's.
// A client the program gave kotel's hooks itself (kgo.WithHooks) is left to
// them: no second span for one record.
//
// Producer: NewClient gets one more kgo.WithHooks, whose
// OnProduceRecordBuffered starts a PRODUCER span "send {topic}" for each
// record produced (Produce, ProduceSync, TryProduce), under the span of the
// context given to Produce (else the goroutine's current span), and puts
// its context into the record's headers and the span into the record's
// Context; OnProduceRecordUnbuffered ends it when the broker has answered,
// with the partition, the offset or the error.
//
// Consumer: PollRecords (and PollFetches, which calls it) is a CLIENT span
// "poll {topic}" when it returns records, with
// messaging.batch.message_count and a link to each record's creation
// context. Fetches.EachRecord runs its function for each record inside a
// CONSUMER span "process {topic}", linked to the record's creation context
// and its child when no span is current, so the producer's trace goes on
// in the consumer; spans the function starts, also without a context, nest
// under it. Records the program walks otherwise (Records, RecordIter,
// EachPartition) have their poll span only.
package franzgo

import (
	"context"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	semconv "otelgo.dev/rules/internal/semconv"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/msgconv"
)

// ScopeName is the instrumentation scope of the spans and metrics made here.
const ScopeName = "otelgo.dev/rules/franzgo"

// client is what the hooks know of one kgo.Client.
type client struct {
	off      atomic.Bool // the program installed kotel
	ready    atomic.Bool // filled in by NewClient's OnExit
	server   string
	port     int
	group    string
	clientID string
}

var clients sync.Map // *kgo.Client -> *client

// NewClientOnEnter is the OnEnter hook of
//
//	func NewClient(opts ...Opt) (*Client, error)
//
// It adds the hooks to a copy of the options.
func NewClientOnEnter(call api.CallContext, opts []kgo.Opt) {
	c := &client{}
	call.SetData(c)
	call.SetParam(0, append(opts[:len(opts):len(opts)], kgo.WithHooks(&hooks{c: c})))
}

// NewClientOnExit reads the client's settings, and switches the hooks off
// when kotel's are installed too.
func NewClientOnExit(call api.CallContext, cl *kgo.Client, err error) {
	c, ok := call.Data().(*client)
	if !ok || cl == nil || err != nil {
		return
	}
	if seeds, ok := cl.OptValue(kgo.SeedBrokers).([]string); ok && len(seeds) > 0 {
		c.server, c.port = msgconv.HostPort(seeds[0])
	}
	c.group, _ = cl.OptValue(kgo.ConsumerGroup).(string)
	c.clientID, _ = cl.OptValue(kgo.ClientID).(string)
	c.off.Store(hasKotel(cl.OptValue(kgo.WithHooks)))
	c.ready.Store(true)
	clients.Store(cl, c)
}

// hasKotel reports whether the client's hooks include one of kotel's.
func hasKotel(hooks any) bool {
	v := reflect.ValueOf(hooks)
	if v.Kind() != reflect.Slice {
		return false
	}
	for i := 0; i < v.Len(); i++ {
		h := v.Index(i)
		if h.Kind() == reflect.Interface {
			h = h.Elem()
		}
		t := h.Type()
		if t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if strings.HasPrefix(t.PkgPath(), "github.com/twmb/franz-go/plugin/kotel") {
			return true
		}
	}
	return false
}

func (c *client) on() bool { return c.ready.Load() && !c.off.Load() }

// hooks are the kgo hooks added to each client.
type hooks struct{ c *client }

var (
	_ kgo.HookProduceRecordBuffered   = (*hooks)(nil)
	_ kgo.HookProduceRecordUnbuffered = (*hooks)(nil)
)

type sendKey struct{}

// OnProduceRecordBuffered starts the send span of a record; it runs in the
// goroutine that called Produce.
func (h *hooks) OnProduceRecordBuffered(r *kgo.Record) {
	defer msgconv.Recover(ScopeName + " produce")
	if !h.c.on() || msgconv.Carries(&carrier{r: r}) {
		return
	}
	op := msgconv.Operation{
		System:        msgconv.Kafka,
		Type:          msgconv.Send,
		Name:          "send",
		Destination:   r.Topic,
		ClientID:      h.c.clientID,
		ServerAddress: h.c.server,
		ServerPort:    h.c.port,
		Count:         1,
		Attrs:         recordAttrs(r),
	}
	ctx, span := msgconv.StartSend(r.Context, ScopeName, op)
	// The span ends on the producer's goroutine: it is not the current span
	// of the caller's after this.
	span.Detach()
	msgconv.Inject(ctx, &carrier{r: r})
	r.Context = context.WithValue(ctx, sendKey{}, span)
}

// OnProduceRecordUnbuffered ends the send span of a record.
func (h *hooks) OnProduceRecordUnbuffered(r *kgo.Record, err error) {
	defer msgconv.Recover(ScopeName + " produced")
	if r.Context == nil {
		return
	}
	span, ok := r.Context.Value(sendKey{}).(*msgconv.Span)
	if !ok {
		return
	}
	if err == nil {
		span.SetPartition(r.Partition)
		span.SetAttributes(semconv.MessagingKafkaOffset(int(r.Offset)))
	}
	span.End(err)
}

func recordAttrs(r *kgo.Record) []attribute.KeyValue {
	var attrs []attribute.KeyValue
	if r.Key != nil {
		attrs = append(attrs, semconv.MessagingKafkaMessageKey(string(r.Key)))
	}
	if r.Value == nil {
		attrs = append(attrs, semconv.MessagingKafkaMessageTombstone(true))
	}
	return attrs
}

type poll struct {
	c     *client
	ctx   context.Context
	start time.Time
}

// PollRecordsOnEnter is the OnEnter hook of
//
//	func (cl *Client) PollRecords(ctx context.Context, maxPollRecords int) Fetches
func PollRecordsOnEnter(call api.CallContext, cl *kgo.Client, ctx context.Context, maxPollRecords int) {
	c, ok := clients.Load(cl)
	if !ok || !c.(*client).on() {
		return
	}
	call.SetData(&poll{c: c.(*client), ctx: ctx, start: time.Now()})
}

// recordInfo is what EachRecord's process spans need of a polled record;
// PollRecords puts it in the record's Context.
type recordInfo struct {
	c        *client
	creation trace.SpanContext
}

type recordKey struct{}

// PollRecordsOnExit makes the poll span of the records returned.
func PollRecordsOnExit(call api.CallContext, fetches kgo.Fetches) {
	p, ok := call.Data().(*poll)
	if !ok {
		return
	}
	var (
		links []trace.Link
		n     int
		topic string
		mixed bool
	)
	// Not fetches.EachRecord: that is hooked too.
	for _, f := range fetches {
		for _, t := range f.Topics {
			for _, part := range t.Partitions {
				for _, r := range part.Records {
					if n == 0 {
						topic = r.Topic
					} else if r.Topic != topic {
						mixed = true
					}
					n++
					info := &recordInfo{c: p.c, creation: msgconv.Extract(&carrier{r: r})}
					if info.creation.IsValid() {
						links = append(links, msgconv.Link(info.creation))
					}
					ctx := r.Context
					if ctx == nil {
						ctx = context.Background()
					}
					r.Context = context.WithValue(ctx, recordKey{}, info)
				}
			}
		}
	}
	if n == 0 {
		return
	}
	if mixed {
		topic = ""
	}
	op := msgconv.Operation{
		System:        msgconv.Kafka,
		Type:          msgconv.Receive,
		Name:          "poll",
		Destination:   topic,
		ConsumerGroup: p.c.group,
		ClientID:      p.c.clientID,
		ServerAddress: p.c.server,
		ServerPort:    p.c.port,
		Batch:         n,
		Count:         n,
	}
	_, span := msgconv.StartReceiveAt(p.ctx, ScopeName, op, p.start, links...)
	span.End(nil)
}

// EachRecordOnEnter is the OnEnter hook of
//
//	func (fs Fetches) EachRecord(fn func(*Record))
//
// It runs fn inside a process span per record.
func EachRecordOnEnter(call api.CallContext, fs kgo.Fetches, fn func(*kgo.Record)) {
	if fn == nil {
		return
	}
	call.SetParam(0, func(r *kgo.Record) {
		span := startProcess(r)
		if span != nil {
			defer endProcess(span)
		}
		fn(r)
	})
}

func startProcess(r *kgo.Record) (span *msgconv.Span) {
	defer msgconv.Recover(ScopeName + " process start")
	if r == nil || r.Context == nil {
		return nil
	}
	info, ok := r.Context.Value(recordKey{}).(*recordInfo)
	if !ok {
		return nil // not polled by an instrumented client
	}
	op := msgconv.Operation{
		System:        msgconv.Kafka,
		Type:          msgconv.Process,
		Name:          "process",
		Destination:   r.Topic,
		Partition:     strconv.Itoa(int(r.Partition)),
		ConsumerGroup: info.c.group,
		ClientID:      info.c.clientID,
		ServerAddress: info.c.server,
		ServerPort:    info.c.port,
		Attrs:         append(recordAttrs(r), semconv.MessagingKafkaOffset(int(r.Offset))),
	}
	_, span = msgconv.StartProcess(context.Background(), ScopeName, op, info.creation)
	return span
}

func endProcess(span *msgconv.Span) {
	defer msgconv.Recover(ScopeName + " process end")
	span.End(nil)
}

// carrier is a TextMapCarrier over a record's headers.
type carrier struct{ r *kgo.Record }

func (c *carrier) Get(key string) string {
	for _, h := range c.r.Headers {
		if h.Key == key {
			return string(h.Value)
		}
	}
	return ""
}

func (c *carrier) Set(key, value string) {
	for i, h := range c.r.Headers {
		if h.Key == key {
			c.r.Headers[i].Value = []byte(value)
			return
		}
	}
	c.r.Headers = append(c.r.Headers, kgo.RecordHeader{Key: key, Value: []byte(value)})
}

func (c *carrier) Keys() []string {
	keys := make([]string, len(c.r.Headers))
	for i, h := range c.r.Headers {
		keys[i] = h.Key
	}
	return keys
}
