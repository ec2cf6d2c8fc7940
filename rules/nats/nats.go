// Package nats traces github.com/nats-io/nats.go with the messaging
// semantic conventions (otelgo.dev/rules/internal/msgconv), messaging.system
// "nats". The rules are in nats.json beside this file.
//
// Producer: every message the connection publishes goes through the
// unexported (*Conn).publish — Publish, PublishMsg, PublishRequest,
// Request*, Msg.Respond and the JetStream publishes of both the legacy
// JetStreamContext and package jetstream — and gets a PRODUCER span
// "publish {subject}" whose context is injected into the message's NATS
// headers (traceparent, tracestate), when the server supports headers. No
// publish takes a context (JetStream's Publish(ctx, ...) hands none down):
// the span's parent is the span current on the goroutine, the request's
// SERVER span in a handler. A reply to an inbox ("_INBOX." or the
// connection's inbox prefix) is a temporary destination: the span is named
// "publish" and has messaging.destination.temporary. The subjects of the
// JetStream and system APIs ("$JS.", "$SYS.": stream and consumer
// management, acks, pull requests) are not traced, nor is a message whose
// headers already carry a trace context the program put there.
//
// Consumer: the handler given to Subscribe, QueueSubscribe and the
// JetStream subscriptions (js.Subscribe, js.QueueSubscribe; package
// jetstream's Consume, which subscribes with nc.Subscribe; not jetstream's
// Fetch and Next, whose handlers only fill a channel) runs inside a
// CONSUMER span "process {subject}", linked to the message's creation
// context and its child (the handler runs on a goroutine of its own, with
// no span), so one trace goes from the publisher's request to the
// subscriber's work; spans the handler starts, also without a context,
// nest under it (the legacy JetStream subscriptions' spans have no
// server.address: the hook does not see their connection). A queue subscription's queue is
// messaging.consumer.group.name; a JetStream message has its stream
// sequence as messaging.message.id and its consumer's name as
// messaging.client.id. JetStream's status messages (heartbeats, flow
// control) get no span. Synchronous and channel subscriptions
// (SubscribeSync, ChanSubscribe, NextMsg, jetstream Fetch and Messages)
// are not traced.
package nats

import (
	"context"
	"net"
	"runtime"
	"strconv"
	"strings"

	"github.com/nats-io/nats.go"
	semconv "otelgo.dev/rules/internal/semconv"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/msgconv"
)

// ScopeName is the instrumentation scope of the spans and metrics made here.
const ScopeName = "otelgo.dev/rules/nats"

// PublishOnEnter is the OnEnter hook of
//
//	func (nc *Conn) publish(subj, reply string, hdr, data []byte) error
//
// of nats.go before v1.48.0.
func PublishOnEnter(call api.CallContext, nc *nats.Conn, subj, reply string, hdr, data []byte) {
	publish(call, nc, subj, hdr, 2)
}

// PublishValidateOnEnter is the OnEnter hook of
//
//	func (nc *Conn) publish(subj, reply string, validateReply bool, hdr, data []byte) error
//
// of nats.go v1.48.0 and later.
func PublishValidateOnEnter(call api.CallContext, nc *nats.Conn, subj, reply string, validateReply bool, hdr, data []byte) {
	publish(call, nc, subj, hdr, 3)
}

// PublishOnExit ends the span of a publish.
func PublishOnExit(call api.CallContext, err error) {
	if span, ok := call.Data().(*msgconv.Span); ok {
		span.End(err)
	}
}

