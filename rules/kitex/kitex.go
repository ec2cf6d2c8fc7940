// Package kitex holds the hooks otelgo splices into
// github.com/cloudwego/kitex, CloudWeGo's RPC framework: every server made
// by server.NewServer (generated NewServer functions and genericserver
// call it) gets a stats.Tracer and a middleware of this package, and every
// client made by client.NewClient (generated NewClient functions and
// genericclient call it) a stats.Tracer, appended to a copy of the
// program's options, so that each RPC has a SERVER span in the server and
// a CLIENT span in the caller, and a duration in rpc.server.call.duration
// or rpc.client.call.duration.
//
// Why not kitex-contrib/obs-opentelemetry: it is CloudWeGo's, not
// OpenTelemetry's, writes the conventions of semconv v1.12 (rpc.system,
// rpc.service, net.peer.*, its own status.code and kitex.* attributes),
// and its releases require newer OpenTelemetry modules than otelgo's
// hooks use (and, through cwgo-pkg, newer kitex and hertz releases), which
// would raise a program's versions. The tracer here is written on kitex's
// own stats.Tracer API, the same from kitex v0.11 to v0.16.3.
//
// Conventions (semconv v1.39, otelgo.dev/rules/internal/semconv):
//   - span name and rpc.method "Service/Method" ("package.Service/Method"
//     when the IDL gives a package), the IDL's service and method, as the
//     RPC conventions ask; a method the framework does not know (the
//     client's IDL lacks it; on a server, kitex answered UNKNOWN_METHOD or
//     UNKNOWN_SERVICE, as v0.16 does, where v0.11's generic server answers
//     PROTOCOL_ERROR and the method keeps its name) is rpc.method "_OTHER"
//     with rpc.method_original "Service/Method", and the span is named
//     "kitex";
//   - rpc.system.name "kitex": the conventions' well-known values (grpc,
//     dubbo, connectrpc, jsonrpc) do not name kitex, and an enum attribute
//     takes a custom value when none applies; kitex speaks Thrift over
//     TTHeader or framed transports, and gRPC too, but the note on
//     rpc.system.name names the framework at each end (a Dubbo client of
//     a gRPC server reports "dubbo"), so the value is "kitex" whatever the
//     transport (obs-opentelemetry wrote rpc.system "kitex" too);
//   - rpc.response.status_code is what the server answered when the RPC
//     failed: a business status error's code ("404", from
//     kerrors.NewBizStatusError, carried by TTHeader and gRPC), or the
//     Thrift application exception kitex sent ("INTERNAL_ERROR" for an
//     error the handler returned, "UNKNOWN_METHOD"...: Apache Thrift's
//     TApplicationException type names); a successful RPC has none, as
//     kitex has no status code for success;
//   - error.type: that status code, else kitex's kind of error
//     ("rpc_timeout", "get_connection_error", "internal_exception"...: the
//     message of its kerrors basic error, spaces as underscores), else
//     "_OTHER"; a failed RPC's span has status Error on both sides;
//   - server.address/port: the address the client sent the RPC to
//     (WithHostPorts or the resolver's instance), on a server the local
//     address of the connection the RPC came on (kitex's rpcinfo has no
//     address for the server: a bound handler notes it when the connection
//     opens); network.peer.address/port the other end of the connection,
//     network.transport "tcp" or "unix".
//
// Trace context: the client injects the configured propagators' fields
// (W3C traceparent and baggage by default) as kitex metainfo transient
// values, which kitex sends in the TTHeader of the request (the same keys
// as obs-opentelemetry's, which should let a process it traces and one
// otelgo built share a trace; not tested), or, for the gRPC transport, as
// plain gRPC metadata (which a grpc-go server reads as well). The server
// takes the parent from either. TTHeader is tested end to end (kitex's
// JSON generic call, two processes); gRPC by the Go tests, with a
// hand-written protobuf service (kitex's generic call does not work over
// gRPC). The transport is never changed: with kitex's default transport,
// framed (or buffered) Thrift with no header, nothing can carry the
// context; both spans are still made, in two traces. A program that wants
// one trace chooses TTHeader (client.WithTransportProtocol(transport.TTHeader))
// or gRPC. The fields are among the request's metainfo values the server's
// handlers see (metainfo.GetAllValues), as with obs-opentelemetry.
//
// Server spans start when kitex begins reading the request and end when
// the response is written. For TTHeader the request's header is read only
// after that, so the SERVER span is made by the middleware, which runs
// after the program's own middlewares, with the start time kept from the
// start; the handler's context holds it. An RPC that fails before the
// middleware runs (a request kitex cannot decode, an unknown method) still
// gets its span, made when the RPC ends, with the caller's context where
// kitex had read the request's header (a meta handler keeps it); a read
// that reached no handler and failed nothing (a heartbeat) gets none. A
// client span covers the whole call, retries included (kitex calls the
// tracer once per call). A streaming RPC gets one span from the stream's
// start to its end; only unary RPCs are tested.
//
// A program that installs obs-opentelemetry's tracers itself keeps its own
// spans: a client whose context already holds a CLIENT span of
// obs-opentelemetry's scope, and a server whose middleware chain already
// started a SERVER span of it, get nothing more from these hooks. On the
// gRPC transport kitex reads the request's metadata before the tracer
// starts, and the SERVER span starts there, before any middleware (so that
// a stream's context holds it too): a server with obs-opentelemetry's
// middleware gets two SERVER spans there.
//
// Versions: kitex v0.11.0 to v0.16.3 are tested, with Go 1.26. Releases
// before v0.16.0 require bytedance/sonic versions that do not build with
// Go 1.26, so a program on them built with Go 1.26 requires a newer sonic
// itself (the test's oldest program: kitex v0.11.0 with sonic v1.15.0); the
// hooks take the program's versions. With kitex v0.11 to v0.15, a generic
// client refuses a method its IDL lacks before the call starts, so there is
// no span; v0.16 starts the call and fails it (error.type
// "internal_exception").
//
// The rules are in kitex.json beside this file; the hooks are reached from
// kitex through //go:linkname, so their signatures follow the convention of
// otelgo.dev/rules/api exactly.
package kitex

import (
	"github.com/cloudwego/kitex/client"
	"github.com/cloudwego/kitex/pkg/serviceinfo"
	"github.com/cloudwego/kitex/server"

	"otelgo.dev/rules/api"
)

// Scope is the instrumentation scope of the spans and metrics.
const Scope = "otelgo.dev/rules/kitex"

// NewServerOnEnter is the OnEnter hook of
//
//	func NewServer(ops ...Option) Server
//
// in kitex's server package (server.go). It appends the server tracer, its
// middleware, a handler that notes each connection's local address
// (kitex's rpcinfo has none for the server) and a meta handler that keeps
// the request's metainfo to a copy of the options.
func NewServerOnEnter(call api.CallContext, ops []server.Option) {
	t := &serverTracer{}
	call.SetParam(0, append(ops[:len(ops):len(ops)],
		server.WithTracer(t), server.WithMiddleware(t.middleware), server.WithBoundHandler(&localAddr{}),
		server.WithMetaHandler(metaReader{})))
}

// NewClientOnEnter is the OnEnter hook of
//
//	func NewClient(svcInfo *serviceinfo.ServiceInfo, opts ...Option) (Client, error)
//
// in kitex's client package (client.go). It appends the client tracer to a
// copy of the options.
func NewClientOnEnter(call api.CallContext, _ *serviceinfo.ServiceInfo, opts []client.Option) {
	call.SetParam(1, append(opts[:len(opts):len(opts)], client.WithTracer(clientTracer{})))
}
