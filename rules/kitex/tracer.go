package kitex

import (
	"context"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/bytedance/gopkg/cloud/metainfo"
	"github.com/cloudwego/kitex/pkg/endpoint"
	"github.com/cloudwego/kitex/pkg/remote"
	"github.com/cloudwego/kitex/pkg/remote/trans/nphttp2/metadata"
	"github.com/cloudwego/kitex/pkg/rpcinfo"
	"github.com/cloudwego/kitex/pkg/serviceinfo"
	"github.com/cloudwego/kitex/transport"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/goroutine"
	"otelgo.dev/rules/internal/rpcmetrics"
	semconv "otelgo.dev/rules/internal/semconv"
	"otelgo.dev/rules/internal/semconv/rpcconv"
	"otelgo.dev/rules/internal/telemetry"
)

// systemName is rpc.system.name: kitex is none of the conventions'
// well-known values (see the package doc).
const systemName = rpcconv.SystemNameAttr("kitex")

var systemAttr = semconv.RPCSystemNameKey.String(string(systemName))

// The scopes of obs-opentelemetry's spans (kitex-contrib/obs-opentelemetry,
// and its successor in cloudwego-contrib/cwgo-pkg), which a program may
// make itself.
var obsScopes = map[string]bool{
	"github.com/kitex-contrib/obs-opentelemetry":           true,
	"github.com/otelkitex-contrib/telemetry-opentelemetry": true,
}

// rpcState is what one traced RPC carries from the tracer's Start to its
// Finish (in the RPC's context).
type rpcState struct {
	start time.Time
	span  trace.Span // nil until the span starts (a server's, in the middleware)
	skip  bool       // obs-opentelemetry traces this RPC
	// A server's request metainfo, once kitex has read the request's header
	// (metaReader): the parent of a span made when the RPC failed before
	// the middleware ran.
	meta context.Context
}

type stateKey struct{ kind trace.SpanKind }

func stateFrom(ctx context.Context, kind trace.SpanKind) *rpcState {
	st, _ := ctx.Value(stateKey{kind}).(*rpcState)
	return st
}

// clientTracer is the stats.Tracer of every client.
type clientTracer struct{}

// Start starts the CLIENT span of a call and injects its context into the
// request's metainfo (TTHeader) or gRPC metadata.
func (clientTracer) Start(ctx context.Context) (out context.Context) {
	out = ctx
	defer func() { _ = recover() }()
	if tracedByObs(ctx, trace.SpanKindClient) {
		return ctx
	}
	ri := rpcinfo.GetRPCInfo(ctx)
	if ri == nil {
		return ctx
	}
	st := &rpcState{start: time.Now()}
	m := methodOf(ri, knownOnClient(ri))
	attrs := append([]attribute.KeyValue{systemAttr}, m.attrs()...)
	ctx, st.span = telemetry.Tracer(Scope).Start(goroutine.Context(ctx), m.spanName(),
		trace.WithSpanKind(trace.SpanKindClient), trace.WithTimestamp(st.start), trace.WithAttributes(attrs...))
	ctx = inject(ctx, ri)
	return context.WithValue(ctx, stateKey{trace.SpanKindClient}, st)
}

// Finish ends the CLIENT span with the call's outcome and records its
// duration.
func (clientTracer) Finish(ctx context.Context) {
	defer func() { _ = recover() }()
	st := stateFrom(ctx, trace.SpanKindClient)
	if st == nil || st.span == nil {
		return
	}
	ri := rpcinfo.GetRPCInfo(ctx)
	if ri == nil {
		st.span.End()
		return
	}
	end(ctx, st, ri, trace.SpanKindClient, addrAttrs(ri.To(), serverAttrs), addrAttrs(ri.To(), peerAttrs))
}

// serverTracer is the stats.Tracer and middleware of one server.
type serverTracer struct{}

