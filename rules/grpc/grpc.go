// Package grpc holds the hooks otelgo splices into google.golang.org/grpc:
// every server made by grpc.NewServer, and every client made by
// grpc.NewClient (grpc 1.63 and later, where grpc.Dial and
// grpc.DialContext call it) or grpc.DialContext (older releases, where
// grpc.Dial calls it), gets a stats.Handler of this package, so that each
// RPC, unary or streaming, has a CLIENT span in the caller and a SERVER
// span in the server, linked by the trace context sent in the gRPC
// metadata, and a duration in rpc.client.call.duration and
// rpc.server.call.duration.
//
// The handler is written here, on grpc's stats.Handler API (the same from
// grpc 1.50 to today), rather than taken from contrib's otelgrpc: every
// otelgrpc release requires the gRPC of its day, which would raise an
// older gRPC of the program's, and older releases write older semantic
// conventions. Spans and metrics follow the RPC conventions of semconv
// v1.39 (otelgo.dev/rules/internal/semconv): the name
// "package.Service/Method", rpc.system.name "grpc", rpc.method
// "package.Service/Method", rpc.response.status_code "OK", "NOT_FOUND"...;
// server.address/port is where the RPC was sent (on a client the target it
// was made for, on a server the :authority the client asked for) and
// network.peer.address/port the other end of the connection. A client span
// is an error when the RPC failed; a server span only for the codes the
// conventions count as the server's errors.
//
// The handler
//   - traces no OTLP export: a client made inside an OpenTelemetry package
//     (the OTLP/gRPC exporters otelgo's own SDK set-up uses) gets no
//     handler, and no client traces an RPC of an OTLP collector service,
//     whose spans would be exported in turn, forever;
//   - adds nothing to an RPC that an otelgrpc handler or interceptor the
//     program installed itself already traces (a span of the same kind from
//     otelgrpc's scope in the RPC's context).
//
// The rules are in grpc.json beside this file; the hooks are reached from
// grpc through //go:linkname, so their signatures follow the convention of
// otelgo.dev/rules/api exactly.
package grpc

import (
	"context"
	"net"
	"runtime"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	grpccodes "google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/stats"
	"google.golang.org/grpc/status"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/goroutine"
	"otelgo.dev/rules/internal/rpcmetrics"
	semconv "otelgo.dev/rules/internal/semconv"
	"otelgo.dev/rules/internal/semconv/rpcconv"
	"otelgo.dev/rules/internal/telemetry"
)

// Scope is the instrumentation scope of the spans and metrics.
const Scope = "otelgo.dev/rules/grpc"

// otelgrpcScope is the scope of contrib's otelgrpc, whose spans a program
// may make itself.
const otelgrpcScope = "go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"

// NewServerOnEnter is the OnEnter hook of
//
//	func NewServer(opt ...ServerOption) *Server
//
// in grpc (server.go). It appends grpc.StatsHandler with a server handler
// to a copy of the options.
func NewServerOnEnter(call api.CallContext, opt []grpc.ServerOption) {
	h := &handler{kind: trace.SpanKindServer}
	call.SetParam(0, append(opt[:len(opt):len(opt)], grpc.StatsHandler(h)))
}

// NewClientOnEnter is the OnEnter hook of
//
//	func NewClient(target string, opts ...DialOption) (conn *ClientConn, err error)
//
// in grpc 1.63 and later (clientconn.go), which grpc.Dial and
// grpc.DialContext call too. It appends grpc.WithStatsHandler with a client
// handler to a copy of the options, unless an OpenTelemetry package is
// making the client.
func NewClientOnEnter(call api.CallContext, target string, opts []grpc.DialOption) {
	if calledFromOpenTelemetry() {
		return
	}
	call.SetParam(1, withClientHandler(target, opts))
}

// DialContextOnEnter is the OnEnter hook of
//
//	func DialContext(ctx context.Context, target string, opts ...DialOption) (conn *ClientConn, err error)
//
// in grpc before 1.63, which grpc.Dial calls: there it makes every client.
func DialContextOnEnter(call api.CallContext, _ context.Context, target string, opts []grpc.DialOption) {
	if calledFromOpenTelemetry() {
		return
	}
	call.SetParam(2, withClientHandler(target, opts))
}

func withClientHandler(target string, opts []grpc.DialOption) []grpc.DialOption {
	h := &handler{kind: trace.SpanKindClient, server: targetAttrs(target)}
	return append(opts[:len(opts):len(opts)], grpc.WithStatsHandler(h))
}

// calledFromOpenTelemetry reports whether the grpc function being hooked
// was called, directly or through grpc.Dial/DialContext, from a package of
// go.opentelemetry.io: the OTLP/gRPC trace, metric and log exporters.
func calledFromOpenTelemetry() bool {
	var pcs [16]uintptr
	// Skip runtime.Callers, this function and the hook; then come frames of
	// package grpc (the spliced trampoline, NewClient, Dial...) and the
	// first frame outside it is the caller.
	n := runtime.Callers(3, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "google.golang.org/grpc.") {
			return strings.HasPrefix(f.Function, "go.opentelemetry.io/")
		}
		if !more {
			return false
		}
	}
}

