// Package mcpconv traces Model Context Protocol requests and notifications
// for the hooks of the MCP SDKs, following the MCP semantic conventions
// (go.opentelemetry.io/otel/semconv/v1.39.0 has the mcp.* attributes and
// the mcpconv metrics; the span names, kinds and the propagation in
// params._meta follow the conventions' current text, docs/gen-ai/mcp.md of
// the GenAI semantic conventions, which v1.39.0 has no Go for):
//
//   - a CLIENT span on the sending side and a SERVER span on the receiving
//     side, named "{mcp.method.name} {target}" where the target is the tool
//     (gen_ai.tool.name) or prompt (gen_ai.prompt.name) named in the
//     request, else "{mcp.method.name}";
//   - mcp.method.name, mcp.session.id, mcp.protocol.version, mcp.resource.uri,
//     jsonrpc.request.id (when the SDK tells it), network.transport, and
//     gen_ai.operation.name "execute_tool" for tools/call;
//   - a JSON-RPC error sets error.type and rpc.response.status_code to its
//     code; a tool result with isError, error.type "tool_error";
//   - the sender injects the trace context with the configured propagators
//     into the request's params._meta (unprefixed keys: traceparent,
//     tracestate, baggage) and the receiver extracts it as the SERVER span's
//     parent, so that client and server make one trace over any transport;
//     the context the receiver had already (its transport's: the HTTP
//     request's SERVER span), if any, is linked;
//   - mcp.client.operation.duration and mcp.server.operation.duration.
package mcpconv

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	semconv "otelgo.dev/rules/internal/semconv"
	semmcp "otelgo.dev/rules/internal/semconv/mcpconv"

	"otelgo.dev/rules/goroutine"
	"otelgo.dev/rules/internal/telemetry"
)

// Request is what is known of a request or notification when it is sent or
// received.
type Request struct {
	Method    string
	ID        string // the JSON-RPC id; "" for a notification or when unknown
	SessionID string
	Protocol  string // the negotiated MCP protocol version, when known
	Transport string // network.transport: "pipe" for stdio, "tcp" for HTTP; "" when unknown
	Params    any    // the params, typed or raw JSON, for the tool, prompt or resource they name
}

// Op is one traced request, from its start to its end.
type Op struct {
	scope  string
	server bool
	ctx    context.Context
	span   trace.Span
	start  time.Time
	attrs  []attribute.KeyValue // the metrics' attributes known at the start
}

// targets are the fields of params that name what a request is about.
type targets struct {
	Name string `json:"name"`
	URI  string `json:"uri"`
}

func targetsOf(params any) targets {
	var t targets
	var raw []byte
	switch p := params.(type) {
	case nil:
		return t
	case json.RawMessage:
		raw = p
	case []byte:
		raw = p
	default:
		b, err := json.Marshal(p)
		if err != nil {
			return t
		}
		raw = b
	}
	_ = json.Unmarshal(raw, &t)
	return t
}

// start builds the name and the attributes of a request's span.
func start(r Request) (name string, attrs, metricAttrs []attribute.KeyValue) {
	name = r.Method
	attrs = append(attrs, semconv.McpMethodNameKey.String(r.Method))
	t := targetsOf(r.Params)
	switch r.Method {
	case "tools/call":
		metricAttrs = append(metricAttrs, semconv.GenAIOperationNameExecuteTool)
		if t.Name != "" {
			name += " " + t.Name
			metricAttrs = append(metricAttrs, semconv.GenAIToolName(t.Name))
		}
	case "prompts/get":
		if t.Name != "" {
			name += " " + t.Name
			metricAttrs = append(metricAttrs, semconv.GenAIPromptName(t.Name))
		}
	case "resources/read", "resources/subscribe", "resources/unsubscribe", "notifications/resources/updated":
		if t.URI != "" {
			attrs = append(attrs, semconv.McpResourceURI(t.URI))
		}
	}
	if r.Protocol != "" {
		metricAttrs = append(metricAttrs, semconv.McpProtocolVersion(r.Protocol))
	}
	if r.Transport != "" {
		metricAttrs = append(metricAttrs, semconv.NetworkTransportKey.String(r.Transport))
	}
	attrs = append(attrs, metricAttrs...)
	if r.ID != "" {
		attrs = append(attrs, semconv.JSONRPCRequestID(r.ID))
	}
	if r.SessionID != "" {
		attrs = append(attrs, semconv.McpSessionID(r.SessionID))
	}
	return name, attrs, append([]attribute.KeyValue{semconv.McpMethodNameKey.String(r.Method)}, metricAttrs...)
}

