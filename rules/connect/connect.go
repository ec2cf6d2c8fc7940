// Package connect holds the hooks otelgo splices into connectrpc.com/connect:
// every client and every handler connect makes (through the generated
// New...Client and New...Handler, connect.NewClient, NewUnaryHandler and
// the stream handlers, all of which build their configuration in
// newClientConfig or newHandlerConfig) gets an interceptor of this package,
// following the RPC semantic conventions of
// go.opentelemetry.io/otel/semconv/v1.39.0: rpc.system.name "connectrpc"
// (or "grpc" for the gRPC and gRPC-Web protocols, which connect speaks too),
// rpc.method "package.Service/Method", rpc.response.status_code "OK",
// "NOT_FOUND"... (the gRPC names of connect's codes, as connect's own
// otelconnect writes them), error.type, server.address/port, and the
// rpc.client.call.duration and rpc.server.call.duration histograms.
//
// Why not connect's official otelconnect: its releases with these
// conventions (v0.10 on) need OpenTelemetry v1.46 and connect v1.19; the
// hooks need to work with the OpenTelemetry otelgo's other hooks use and
// with older connect releases.
//
// Connect serves over net/http, whose hooks (otelgo.dev/rules/nethttp)
// already make the request's SERVER span. A handler adds no second SERVER
// span: it makes that span the RPC's, as a router on net/http does with its
// route. The span is named "package.Service/Method" and gets the RPC
// attributes next to the HTTP ones, and http.route is the procedure
// ("/package.Service/Method"). Its status follows the RPC conventions (a
// server error for UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL,
// UNAVAILABLE and DATA_LOSS); where the Connect protocol answers with an
// HTTP 5xx, the net/http hook sets error.type to that status when the
// request ends ("500" rather than "INTERNAL": rpc.server.call.duration has
// the RPC's). A handler served without a net/http SERVER span (another
// server, the nethttp hooks switched off) makes its own, with the parent
// taken from the request headers.
//
// A client makes one CLIENT span per RPC (a stream: from its start to
// CloseResponse), under the span in the call's context, else the
// goroutine's current span; the HTTP request that carries it is the
// net/http hooks' CLIENT span, a child of the RPC's, and that span's
// context is what the server receives. Nothing is added to an RPC that an
// otelconnect interceptor the program installed itself already traces.
//
// The rules are in connect.json beside this file; the hooks are reached from
// connect through //go:linkname, so their signatures follow the convention
// of otelgo.dev/rules/api exactly.
package connect

import (
	"connectrpc.com/connect"

	"otelgo.dev/rules/api"
)

// NewClientConfigOnEnter is the OnEnter hook of
//
//	func newClientConfig(rawURL string, options []ClientOption) (*clientConfig, *Error)
//
// in connect (client.go): the interceptor joins a copy of the options,
// after the program's own interceptors.
func NewClientConfigOnEnter(call api.CallContext, _ string, options []connect.ClientOption) {
	call.SetParam(1, append(options[:len(options):len(options)], connect.WithInterceptors(interceptor{})))
}

// NewHandlerConfigOnEnter is the OnEnter hook of
//
//	func newHandlerConfig(procedure string, streamType StreamType, options []HandlerOption) *handlerConfig
//
// in connect (handler.go).
func NewHandlerConfigOnEnter(call api.CallContext, _ string, _ connect.StreamType, options []connect.HandlerOption) {
	call.SetParam(2, append(options[:len(options):len(options)], connect.WithInterceptors(interceptor{})))
}