// otlpServicePrefix starts the full method name of every OTLP export RPC:
// /opentelemetry.proto.collector.{trace,metrics,logs,profiles}.v1.*Service/Export.
const otlpServicePrefix = "/opentelemetry.proto.collector."

// handler is the stats.Handler of one client or server.
type handler struct {
	kind   trace.SpanKind
	server []attribute.KeyValue // client: server.address/port of the target
}

// rpcKey holds the *rpcState of an RPC this handler traces.
type rpcKey struct{ h *handler }

// rpcState is what one traced RPC carries from TagRPC to its End.
type rpcState struct {
	span   trace.Span
	method string
	server []attribute.KeyValue
}

// TagRPC starts the span of an RPC and, on a client, sends its context in
// the RPC's metadata.
func (h *handler) TagRPC(ctx context.Context, info *stats.RPCTagInfo) context.Context {
	if h.kind == trace.SpanKindClient && strings.HasPrefix(info.FullMethodName, otlpServicePrefix) {
		return ctx
	}
	if tracedByOtelgrpc(ctx, h.kind) {
		return ctx
	}
	method := strings.TrimPrefix(info.FullMethodName, "/")
	prop := otel.GetTextMapPropagator()
	st := &rpcState{method: method, server: h.server}
	attrs := []attribute.KeyValue{semconv.RPCSystemNameGRPC, semconv.RPCMethod(method)}
	if h.kind == trace.SpanKindServer {
		md, _ := metadata.FromIncomingContext(ctx)
		ctx = prop.Extract(ctx, metadataCarrier{md})
		st.server = authorityAttrs(ctx)
	} else {
		ctx = goroutine.Context(ctx)
	}
	attrs = append(attrs, st.server...)
	ctx, st.span = telemetry.Tracer(Scope).Start(ctx, method,
		trace.WithSpanKind(h.kind), trace.WithAttributes(attrs...))
	if h.kind == trace.SpanKindServer {
		if p, ok := peer.FromContext(ctx); ok {
			setPeer(st.span, p.Addr)
		}
	} else {
		md, _ := metadata.FromOutgoingContext(ctx)
		md = md.Copy()
		prop.Inject(ctx, metadataCarrier{md})
		ctx = metadata.NewOutgoingContext(ctx, md)
	}
	return context.WithValue(ctx, rpcKey{h}, st)
}

// HandleRPC notes the other end of a client's connection and ends the span
// when the RPC ends, with its status, and records its duration.
func (h *handler) HandleRPC(ctx context.Context, rs stats.RPCStats) {
	st, _ := ctx.Value(rpcKey{h}).(*rpcState)
	if st == nil {
		return
	}
	switch rs := rs.(type) {
	case *stats.OutHeader:
		if h.kind == trace.SpanKindClient {
			setPeer(st.span, rs.RemoteAddr)
		}
	case *stats.End:
		h.end(ctx, st, rs)
	}
}

// serverErrors are the status codes that make a SERVER span an error; any
// code but OK makes a CLIENT span one.
var serverErrors = map[grpccodes.Code]bool{
	grpccodes.Unknown: true, grpccodes.DeadlineExceeded: true, grpccodes.Unimplemented: true,
	grpccodes.Internal: true, grpccodes.Unavailable: true, grpccodes.DataLoss: true,
}

func (h *handler) end(ctx context.Context, st *rpcState, rs *stats.End) {
	s, _ := status.FromError(rs.Error)
	code := s.Code()
	codeAttr := semconv.RPCResponseStatusCode(codeName(code))
	st.span.SetAttributes(codeAttr)
	if code != grpccodes.OK && (h.kind == trace.SpanKindClient || serverErrors[code]) {
		st.span.SetStatus(codes.Error, s.Message())
	}
	end := rs.EndTime
	if end.IsZero() {
		end = time.Now()
	}
	st.span.End(trace.WithTimestamp(end))

	begin := rs.BeginTime
	if begin.IsZero() {
		return
	}
	attrs := append([]attribute.KeyValue{semconv.RPCMethod(st.method), codeAttr}, st.server...)
	seconds := end.Sub(begin).Seconds()
	rpcmetrics.Record(ctx, Scope, h.kind, seconds, rpcconv.SystemNameGRPC, attrs...)
}

// codeName is the status code as the conventions spell it: "OK",
// "NOT_FOUND", "DEADLINE_EXCEEDED"...
func codeName(c grpccodes.Code) string {
	if name, ok := codeNames[c]; ok {
		return name
	}
	return strconv.Itoa(int(c))
}

