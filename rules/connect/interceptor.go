package connect

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/trace"
	semconv "otelgo.dev/rules/internal/semconv"
	"otelgo.dev/rules/internal/semconv/rpcconv"

	"otelgo.dev/rules/goroutine"
	"otelgo.dev/rules/internal/httproute"
	"otelgo.dev/rules/internal/telemetry"
)

// ScopeName is the instrumentation scope of the spans and metrics made here.
const ScopeName = "otelgo.dev/rules/connect"

// otelconnectScope is the scope of connect's own otelconnect interceptor.
const otelconnectScope = "connectrpc.com/otelconnect"

// interceptor is the connect.Interceptor the hooks install.
type interceptor struct{}

// WrapUnary traces a unary RPC, client or handler side.
func (interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		spec := req.Spec()
		var rc *rpcCall
		if spec.IsClient {
			ctx, rc = startClient(ctx, spec, req.Peer(), req.Header())
		} else {
			ctx, rc = startServer(ctx, spec, req.Peer(), req.Header())
		}
		if rc == nil {
			return next(ctx, req)
		}
		done := false
		defer func() {
			if !done {
				rc.end(errPanic)
			}
		}()
		resp, err := next(ctx, req)
		done = true
		rc.end(err)
		return resp, err
	}
}

// WrapStreamingClient traces a client stream, from its start to
// CloseResponse.
func (interceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		ctx, rc := startClient(ctx, spec, connect.Peer{}, nil)
		conn := next(ctx, spec)
		if rc == nil {
			return conn
		}
		rc.setPeer(conn.Peer())
		safely(func() { inject(rc.ctx, conn.RequestHeader()) })
		return &clientConn{StreamingClientConn: conn, rc: rc}
	}
}

// WrapStreamingHandler traces a handler's stream.
func (interceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		ctx, rc := startServer(ctx, conn.Spec(), conn.Peer(), conn.RequestHeader())
		if rc == nil {
			return next(ctx, conn)
		}
		done := false
		defer func() {
			if !done {
				rc.end(errPanic)
			}
		}()
		err := next(ctx, conn)
		done = true
		rc.end(err)
		return err
	}
}

// errPanic stands for the outcome of a handler or call that panicked.
var errPanic = errors.New("panic")

// rpcCall is one RPC being traced.
type rpcCall struct {
	span    trace.Span
	ctx     context.Context
	start   time.Time
	client  bool
	ownSpan bool // the span is ours (else the net/http SERVER span, ended by its hooks)
	attrs   []attribute.KeyValue
	once    sync.Once
}

// safely runs f, recovering its panic: code of ours that runs inside
// connect's calls is outside the trampolines' recover.
func safely(f func()) {
	defer func() { _ = recover() }()
	f()
}

// startClient starts the CLIENT span of an RPC; nil when another
// instrumentation traces it already, or when starting failed.
func startClient(ctx context.Context, spec connect.Spec, peer connect.Peer, header http.Header) (_ context.Context, rc *rpcCall) {
	defer func() {
		if recover() != nil {
			rc = nil
		}
	}()
	parent := goroutine.Context(ctx)
	if tracedBy(parent, otelconnectScope, trace.SpanKindClient) {
		return ctx, nil
	}
	method := methodOf(spec)
	attrs := []attribute.KeyValue{systemOf(peer.Protocol), semconv.RPCMethod(method)}
	attrs = append(attrs, addressAttrs(peer.Addr)...)
	spanCtx, span := telemetry.Tracer(ScopeName).Start(parent, method,
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attrs...))
	if header != nil {
		inject(spanCtx, header)
	}
	return spanCtx, &rpcCall{span: span, ctx: spanCtx, start: time.Now(), client: true, ownSpan: true, attrs: attrs}
}

// setPeer adds what a stream's connection tells of the server, once known.
func (rc *rpcCall) setPeer(peer connect.Peer) {
	more := append([]attribute.KeyValue{systemOf(peer.Protocol)}, addressAttrs(peer.Addr)...)
	rc.span.SetAttributes(more...)
	rc.attrs = append(rc.attrs, more...) // later values of a key win in attribute.NewSet
}