func publish(call api.CallContext, nc *nats.Conn, subj string, hdr []byte, hdrParam int) {
	if nc == nil || internalSubject(subj) {
		return
	}
	headers := headerCarrier{}
	if len(hdr) > 0 {
		if h, err := nats.DecodeHeadersMsg(hdr); err == nil {
			headers.existing = h
			if msgconv.Carries(&headerCarrier{existing: h}) {
				return // the program's own creation context
			}
		}
	}
	op := msgconv.Operation{
		System:      msgconv.NATS,
		Type:        msgconv.Send,
		Name:        "publish",
		Destination: subj,
		Temporary:   isInbox(nc, subj),
		Count:       1,
	}
	op.ServerAddress, op.ServerPort = server(nc)
	ctx, span := msgconv.StartSend(context.Background(), ScopeName, op)
	call.SetData(span)
	if !nc.HeadersSupported() {
		return
	}
	msgconv.Inject(ctx, &headers)
	if len(headers.added) > 0 {
		call.SetParam(hdrParam, headers.append(hdr))
	}
}

// internalSubject: the JetStream API (and its acks and pull requests) and
// the system account's subjects.
func internalSubject(subj string) bool {
	return strings.HasPrefix(subj, "$JS.") || strings.HasPrefix(subj, "$SYS.") || strings.HasPrefix(subj, "$JSC.")
}

func isInbox(nc *nats.Conn, subj string) bool {
	prefix := nc.Opts.InboxPrefix
	if prefix == "" {
		prefix = nats.InboxPrefix
	} else if !strings.HasSuffix(prefix, ".") {
		prefix += "."
	}
	return strings.HasPrefix(subj, prefix)
}

// server is the address of the server the connection is connected to.
func server(nc *nats.Conn) (string, int) {
	addr := nc.ConnectedAddr()
	if addr == "" {
		return "", 0
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr, 0
	}
	p, _ := strconv.Atoi(port)
	return host, p
}

// headerCarrier reads a message's decoded headers and collects what the
// propagator injects, to append to the header block.
type headerCarrier struct {
	existing nats.Header
	added    [][2]string
}

func (c headerCarrier) Get(key string) string {
	if v := c.existing.Get(key); v != "" {
		return v
	}
	for _, kv := range c.added {
		if kv[0] == key {
			return kv[1]
		}
	}
	return ""
}

func (c *headerCarrier) Set(key, value string) {
	c.added = append(c.added, [2]string{key, value})
}

func (c headerCarrier) Keys() []string {
	keys := make([]string, 0, len(c.existing)+len(c.added))
	for k := range c.existing {
		keys = append(keys, k)
	}
	for _, kv := range c.added {
		keys = append(keys, kv[0])
	}
	return keys
}

// append returns hdr (a NATS header block, "NATS/1.0\r\nK: v\r\n\r\n", or
// empty) with the added headers, in a new slice.
func (c headerCarrier) append(hdr []byte) []byte {
	const line, end = "NATS/1.0\r\n", "\r\n"
	var b strings.Builder
	if len(hdr) == 0 {
		b.WriteString(line)
	} else {
		b.Write(hdr[:len(hdr)-len(end)]) // keep the lines, drop the final empty one
	}
	for _, kv := range c.added {
		b.WriteString(kv[0])
		b.WriteString(": ")
		b.WriteString(kv[1])
		b.WriteString("\r\n")
	}
	b.WriteString(end)
	return []byte(b.String())
}

// SubscribeOnEnter is the OnEnter hook of
//
//	func (nc *Conn) Subscribe(subj string, cb MsgHandler) (*Subscription, error)
func SubscribeOnEnter(call api.CallContext, nc *nats.Conn, subj string, cb nats.MsgHandler) {
	if cb != nil && !jetstreamBuffering() {
		call.SetParam(1, handler(nc, "", cb))
	}
}

// QueueSubscribeOnEnter is the OnEnter hook of
//
//	func (nc *Conn) QueueSubscribe(subj, queue string, cb MsgHandler) (*Subscription, error)
func QueueSubscribeOnEnter(call api.CallContext, nc *nats.Conn, subj, queue string, cb nats.MsgHandler) {
	if cb != nil {
		call.SetParam(2, handler(nc, queue, cb))
	}
}