// StartClient starts the CLIENT span of a request the program sends, as a
// child of the span in ctx (else of the goroutine's current span).
func StartClient(ctx context.Context, scope string, r Request) (context.Context, *Op) {
	name, attrs, mattrs := start(r)
	op := &Op{scope: scope, start: time.Now(), attrs: mattrs}
	op.ctx, op.span = telemetry.Tracer(scope).Start(goroutine.Context(ctx), name,
		trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...), trace.WithTimestamp(op.start))
	return op.ctx, op
}

// Meta returns a copy of meta (a request's params._meta, may be nil) with
// the op's trace context added by the configured propagators.
func (op *Op) Meta(meta map[string]any) map[string]any {
	carrier := propagation.MapCarrier{}
	otel.GetTextMapPropagator().Inject(op.ctx, carrier)
	out := make(map[string]any, len(meta)+len(carrier))
	for k, v := range meta {
		out[k] = v
	}
	for k, v := range carrier {
		out[k] = v
	}
	return out
}

// StartServer starts the SERVER span of a request the program received,
// whose params._meta is meta: its parent is the context meta carries; the
// context the program had (ctx's span, the goroutine's), when there is one,
// is linked.
func StartServer(ctx context.Context, scope string, r Request, meta map[string]any) (context.Context, *Op) {
	name, attrs, mattrs := start(r)
	op := &Op{scope: scope, server: true, start: time.Now(), attrs: mattrs}
	carrier := propagation.MapCarrier{}
	for k, v := range meta {
		if s, ok := v.(string); ok {
			carrier[k] = s
		}
	}
	opts := []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...), trace.WithTimestamp(op.start)}
	ambient := trace.SpanContextFromContext(goroutine.Context(ctx))
	parent := otel.GetTextMapPropagator().Extract(ctx, carrier)
	if remote := trace.SpanContextFromContext(parent); remote.IsValid() {
		if ambient.IsValid() && ambient.SpanID() != remote.SpanID() {
			opts = append(opts, trace.WithLinks(trace.Link{SpanContext: ambient}))
		}
		op.ctx, op.span = telemetry.Tracer(scope).Start(parent, name, opts...)
	} else {
		op.ctx, op.span = telemetry.Tracer(scope).Start(goroutine.Context(ctx), name, opts...)
	}
	return op.ctx, op
}

// Context returns the op's context: its span's.
func (op *Op) Context() context.Context { return op.ctx }

// End ends the op's span and records its duration: err is the error the
// request ended with (a JSON-RPC error, or the transport's), toolError
// whether the tools/call result had isError.
func (op *Op) End(err error, toolError bool) {
	if op == nil {
		return
	}
	end := time.Now()
	attrs := op.attrs
	switch {
	case err != nil:
		var kvs []attribute.KeyValue
		if code, ok := errorCode(err); ok {
			s := strconv.FormatInt(code, 10)
			kvs = []attribute.KeyValue{semconv.ErrorTypeKey.String(s), semconv.RPCResponseStatusCode(s)}
		} else {
			kvs = []attribute.KeyValue{errorType(err)}
		}
		op.span.SetAttributes(kvs...)
		op.span.SetStatus(codes.Error, err.Error())
		attrs = append(attrs[:len(attrs):len(attrs)], kvs...)
	case toolError:
		kv := semconv.ErrorTypeKey.String("tool_error")
		op.span.SetAttributes(kv)
		op.span.SetStatus(codes.Error, "")
		attrs = append(attrs[:len(attrs):len(attrs)], kv)
	}
	op.span.End(trace.WithTimestamp(end))
	ins := meters.Get(op.scope)
	set := attribute.NewSet(attrs...)
	d := end.Sub(op.start).Seconds()
	if op.server {
		ins.server.RecordSet(op.ctx, d, set)
	} else {
		ins.client.RecordSet(op.ctx, d, set)
	}
}

