// Package mcpsdk holds the hooks otelgo splices into
// github.com/modelcontextprotocol/go-sdk, the official MCP Go SDK: every
// client made by mcp.NewClient gets a sending middleware and every server
// made by mcp.NewServer a receiving middleware, which trace each MCP
// request and notification per the MCP semantic conventions
// (otelgo.dev/rules/internal/mcpconv): a CLIENT span around each request
// the client sends ("tools/call {tool}", "initialize", "tools/list"...),
// whose trace context goes to the server in the request's params._meta,
// and a SERVER span around each request the server handles, a child of
// that context, so that a client and a server built with otelgo make one
// trace over stdio as over HTTP; the tool handler runs in the SERVER span's
// context. mcp.client.operation.duration and mcp.server.operation.duration
// measure them.
//
// The client's middleware sends a copy of the request and of its params
// with the trace context added to _meta: the params the program passed are
// not changed. The SDK does not show its middlewares the JSON-RPC id, so
// jsonrpc.request.id is not set; network.transport is not set either (the
// middleware does not see the transport). Requests the server sends to the
// client (sampling, elicitation, roots) and the client's handling of them
// are not traced.
//
// The rules are in mcpsdk.json beside this file.
package mcpsdk

import (
	"context"
	"reflect"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/mcpconv"
)

// ScopeName is the instrumentation scope of the spans and metrics made here.
const ScopeName = "otelgo.dev/rules/mcpsdk"

// NewClientOnExit is the OnExit hook of
//
//	func NewClient(impl *Implementation, options *ClientOptions) *Client
//
// in mcp (client.go): the client gets the tracing sending middleware.
func NewClientOnExit(_ api.CallContext, c *mcp.Client) {
	if c != nil {
		c.AddSendingMiddleware(sending)
	}
}

// NewServerOnExit is the OnExit hook of
//
//	func NewServer(impl *Implementation, options *ServerOptions) *Server
//
// in mcp (server.go): the server gets the tracing receiving middleware.
func NewServerOnExit(_ api.CallContext, s *mcp.Server) {
	if s != nil {
		s.AddReceivingMiddleware(receiving)
	}
}

// describe returns what mcpconv needs to know of a request.
func describe(method string, req mcp.Request) mcpconv.Request {
	r := mcpconv.Request{Method: method}
	if req == nil {
		return r
	}
	if p := req.GetParams(); p != nil && !isNil(p) {
		r.Params = p
	}
	switch s := req.GetSession().(type) {
	case *mcp.ClientSession:
		if s != nil {
			r.SessionID = s.ID()
			if res := s.InitializeResult(); res != nil {
				r.Protocol = res.ProtocolVersion
			}
		}
	case *mcp.ServerSession:
		if s != nil {
			r.SessionID = s.ID()
			if p := s.InitializeParams(); p != nil {
				r.Protocol = p.ProtocolVersion
			}
		}
	}
	return r
}

func isNil(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// toolError reports whether res is a tools/call result with isError.
func toolError(res mcp.Result) bool {
	r, ok := res.(*mcp.CallToolResult)
	return ok && r != nil && r.IsError
}

func sending(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		var op *mcpconv.Op
		mcpconv.Protect(func() {
			r := describe(method, req)
			ctx, op = mcpconv.StartClient(ctx, ScopeName, r)
			req = withMeta(method, req, op)
		})
		res, err := next(ctx, method, req)
		mcpconv.Protect(func() { op.End(err, toolError(res)) })
		return res, err
	}
}

func receiving(next mcp.MethodHandler) mcp.MethodHandler {
	return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
		var op *mcpconv.Op
		mcpconv.Protect(func() {
			r := describe(method, req)
			var meta map[string]any
			if p, ok := r.Params.(mcp.Params); ok {
				meta = p.GetMeta()
			}
			ctx, op = mcpconv.StartServer(ctx, ScopeName, r, meta)
		})
		res, err := next(ctx, method, req)
		mcpconv.Protect(func() { op.End(err, toolError(res)) })
		return res, err
	}
}

// withMeta returns a copy of req (a *ClientRequest[P], P a params pointer
// or the Params interface) whose params are a copy of req's with the op's trace context in _meta; req itself when it is
// not of that shape.
func withMeta(method string, req mcp.Request, op *mcpconv.Op) mcp.Request {
	rv := reflect.ValueOf(req)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return req
	}
	cp := reflect.New(rv.Elem().Type())
	cp.Elem().Set(rv.Elem())
	pf := cp.Elem().FieldByName("Params")
	if !pf.IsValid() || !pf.CanSet() {
		return req
	}
	// Params is a pointer to the params' struct, or an interface (Params)
	// holding one.
	// Requests sent without params (tools/list, ping...) get empty ones to
	// carry _meta.
	pv := pf
	if pv.Kind() == reflect.Interface {
		if pv.IsNil() {
			empty := emptyParams(method)
			if empty == nil {
				return req
			}
			pv = reflect.ValueOf(empty)
		} else {
			pv = pv.Elem()
		}
	}
	if pv.Kind() != reflect.Pointer || pv.Type().Elem().Kind() != reflect.Struct {
		return req
	}
	pc := reflect.New(pv.Type().Elem())
	if !pv.IsNil() {
		pc.Elem().Set(pv.Elem())
	}
	params, ok := pc.Interface().(mcp.Params)
	if !ok || !pc.Type().AssignableTo(pf.Type()) {
		return req
	}
	pf.Set(pc)
	out, ok := cp.Interface().(mcp.Request)
	if !ok {
		return req
	}
	params.SetMeta(op.Meta(params.GetMeta()))
	return out
}

// emptyParams returns empty params for the requests whose params are
// optional.
func emptyParams(method string) mcp.Params {
	switch method {
	case "tools/list":
		return &mcp.ListToolsParams{}
	case "prompts/list":
		return &mcp.ListPromptsParams{}
	case "resources/list":
		return &mcp.ListResourcesParams{}
	case "resources/templates/list":
		return &mcp.ListResourceTemplatesParams{}
	case "ping":
		return &mcp.PingParams{}
	case "notifications/initialized":
		return &mcp.InitializedParams{}
	}
	return nil
}