// Start notes when kitex began reading the request. Where the request's
// metadata is already read (gRPC), it starts the SERVER span too.
func (t *serverTracer) Start(ctx context.Context) (out context.Context) {
	out = ctx
	defer func() { _ = recover() }()
	st := &rpcState{start: time.Now()}
	out = context.WithValue(ctx, stateKey{trace.SpanKindServer}, st)
	if carrier := (requestCarrier{ctx: ctx}); carrier.Get("traceparent") != "" {
		if ri := rpcinfo.GetRPCInfo(ctx); ri != nil {
			out = startServer(out, st, ri)
		}
	}
	return out
}

// middleware starts the SERVER span, once the request's header is read,
// unless it started already; the handler runs in it.
func (t *serverTracer) middleware(next endpoint.Endpoint) endpoint.Endpoint {
	return func(ctx context.Context, req, resp interface{}) error {
		return next(t.enter(ctx), req, resp)
	}
}

func (t *serverTracer) enter(ctx context.Context) (out context.Context) {
	out = ctx
	defer func() { _ = recover() }()
	st := stateFrom(ctx, trace.SpanKindServer)
	if st == nil || st.span != nil || st.skip {
		return ctx
	}
	if tracedByObs(ctx, trace.SpanKindServer) {
		st.skip = true
		return ctx
	}
	if ri := rpcinfo.GetRPCInfo(ctx); ri != nil {
		return startServer(ctx, st, ri)
	}
	return ctx
}

func startServer(ctx context.Context, st *rpcState, ri rpcinfo.RPCInfo) context.Context {
	m := methodOf(ri, true)
	attrs := append([]attribute.KeyValue{systemAttr}, m.attrs()...)
	attrs = append(attrs, localAttrs(ctx)...)
	attrs = append(attrs, addrAttrs(ri.From(), peerAttrs)...)
	parent := otel.GetTextMapPropagator().Extract(ctx, requestCarrier{ctx, st.meta})
	ctx, st.span = telemetry.Tracer(Scope).Start(parent, m.spanName(),
		trace.WithSpanKind(trace.SpanKindServer), trace.WithTimestamp(st.start), trace.WithAttributes(attrs...))
	return ctx
}

// Finish ends the SERVER span once the response is written (making it
// first when the RPC failed before the middleware ran) and records the
// RPC's duration.
func (t *serverTracer) Finish(ctx context.Context) {
	defer func() { _ = recover() }()
	st := stateFrom(ctx, trace.SpanKindServer)
	if st == nil || st.skip {
		return
	}
	ri := rpcinfo.GetRPCInfo(ctx)
	if ri == nil {
		if st.span != nil {
			st.span.End()
		}
		return
	}
	if st.span == nil {
		// Every RPC that reaches a handler passes the middleware: one that
		// did not and did not fail is no RPC (a heartbeat).
		if outcomeOf(ri).errorType == "" {
			return
		}
		startServer(ctx, st, ri)
	}
	end(ctx, st, ri, trace.SpanKindServer, localAttrs(ctx), nil)
}

// end sets the RPC's outcome on its span, ends it and records the duration.
func end(ctx context.Context, st *rpcState, ri rpcinfo.RPCInfo, kind trace.SpanKind, server, peer []attribute.KeyValue) {
	o := outcomeOf(ri)
	known := knownOnClient(ri)
	if kind == trace.SpanKindServer {
		// A method the server does not have.
		known = o.status != "UNKNOWN_METHOD" && o.status != "UNKNOWN_SERVICE"
	}
	m := methodOf(ri, known)
	span := st.span
	if kind == trace.SpanKindClient {
		// The instance the call went to is known once it is made.
		span.SetAttributes(server...)
		span.SetAttributes(peer...)
	}
	if m.name == "" {
		span.SetName(string(systemName))
		span.SetAttributes(m.attrs()...)
	}
	var result []attribute.KeyValue
	if o.status != "" {
		result = append(result, semconv.RPCResponseStatusCode(o.status))
	}
	if o.errorType != "" {
		result = append(result, semconv.ErrorTypeKey.String(o.errorType))
		span.SetStatus(codes.Error, o.message)
	}
	span.SetAttributes(result...)
	now := time.Now()
	span.End(trace.WithTimestamp(now))

	attrs := make([]attribute.KeyValue, 0, 5)
	attrs = append(attrs, semconv.RPCMethod(m.value()))
	attrs = append(attrs, result...)
	attrs = append(attrs, server...)
	seconds := now.Sub(st.start).Seconds()
	rpcmetrics.Record(ctx, Scope, kind, seconds, systemName, attrs...)
}