// errorCode finds a JSON-RPC error in err's chain: a struct with an integer
// Code and a string Message (each SDK has its own type, some of them in
// internal packages).
func errorCode(err error) (int64, bool) {
	for e := err; e != nil; e = errors.Unwrap(e) {
		v := reflect.ValueOf(e)
		for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
			if v.IsNil() {
				break
			}
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			continue
		}
		code, msg := v.FieldByName("Code"), v.FieldByName("Message")
		if !code.IsValid() || !msg.IsValid() || msg.Kind() != reflect.String {
			continue
		}
		switch code.Kind() {
		case reflect.Int, reflect.Int32, reflect.Int64:
			return code.Int(), true
		}
	}
	return 0, false
}

func errorType(err error) attribute.KeyValue {
	switch {
	case errors.Is(err, context.Canceled):
		return semconv.ErrorTypeKey.String("context.Canceled")
	case errors.Is(err, context.DeadlineExceeded):
		return semconv.ErrorTypeKey.String("context.DeadlineExceeded")
	}
	return semconv.ErrorType(err)
}

// buckets are the bucket boundaries the MCP conventions advise.
var buckets = metric.WithExplicitBucketBoundaries(0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300)

type instruments struct {
	client semmcp.ClientOperationDuration
	server semmcp.ServerOperationDuration
}

var meters = telemetry.NewInstruments(func(m metric.Meter) instruments {
	c, err := semmcp.NewClientOperationDuration(m, buckets)
	if err != nil {
		otel.Handle(err)
	}
	s, err := semmcp.NewServerOperationDuration(m, buckets)
	if err != nil {
		otel.Handle(err)
	}
	return instruments{client: c, server: s}
})

// Protect runs f, hook code that runs inside an SDK's calls where a panic
// would reach the program: it is recovered.
func Protect(f func()) {
	defer func() { _ = recover() }()
	f()
}

// RPCError is a JSON-RPC error read from a message: End records its code.
type RPCError struct {
	Code    int64
	Message string
}

func (e *RPCError) Error() string { return e.Message }

// Message is the part of a JSON-RPC message the hooks read.
type Message struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result *struct {
		IsError bool `json:"isError"`
	} `json:"result"`
	Error *RPCError `json:"error"`
}

// ParseMessage reads a JSON-RPC message (a request, a notification or a
// response).
func ParseMessage(raw []byte) (Message, bool) {
	var m Message
	if json.Unmarshal(raw, &m) != nil {
		return Message{}, false
	}
	return m, true
}

// RequestID renders a JSON-RPC id for jsonrpc.request.id: a string's value,
// a number's digits; "" for none or null.
func RequestID(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// ParamsMeta returns the _meta of raw params.
func ParamsMeta(raw json.RawMessage) map[string]any {
	var p struct {
		Meta map[string]any `json:"_meta"`
	}
	_ = json.Unmarshal(raw, &p)
	return p.Meta
}

// WithMeta returns params as a JSON object (a map of its fields) with the
// op's trace context added to its _meta; params itself when it is not an
// object. nil params become an object holding only _meta.
func (op *Op) WithMeta(params any) any {
	fields := map[string]json.RawMessage{}
	if params != nil {
		b, err := json.Marshal(params)
		if err != nil {
			return params
		}
		if string(b) != "null" && json.Unmarshal(b, &fields) != nil {
			return params
		}
	}
	var meta map[string]any
	if raw, ok := fields["_meta"]; ok {
		if json.Unmarshal(raw, &meta) != nil {
			return params
		}
	}
	b, err := json.Marshal(op.Meta(meta))
	if err != nil {
		return params
	}
	if fields == nil {
		fields = map[string]json.RawMessage{}
	}
	fields["_meta"] = b
	return fields
}