// JSSubscribeOnEnter is the OnEnter hook of
//
//	func (js *js) Subscribe(subj string, cb MsgHandler, opts ...SubOpt) (*Subscription, error)
//
// of the legacy JetStreamContext (js calls the unexported nc.subscribe, so
// the handler is wrapped here, once).
func JSSubscribeOnEnter(call api.CallContext, js any, subj string, cb nats.MsgHandler, opts []nats.SubOpt) {
	if cb != nil {
		call.SetParam(1, handler(nil, "", cb))
	}
}

// JSQueueSubscribeOnEnter is the OnEnter hook of
//
//	func (js *js) QueueSubscribe(subj, queue string, cb MsgHandler, opts ...SubOpt) (*Subscription, error)
func JSQueueSubscribeOnEnter(call api.CallContext, js any, subj, queue string, cb nats.MsgHandler, opts []nats.SubOpt) {
	if cb != nil {
		call.SetParam(2, handler(nil, queue, cb))
	}
}

// jetstreamBuffering reports whether package jetstream is subscribing with
// a handler of its own that only hands the messages on to a channel (Fetch,
// FetchBytes, Next): a process span there would cover a channel send, not
// the program's work. Consume subscribes with a handler that calls the
// program's: that one is wrapped.
func jetstreamBuffering() bool {
	var pcs [8]uintptr
	// Skip runtime.Callers, this function and SubscribeOnEnter; then come
	// the frames of package nats (the trampoline, Subscribe) and the caller.
	n := runtime.Callers(3, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "github.com/nats-io/nats.go.") {
			return strings.HasPrefix(f.Function, jetstreamPkg) && !strings.Contains(f.Function, ").Consume")
		}
		if !more {
			return false
		}
	}
}

const jetstreamPkg = "github.com/nats-io/nats.go/jetstream."

// handler wraps cb: each message it processes gets a process span.
func handler(nc *nats.Conn, queue string, cb nats.MsgHandler) nats.MsgHandler {
	return func(m *nats.Msg) {
		span := startProcess(nc, queue, m)
		if span != nil {
			defer endProcess(span)
		}
		cb(m)
	}
}

func startProcess(nc *nats.Conn, queue string, m *nats.Msg) (span *msgconv.Span) {
	defer msgconv.Recover(ScopeName + " process start")
	if m == nil || controlMessage(m) {
		return nil
	}
	op := msgconv.Operation{
		System:        msgconv.NATS,
		Type:          msgconv.Process,
		Name:          "process",
		Destination:   m.Subject,
		ConsumerGroup: queue,
		Count:         1,
	}
	if nc != nil {
		op.Temporary = isInbox(nc, m.Subject)
		op.ServerAddress, op.ServerPort = server(nc)
	}
	if consumer, seq := jetStreamAck(m.Reply); consumer != "" {
		op.ClientID = consumer
		op.Attrs = append(op.Attrs, semconv.MessagingMessageID(seq))
	}
	creation := msgconv.Extract(&headerCarrier{existing: m.Header})
	_, span = msgconv.StartProcess(context.Background(), ScopeName, op, creation)
	return span
}

func endProcess(span *msgconv.Span) {
	defer msgconv.Recover(ScopeName + " process end")
	span.End(nil)
}

// controlMessage: a JetStream status message (heartbeat, flow control, no
// messages) has a Status header and no data; it is not the program's.
func controlMessage(m *nats.Msg) bool {
	return len(m.Data) == 0 && m.Header.Get("Status") != ""
}

// jetStreamAck reads the consumer's name and the stream sequence from the
// ack subject of a JetStream message:
// $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<time>.<pending>, or
// $JS.ACK.<domain>.<account hash>.<stream>.<consumer>.<delivered>.<sseq>... .
func jetStreamAck(reply string) (consumer, seq string) {
	if !strings.HasPrefix(reply, "$JS.ACK.") {
		return "", ""
	}
	tokens := strings.Split(reply, ".")
	switch {
	case len(tokens) == 9:
		return tokens[3], tokens[5]
	case len(tokens) >= 11:
		return tokens[5], tokens[7]
	}
	return "", ""
}