// method is an RPC's rpc.method: name is "Service/Method" when the
// framework knows the method, else "" with original.
type method struct{ name, original string }

func methodOf(ri rpcinfo.RPCInfo, known bool) method {
	inv := ri.Invocation()
	name := inv.MethodName()
	if svc := inv.ServiceName(); svc != "" {
		if pkg := inv.PackageName(); pkg != "" {
			svc = pkg + "." + svc
		}
		name = svc + "/" + name
	}
	if known {
		return method{name: name}
	}
	return method{original: name}
}

func (m method) value() string {
	if m.name == "" {
		return semconv.ErrorTypeOther.Value.AsString()
	}
	return m.name
}

func (m method) spanName() string {
	if m.name == "" {
		return string(systemName)
	}
	return m.name
}

func (m method) attrs() []attribute.KeyValue {
	if m.name == "" {
		return []attribute.KeyValue{semconv.RPCMethod(m.value()), semconv.RPCMethodOriginal(m.original)}
	}
	return []attribute.KeyValue{semconv.RPCMethod(m.name)}
}

// knownOnClient reports whether the client's service knows the method
// (kitex v0.16 and later say so in the invocation; older releases fail the
// call with an error instead, which end sees).
func knownOnClient(ri rpcinfo.RPCInfo) bool {
	if inv, ok := ri.Invocation().(interface{ MethodInfo() serviceinfo.MethodInfo }); ok {
		return inv.MethodInfo() != nil
	}
	return true
}

// inject sends the span's context with the request: as gRPC metadata on
// the gRPC transport, else as metainfo transient values, which TTHeader
// carries.
func inject(ctx context.Context, ri rpcinfo.RPCInfo) context.Context {
	prop := otel.GetTextMapPropagator()
	if ri.Config().TransportProtocol()&transport.GRPC == transport.GRPC {
		md, _ := metadata.FromOutgoingContext(ctx)
		md = md.Copy()
		if md == nil {
			md = metadata.MD{}
		}
		prop.Inject(ctx, flatMD(md))
		return metadata.NewOutgoingContext(ctx, md)
	}
	fields := propagation.MapCarrier{}
	prop.Inject(ctx, fields)
	for k, v := range fields {
		ctx = metainfo.WithValue(ctx, k, v)
	}
	return ctx
}

// flatMD writes a propagator's fields into gRPC metadata.
type flatMD metadata.MD

func (m flatMD) Get(key string) string {
	if v := metadata.MD(m).Get(key); len(v) > 0 {
		return v[0]
	}
	return ""
}

func (m flatMD) Set(key, value string) { metadata.MD(m).Set(key, value) }

func (m flatMD) Keys() []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

// requestCarrier reads the propagators' fields of a request: metainfo
// values (TTHeader; over gRPC kitex turns them into upper-case CGI names)
// or gRPC metadata, in ctx, else in meta.
type requestCarrier struct{ ctx, meta context.Context }

func (c requestCarrier) Get(key string) string {
	if v := fieldOf(c.ctx, key); v != "" || c.meta == nil {
		return v
	}
	return fieldOf(c.meta, key)
}

