// Package grpc holds the hooks otelgo splices into google.golang.org/grpc:
// every server made by grpc.NewServer and every client made by
// grpc.NewClient (and so by grpc.Dial and grpc.DialContext, which call it)
// gets the official OpenTelemetry stats handler of
// go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc,
// so each RPC has a CLIENT span in the caller and a SERVER span in the
// server, linked by the trace context sent in the gRPC metadata.
//
// The spans follow the RPC semantic conventions of
// go.opentelemetry.io/otel/semconv/v1.39.0 as otelgrpc writes them:
// the name "package.Service/Method", rpc.system.name "grpc", rpc.method
// "package.Service/Method" and rpc.response.status_code "OK", "NOT_FOUND"...
// Around otelgrpc this package
//   - sets server.address/server.port from where the RPC was sent: on a
//     client the target it was made for, on a server the :authority the
//     client asked for; network.peer.address/port is the other end of the
//     connection (otelgrpc puts the peer's address in server.address, on the
//     server the client's);
//   - traces no OTLP export: a client made inside an OpenTelemetry package
//     (the OTLP/gRPC exporters otelgo's own SDK set-up uses) gets no
//     handler, and no client traces an RPC of an OTLP collector service,
//     whose spans would be exported in turn, forever;
//   - adds nothing to an RPC that an otelgrpc handler or interceptor the
//     program installed itself already traces.
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

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/stats"
	semconv "otelgo.dev/rules/internal/semconv"

	"otelgo.dev/rules/api"
)

// NewServerOnEnter is the OnEnter hook of
//
//	func NewServer(opt ...ServerOption) *Server
//
// in grpc (server.go). It appends grpc.StatsHandler with otelgrpc's server
// handler to a copy of the options.
func NewServerOnEnter(call api.CallContext, opt []grpc.ServerOption) {
	h := &handler{
		Handler: otelgrpc.NewServerHandler(otelgrpc.WithMetricAttributesFn(serverMetricAttrs)),
		kind:    trace.SpanKindServer,
	}
	call.SetParam(0, append(opt[:len(opt):len(opt)], grpc.StatsHandler(h)))
}

// NewClientOnEnter is the OnEnter hook of
//
//	func NewClient(target string, opts ...DialOption) (conn *ClientConn, err error)
//
// in grpc (clientconn.go), which grpc.Dial and grpc.DialContext call too. It
// appends grpc.WithStatsHandler with otelgrpc's client handler to a copy of
// the options, unless an OpenTelemetry package is making the client.
func NewClientOnEnter(call api.CallContext, target string, opts []grpc.DialOption) {
	if calledFromOpenTelemetry() {
		return
	}
	server := targetAttrs(target)
	h := &handler{
		// otelgrpc's rpc.client.call.duration gets server.address/port too.
		Handler: otelgrpc.NewClientHandler(otelgrpc.WithFilter(notExport), otelgrpc.WithMetricAttributes(server...)),
		kind:    trace.SpanKindClient,
		server:  server,
	}
	call.SetParam(1, append(opts[:len(opts):len(opts)], grpc.WithStatsHandler(h)))
}

