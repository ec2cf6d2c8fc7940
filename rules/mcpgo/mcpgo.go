// Package mcpgo holds the hooks otelgo splices into
// github.com/mark3labs/mcp-go, an MCP SDK for Go: each request a
// client.Client sends (its sendRequest, under Initialize, ListTools,
// CallTool...) is a CLIENT span, and each message an MCPServer handles (its
// HandleMessage, which the stdio, SSE and streamable HTTP servers call; since
// v1.6.0 its handleMessage, which the stdio server calls directly) a SERVER
// span, per the MCP semantic conventions
// (otelgo.dev/rules/internal/mcpconv): "tools/call {tool}", "initialize",
// "tools/list"..., with the trace context in the request's params._meta
// so that a client and a server built with otelgo make one trace over
// stdio as over HTTP, and mcp.client.operation.duration and
// mcp.server.operation.duration.
//
// The client's params go to the SDK as a JSON object with the trace
// context added to _meta (the SDK marshals them to JSON in any case; the
// program's params are not changed). The SERVER span's context is the
// handler's, so the tool's own spans are its children. The server's spans
// have jsonrpc.request.id; the client's do not (the SDK numbers a request
// after the hook has run). Notifications the client sends
// (notifications/initialized) and requests the server sends the client are
// not traced. A client or server the program gave a tracer of its own
// (client.WithTracer, server.WithTracer, since v1.1) is left to it.
//
// The rules are in mcpgo.json beside this file.
package mcpgo

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/mcpconv"
)

// ScopeName is the instrumentation scope of the spans and metrics made here.
const ScopeName = "otelgo.dev/rules/mcpgo"

// ownTracer reports whether v (a *client.Client or *server.MCPServer) has a
// tracer the program set: a non-nil field "tracer" that is not the SDK's
// no-op.
func ownTracer(v any) bool {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return false
	}
	f := rv.Elem().FieldByName("tracer")
	if !f.IsValid() || f.Kind() != reflect.Interface || f.IsNil() {
		return false
	}
	return f.Elem().Type().Name() != "noopTracer"
}

type sent struct {
	op     *mcpconv.Op
	method string
}

// SendRequestOnEnter is the OnEnter hook of
//
//	func (c *Client) sendRequest(ctx context.Context, method string, params any, header http.Header) (*json.RawMessage, error)
//
// in mcp-go's client (client.go).
func SendRequestOnEnter(call api.CallContext, c *client.Client, ctx context.Context, method string, params any, _ http.Header) {
	if ownTracer(c) {
		return
	}
	r := mcpconv.Request{Method: method, Params: params}
	if c != nil {
		r.SessionID = c.GetSessionId()
	}
	ctx, op := mcpconv.StartClient(ctx, ScopeName, r)
	call.SetParam(0, ctx)
	call.SetParam(2, op.WithMeta(params))
	call.SetData(&sent{op: op, method: method})
}

// SendRequestOnExit is the OnExit hook of sendRequest.
func SendRequestOnExit(call api.CallContext, res *json.RawMessage, err error) {
	s, _ := call.Data().(*sent)
	if s == nil {
		return
	}
	s.op.End(err, s.method == "tools/call" && res != nil && isToolError(*res))
}

func isToolError(raw json.RawMessage) bool {
	var r struct {
		IsError bool `json:"isError"`
	}
	return json.Unmarshal(raw, &r) == nil && r.IsError
}

// HandleMessageOnEnter is the OnEnter hook of
//
//	func (s *MCPServer) HandleMessage(ctx context.Context, message json.RawMessage) mcp.JSONRPCMessage
//
// in mcp-go's server (request_handler.go). Responses (the client's
// answers to the server's requests) are not traced.
func HandleMessageOnEnter(call api.CallContext, s *server.MCPServer, ctx context.Context, message json.RawMessage) {
	if ownTracer(s) {
		return
	}
	m, ok := mcpconv.ParseMessage(message)
	if !ok || m.Method == "" {
		return
	}
	r := mcpconv.Request{Method: m.Method, ID: mcpconv.RequestID(m.ID), Params: m.Params}
	ctx, op := mcpconv.StartServer(ctx, ScopeName, r, mcpconv.ParamsMeta(m.Params))
	call.SetParam(0, ctx)
	call.SetData(op)
}

// HandleMessageInternalOnEnter is the OnEnter hook of
//
//	func (s *MCPServer) handleMessage(ctx context.Context, message json.RawMessage, registered bool) (resp mcp.JSONRPCMessage)
//
// in mcp-go's server since v1.6.0 (request_handler.go), which HandleMessage
// and the stdio server call.
func HandleMessageInternalOnEnter(call api.CallContext, s *server.MCPServer, ctx context.Context, message json.RawMessage, _ bool) {
	HandleMessageOnEnter(call, s, ctx, message)
}

// HandleMessageOnExit is the OnExit hook of HandleMessage (and handleMessage): the response
// (nil for a notification) says how the request ended.
func HandleMessageOnExit(call api.CallContext, resp mcp.JSONRPCMessage) {
	op, _ := call.Data().(*mcpconv.Op)
	if op == nil {
		return
	}
	if resp == nil {
		op.End(nil, false)
		return
	}
	b, err := json.Marshal(resp)
	if err != nil {
		op.End(nil, false)
		return
	}
	m, _ := mcpconv.ParseMessage(b)
	if m.Error != nil {
		op.End(m.Error, false)
		return
	}
	op.End(nil, m.Result != nil && m.Result.IsError)
}