func fieldOf(ctx context.Context, key string) string {
	if v, ok := metainfo.GetValue(ctx, key); ok {
		return v
	}
	if v, ok := metainfo.GetValue(ctx, metainfo.HTTPHeaderToCGIVariable(key)); ok {
		return v
	}
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		if v := md.Get(key); len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// metaReader is a server meta handler, after kitex's own: it keeps the
// request's metainfo for the RPC's span. kitex reads the header through
// its meta handlers also when it fails a request it could not decode, and
// then drops the context they return.
type metaReader struct{}

func (metaReader) ReadMeta(ctx context.Context, _ remote.Message) (context.Context, error) {
	if st := stateFrom(ctx, trace.SpanKindServer); st != nil && st.span == nil {
		st.meta = ctx
	}
	return ctx, nil
}

func (metaReader) WriteMeta(ctx context.Context, _ remote.Message) (context.Context, error) {
	return ctx, nil
}

func (c requestCarrier) Set(string, string) {}

func (c requestCarrier) Keys() []string { return nil }

// tracedByObs reports whether the span in ctx is one of obs-opentelemetry's
// of the same kind.
func tracedByObs(ctx context.Context, kind trace.SpanKind) bool {
	s, ok := trace.SpanFromContext(ctx).(interface {
		SpanKind() trace.SpanKind
		InstrumentationScope() instrumentation.Scope
	})
	return ok && s.SpanKind() == kind && obsScopes[s.InstrumentationScope().Name]
}

type addrKind int

const (
	serverAttrs addrKind = iota
	peerAttrs
)

// localAddrKey holds the local address of a server's connection.
type localAddrKey struct{}

// localAddr is an inbound handler that notes each connection's local
// address in the connection's context, which every request on it
// inherits.
type localAddr struct{}

func (*localAddr) OnActive(ctx context.Context, conn net.Conn) (context.Context, error) {
	if conn != nil {
		if a := conn.LocalAddr(); a != nil {
			return context.WithValue(ctx, localAddrKey{}, a), nil
		}
	}
	return ctx, nil
}

func (*localAddr) OnInactive(ctx context.Context, _ net.Conn) context.Context { return ctx }

func (*localAddr) OnRead(ctx context.Context, _ net.Conn) (context.Context, error) { return ctx, nil }

func (*localAddr) OnMessage(ctx context.Context, _, _ remote.Message) (context.Context, error) {
	return ctx, nil
}

// localAttrs: a server's server.address/port, its connection's local
// address.
func localAttrs(ctx context.Context) []attribute.KeyValue {
	a, _ := ctx.Value(localAddrKey{}).(net.Addr)
	if a == nil {
		return nil
	}
	return netAddrAttrs(a, serverAttrs)
}

// addrAttrs: server.address/port or network.peer.address/port (with
// network.transport) from an endpoint's address.
func addrAttrs(ep rpcinfo.EndpointInfo, kind addrKind) []attribute.KeyValue {
	if ep == nil {
		return nil
	}
	return netAddrAttrs(ep.Address(), kind)
}

func netAddrAttrs(addr net.Addr, kind addrKind) []attribute.KeyValue {
	if addr == nil {
		return nil
	}
	if addr.Network() == "unix" {
		if kind == serverAttrs {
			return []attribute.KeyValue{semconv.ServerAddress(addr.String())}
		}
		return []attribute.KeyValue{semconv.NetworkPeerAddress(addr.String()), semconv.NetworkTransportUnix}
	}
	host, p, err := net.SplitHostPort(addr.String())
	if err != nil || host == "" {
		return nil
	}
	port, _ := strconv.Atoi(p)
	if kind == serverAttrs {
		attrs := []attribute.KeyValue{semconv.ServerAddress(host)}
		if port > 0 {
			attrs = append(attrs, semconv.ServerPort(port))
		}
		return attrs
	}
	attrs := []attribute.KeyValue{semconv.NetworkPeerAddress(host)}
	if port > 0 {
		attrs = append(attrs, semconv.NetworkPeerPort(port))
	}
	if strings.HasPrefix(addr.Network(), "tcp") {
		attrs = append(attrs, semconv.NetworkTransportTCP)
	}
	return attrs
}