func inject(ctx context.Context, header http.Header) {
	otel.GetTextMapPropagator().Inject(ctx, propagation.HeaderCarrier(header))
}

// startServer makes the handler's span: the net/http SERVER span of the
// request, given the RPC's name and attributes, or a SERVER span of its own
// when there is none. nil when otelconnect traces the RPC already.
func startServer(ctx context.Context, spec connect.Spec, peer connect.Peer, header http.Header) (_ context.Context, rc *rpcCall) {
	defer func() {
		if recover() != nil {
			rc = nil
		}
	}()
	if tracedBy(ctx, otelconnectScope, trace.SpanKindServer) {
		return ctx, nil
	}
	method := methodOf(spec)
	attrs := []attribute.KeyValue{systemOf(peer.Protocol), semconv.RPCMethod(method)}
	start := time.Now()
	span := trace.SpanFromContext(ctx)
	if isServerSpan(span) {
		// The request's SERVER span, from the net/http hooks: the procedure
		// is its route (kept for http.server.request.duration too).
		httproute.Set((&http.Request{Method: http.MethodPost}).WithContext(ctx), spec.Procedure)
		span.SetName(method)
		span.SetAttributes(attrs...)
		return ctx, &rpcCall{span: span, ctx: ctx, start: start, attrs: attrs}
	}
	parent := ctx
	if header != nil {
		parent = otel.GetTextMapPropagator().Extract(ctx, propagation.HeaderCarrier(header))
	}
	spanAttrs := append(attrs[:len(attrs):len(attrs)], addressAttrs(peer.Addr)...)
	for i, kv := range spanAttrs[len(attrs):] {
		// Peer.Addr is the client's address on a handler.
		switch kv.Key {
		case semconv.ServerAddressKey:
			spanAttrs[len(attrs)+i] = semconv.NetworkPeerAddress(kv.Value.AsString())
		case semconv.ServerPortKey:
			spanAttrs[len(attrs)+i] = semconv.NetworkPeerPort(int(kv.Value.AsInt64()))
		}
	}
	spanCtx, own := telemetry.Tracer(ScopeName).Start(parent, method,
		trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(spanAttrs...))
	return spanCtx, &rpcCall{span: own, ctx: spanCtx, start: start, ownSpan: true, attrs: attrs}
}

// end records the outcome of the RPC, once.
func (rc *rpcCall) end(err error) {
	rc.once.Do(func() {
		defer func() { _ = recover() }()
		status := statusOf(err)
		outcome := []attribute.KeyValue{semconv.RPCResponseStatusCode(status.code)}
		if err != nil {
			outcome = append(outcome, semconv.ErrorTypeKey.String(status.code))
			if rc.client || serverError(status.connectCode) {
				rc.span.SetStatus(codes.Error, status.message)
			}
		}
		rc.span.SetAttributes(outcome...)
		if rc.ownSpan {
			rc.span.End()
		}
		set := attribute.NewSet(append(rc.attrs[:len(rc.attrs):len(rc.attrs)], outcome...)...)
		d := instruments.Get(ScopeName)
		if rc.client {
			d.client.RecordSet(rc.ctx, seconds(rc.start), set)
		} else {
			d.server.RecordSet(rc.ctx, seconds(rc.start), set)
		}
	})
}

// status is an RPC's outcome as the conventions spell it.
type status struct {
	code        string // rpc.response.status_code
	connectCode connect.Code
	message     string
}

func statusOf(err error) status {
	switch {
	case err == nil:
		return status{code: "OK"}
	case err == errPanic:
		return status{code: "UNKNOWN", connectCode: connect.CodeUnknown, message: "panic"}
	}
	code := connect.CodeOf(err)
	msg := err.Error()
	var ce *connect.Error
	if errors.As(err, &ce) {
		msg = ce.Message()
	}
	return status{code: strings.ToUpper(code.String()), connectCode: code, message: msg}
}