// calledFromOpenTelemetry reports whether the grpc.NewClient being hooked
// was called, directly or through grpc.Dial/DialContext, from a package of
// go.opentelemetry.io: the OTLP/gRPC trace, metric and log exporters.
func calledFromOpenTelemetry() bool {
	var pcs [16]uintptr
	// Skip runtime.Callers, this function and NewClientOnEnter; then come
	// frames of package grpc (the spliced trampoline, NewClient, Dial...)
	// and the first frame outside it is the caller.
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

// notExport is the client handler's otelgrpc filter: an RPC to an OTLP
// collector service is an export (made on a connection the program gave an
// exporter with WithGRPCConn, say) and is not traced.
func notExport(info *stats.RPCTagInfo) bool {
	return !strings.HasPrefix(info.FullMethodName, otlpServicePrefix)
}

// handler is otelgrpc's stats.Handler with the additions described in the
// package comment.
type handler struct {
	stats.Handler
	kind   trace.SpanKind
	server []attribute.KeyValue // client: server.address/port of the target
}

// Context keys of one RPC; the value is the *handler that decided.
type (
	standAside struct{} // another otelgrpc handler traces this RPC
	ownSpan    struct{} // the span in the context is the one this handler's otelgrpc started
)

// TagRPC starts the span of an RPC, through otelgrpc.
func (h *handler) TagRPC(ctx context.Context, info *stats.RPCTagInfo) context.Context {
	if tracedByOtelgrpc(ctx, h.kind) {
		return context.WithValue(ctx, standAside{}, h)
	}
	parent := trace.SpanContextFromContext(ctx).SpanID()
	ctx = h.Handler.TagRPC(ctx, info)
	if trace.SpanContextFromContext(ctx).SpanID() == parent {
		return ctx // filtered out (an OTLP export): no span of ours
	}
	ctx = context.WithValue(ctx, ownSpan{}, h)
	h.setAddresses(ctx)
	return ctx
}

// HandleRPC records the stats of an RPC, through otelgrpc (which ends the
// span on *stats.End).
func (h *handler) HandleRPC(ctx context.Context, rs stats.RPCStats) {
	if ctx.Value(standAside{}) == h {
		return
	}
	h.Handler.HandleRPC(ctx, rs)
	if _, ok := rs.(*stats.OutHeader); ok && ctx.Value(ownSpan{}) == h {
		// otelgrpc has just set server.address to the peer's address.
		h.setAddresses(ctx)
	}
}

// tracedByOtelgrpc reports whether the span in ctx is a span of the same
// kind that otelgrpc started: grpc runs the stats handlers of a client or
// server in the order of its options, ours last, and all of them see the
// context the handlers before them returned.
func tracedByOtelgrpc(ctx context.Context, kind trace.SpanKind) bool {
	s, ok := trace.SpanFromContext(ctx).(interface {
		SpanKind() trace.SpanKind
		InstrumentationScope() instrumentation.Scope
	})
	return ok && s.SpanKind() == kind && s.InstrumentationScope().Name == otelgrpc.ScopeName
}

// setAddresses sets server.address/port and network.peer.address/port on
// the span of the RPC in ctx.
func (h *handler) setAddresses(ctx context.Context) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	p, _ := peer.FromContext(ctx)
	server := h.server
	if h.kind == trace.SpanKindServer {
		server = authorityAttrs(ctx, p)
	}
	span.SetAttributes(server...)
	if p != nil && p.Addr != nil {
		if host, port := splitHostPort(p.Addr.String()); host != "" {
			span.SetAttributes(semconv.NetworkPeerAddress(host))
			if port > 0 {
				span.SetAttributes(semconv.NetworkPeerPort(port))
			}
		}
	}
}

// authorityAttrs: on a server, server.address/port is the :authority the
// client sent (the target it dialled), else the address it connected to.
func authorityAttrs(ctx context.Context, p *peer.Peer) []attribute.KeyValue {
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		if a := md.Get(":authority"); len(a) > 0 && a[0] != "" {
			return addressAttrs(a[0])
		}
	}
	if p != nil && p.LocalAddr != nil {
		return addressAttrs(p.LocalAddr.String())
	}
	return nil
}

// serverMetricAttrs adds server.address/port, as the server's spans have
// them, to otelgrpc's rpc.server.call.duration.
func serverMetricAttrs(ctx context.Context) []attribute.KeyValue {
	p, _ := peer.FromContext(ctx)
	return authorityAttrs(ctx, p)
}

// targetAttrs: on a client, server.address/port come from the target the
// client was made for ("host:port", "dns:///host:port",
// "dns://resolver/host:port", "xds:///name"); nil for a Unix socket, whose
// path otelgrpc already reports, or a target that names no host.
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