var codeNames = map[grpccodes.Code]string{
	grpccodes.OK: "OK", grpccodes.Canceled: "CANCELLED", grpccodes.Unknown: "UNKNOWN",
	grpccodes.InvalidArgument: "INVALID_ARGUMENT", grpccodes.DeadlineExceeded: "DEADLINE_EXCEEDED",
	grpccodes.NotFound: "NOT_FOUND", grpccodes.AlreadyExists: "ALREADY_EXISTS",
	grpccodes.PermissionDenied: "PERMISSION_DENIED", grpccodes.ResourceExhausted: "RESOURCE_EXHAUSTED",
	grpccodes.FailedPrecondition: "FAILED_PRECONDITION", grpccodes.Aborted: "ABORTED",
	grpccodes.OutOfRange: "OUT_OF_RANGE", grpccodes.Unimplemented: "UNIMPLEMENTED",
	grpccodes.Internal: "INTERNAL", grpccodes.Unavailable: "UNAVAILABLE", grpccodes.DataLoss: "DATA_LOSS",
	grpccodes.Unauthenticated: "UNAUTHENTICATED",
}

// localAddrKey holds a server connection's local address, for the RPCs
// that arrive on it.
type localAddrKey struct{}

// TagConn notes a server connection's local address (peer.Peer's LocalAddr
// is not in grpc before 1.59); connections are not traced.
func (h *handler) TagConn(ctx context.Context, info *stats.ConnTagInfo) context.Context {
	if h.kind == trace.SpanKindServer && info != nil && info.LocalAddr != nil {
		return context.WithValue(ctx, localAddrKey{}, info.LocalAddr)
	}
	return ctx
}

func (h *handler) HandleConn(context.Context, stats.ConnStats) {}

// tracedByOtelgrpc reports whether the span in ctx is a span of the same
// kind that otelgrpc started: grpc runs the stats handlers of a client or
// server in the order of its options, ours last, and all of them see the
// context the handlers before them returned; a client interceptor's span is
// in the context before any handler runs.
func tracedByOtelgrpc(ctx context.Context, kind trace.SpanKind) bool {
	s, ok := trace.SpanFromContext(ctx).(interface {
		SpanKind() trace.SpanKind
		InstrumentationScope() instrumentation.Scope
	})
	return ok && s.SpanKind() == kind && s.InstrumentationScope().Name == otelgrpcScope
}

// setPeer sets network.peer.address/port from the other end's address.
func setPeer(span trace.Span, addr net.Addr) {
	if addr == nil || !span.IsRecording() {
		return
	}
	if host, port := splitHostPort(addr.String()); host != "" {
		span.SetAttributes(semconv.NetworkPeerAddress(host))
		if port > 0 {
			span.SetAttributes(semconv.NetworkPeerPort(port))
		}
	}
}

// authorityAttrs: on a server, server.address/port is the :authority the
// client sent (the target it dialled), else the address it connected to.
func authorityAttrs(ctx context.Context) []attribute.KeyValue {
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		if a := md.Get(":authority"); len(a) > 0 && a[0] != "" {
			return addressAttrs(a[0])
		}
	}
	if addr, ok := ctx.Value(localAddrKey{}).(net.Addr); ok {
		return addressAttrs(addr.String())
	}
	return nil
}

// targetAttrs: on a client, server.address/port come from the target the
// client was made for ("host:port", "dns:///host:port",
// "dns://resolver/host:port", "xds:///name"); nil for a Unix socket or a
// target that names no host.
func targetAttrs(target string) []attribute.KeyValue {
	endpoint := target
	if scheme, rest, ok := strings.Cut(target, "://"); ok {
		if strings.HasPrefix(scheme, "unix") {
			return nil
		}
		_, endpoint, _ = strings.Cut(rest, "/") // drop the authority
	} else if strings.HasPrefix(target, "unix:") || strings.HasPrefix(target, "unix-abstract:") {
		return nil
	}
	return addressAttrs(endpoint)
}

// addressAttrs turns "host:port" (or "host") into server.address/port.
func addressAttrs(hostport string) []attribute.KeyValue {
	host, port := splitHostPort(hostport)
	if host == "" {
		return nil
	}
	if port > 0 {
		return []attribute.KeyValue{semconv.ServerAddress(host), semconv.ServerPort(port)}
	}
	return []attribute.KeyValue{semconv.ServerAddress(host)}
}

// splitHostPort splits "host:port", "[v6]:port" or "host"; port is 0 when
// absent or not a number.
func splitHostPort(hostport string) (string, int) {
	host, p, err := net.SplitHostPort(hostport)
	if err != nil {
		return strings.TrimSuffix(strings.TrimPrefix(hostport, "["), "]"), 0
	}
	port, err := strconv.Atoi(p)
	if err != nil || port <= 0 || port > 65535 {
		port = 0
	}
	return host, port
}

// metadataCarrier adapts gRPC metadata to the propagators' TextMapCarrier.
type metadataCarrier struct{ md metadata.MD }

var _ propagation.TextMapCarrier = metadataCarrier{}

func (c metadataCarrier) Get(key string) string {
	if v := c.md.Get(key); len(v) > 0 {
		return v[0]
	}
	return ""
}

func (c metadataCarrier) Set(key, value string) {
	if c.md != nil {
		c.md.Set(key, value)
	}
}

func (c metadataCarrier) Keys() []string {
	keys := make([]string, 0, len(c.md))
	for k := range c.md {
		keys = append(keys, k)
	}
	return keys
}