// serverError: the codes that are the server's failure, not the caller's
// (the RPC conventions' list for gRPC, whose codes connect shares).
func serverError(c connect.Code) bool {
	switch c {
	case connect.CodeUnknown, connect.CodeDeadlineExceeded, connect.CodeUnimplemented,
		connect.CodeInternal, connect.CodeUnavailable, connect.CodeDataLoss:
		return true
	}
	return false
}

// methodOf is rpc.method: the procedure without its leading slash.
func methodOf(spec connect.Spec) string {
	return strings.TrimPrefix(spec.Procedure, "/")
}

// systemOf is rpc.system.name for the wire protocol in use.
func systemOf(protocol string) attribute.KeyValue {
	switch protocol {
	case connect.ProtocolGRPC, connect.ProtocolGRPCWeb:
		return semconv.RPCSystemNameGRPC
	}
	return semconv.RPCSystemNameConnectrpc
}

// addressAttrs turns "host:port" or "host" into server.address/port.
func addressAttrs(hostport string) []attribute.KeyValue {
	if hostport == "" {
		return nil
	}
	host, p, err := net.SplitHostPort(hostport)
	if err != nil {
		return []attribute.KeyValue{semconv.ServerAddress(strings.Trim(hostport, "[]"))}
	}
	if port, err := strconv.Atoi(p); err == nil && port > 0 && port <= 65535 {
		return []attribute.KeyValue{semconv.ServerAddress(host), semconv.ServerPort(port)}
	}
	return []attribute.KeyValue{semconv.ServerAddress(host)}
}

// isServerSpan reports whether span is a recording SERVER span.
func isServerSpan(span trace.Span) bool {
	k, ok := span.(interface{ SpanKind() trace.SpanKind })
	return ok && span.IsRecording() && k.SpanKind() == trace.SpanKindServer
}

// tracedBy reports whether the span in ctx is a span of kind that the
// instrumentation scope started.
func tracedBy(ctx context.Context, scope string, kind trace.SpanKind) bool {
	s, ok := trace.SpanFromContext(ctx).(interface {
		SpanKind() trace.SpanKind
		InstrumentationScope() instrumentation.Scope
	})
	return ok && s.SpanKind() == kind && s.InstrumentationScope().Name == scope
}

// clientConn is a client stream whose span ends with CloseResponse.
type clientConn struct {
	connect.StreamingClientConn
	rc   *rpcCall
	mu   sync.Mutex
	last error // the stream's error, once one was seen
}

func (c *clientConn) note(err error) {
	if err == nil || errors.Is(err, io.EOF) {
		return
	}
	c.mu.Lock()
	if c.last == nil {
		c.last = err
	}
	c.mu.Unlock()
}

func (c *clientConn) Send(msg any) error {
	err := c.StreamingClientConn.Send(msg)
	c.note(err)
	return err
}

func (c *clientConn) Receive(msg any) error {
	err := c.StreamingClientConn.Receive(msg)
	c.note(err)
	return err
}

func (c *clientConn) CloseResponse() error {
	err := c.StreamingClientConn.CloseResponse()
	c.mu.Lock()
	last := c.last
	c.mu.Unlock()
	c.rc.end(last)
	return err
}

// durations are the RPC conventions' duration histograms.
type durations struct {
	server rpcconv.ServerCallDuration
	client rpcconv.ClientCallDuration
}

var instruments = telemetry.NewInstruments(func(meter metric.Meter) (d durations) {
	var err error
	if d.server, err = rpcconv.NewServerCallDuration(meter, durationBuckets); err != nil {
		otel.Handle(err)
	}
	if d.client, err = rpcconv.NewClientCallDuration(meter, durationBuckets); err != nil {
		otel.Handle(err)
	}
	return d
})

// durationBuckets: the RPC conventions advise the HTTP duration buckets.
var durationBuckets = metric.WithExplicitBucketBoundaries(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10)

func seconds(start time.Time) float64 {
	return float64(time.Since(start)) / float64(time.Second)
}
