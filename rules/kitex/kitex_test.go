package kitex

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudwego/kitex/client"
	"github.com/cloudwego/kitex/client/genericclient"
	"github.com/cloudwego/kitex/pkg/generic"
	"github.com/cloudwego/kitex/pkg/kerrors"
	"github.com/cloudwego/kitex/pkg/remote"
	"github.com/cloudwego/kitex/pkg/remote/trans/nphttp2/metadata"
	"github.com/cloudwego/kitex/pkg/rpcinfo"
	"github.com/cloudwego/kitex/pkg/serviceinfo"
	"github.com/cloudwego/kitex/pkg/streaming"
	"github.com/cloudwego/kitex/pkg/transmeta"
	"github.com/cloudwego/kitex/server"
	"github.com/cloudwego/kitex/server/genericserver"
	"github.com/cloudwego/kitex/transport"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/calltest"
	"otelgo.dev/rules/internal/spanrec"
)

// The hooks must fit the api convention for their targets exactly.
var (
	_ func(api.CallContext, []server.Option)                           = NewServerOnEnter
	_ func(api.CallContext, *serviceinfo.ServiceInfo, []client.Option) = NewClientOnEnter
)

const idl = `namespace go echo
struct Request { 1: string message }
struct Response { 1: string message }
service Echo {
    Response Say(1: Request req)
    Response Fail(1: Request req)
    Response Find(1: Request req)
}`

type echo struct {
	inHandler   chan trace.SpanContext
	traceparent string // the gRPC metadata's, in grpcEcho
}

func (e *echo) GenericCall(ctx context.Context, method string, request interface{}) (interface{}, error) {
	e.inHandler <- trace.SpanContextFromContext(ctx)
	switch method {
	case "Fail":
		return nil, errors.New("the handler failed")
	case "Find":
		return nil, kerrors.NewBizStatusError(404, "nothing found")
	}
	return request, nil
}

func freeAddr(t *testing.T) *net.TCPAddr {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().(*net.TCPAddr)
	_ = l.Close()
	return addr
}

func jsonGeneric(t *testing.T) generic.Generic {
	t.Helper()
	p, err := generic.NewThriftContentProvider(idl, nil)
	if err != nil {
		t.Fatal(err)
	}
	g, err := generic.JSONThriftGeneric(p)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// serve runs an Echo server with the options the server hook gives.
func serve(t *testing.T, h *echo) *net.TCPAddr {
	t.Helper()
	addr := freeAddr(t)
	call := &calltest.Call{Params: []any{[]server.Option{server.WithServiceAddr(addr), server.WithMetaHandler(transmeta.ServerTTHeaderHandler)}}}
	NewServerOnEnter(call, call.Params[0].([]server.Option))
	svr := genericserver.NewServer(h, jsonGeneric(t), call.Params[0].([]server.Option)...)
	go func() { _ = svr.Run() }()
	t.Cleanup(func() { _ = svr.Stop() })
	waitFor(t, addr)
	return addr
}

func waitFor(t *testing.T, addr *net.TCPAddr) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", addr.String())
		if err == nil {
			_ = c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// newClient makes a generic client with the options the client hook gives.
func newClient(t *testing.T, addr *net.TCPAddr, proto transport.Protocol) genericclient.Client {
	t.Helper()
	opts := []client.Option{client.WithHostPorts(addr.String()), client.WithTransportProtocol(proto),
		client.WithMetaHandler(transmeta.ClientTTHeaderHandler)}
	call := &calltest.Call{Params: []any{nil, opts}}
	NewClientOnEnter(call, nil, opts)
	if !call.ParamSet || len(call.Params[1].([]client.Option)) != len(opts)+1 {
		t.Fatalf("the client hook did not append its tracer: %v", call.Params[1])
	}
	cli, err := genericclient.NewClient("echo", jsonGeneric(t), call.Params[1].([]client.Option)...)
	if err != nil {
		t.Fatal(err)
	}
	return cli
}

func installMeter(t *testing.T) *sdkmetric.ManualReader {
	t.Helper()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	old := otel.GetMeterProvider()
	otel.SetMeterProvider(mp)
	t.Cleanup(func() { otel.SetMeterProvider(old); _ = mp.Shutdown(context.Background()) })
	return reader
}

// spansOf waits for n spans (the server's ends after its response is
// written, maybe after the client's).
func spansOf(t *testing.T, rec interface {
	Ended() []sdktrace.ReadOnlySpan
}, n int) []sdktrace.ReadOnlySpan {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for len(rec.Ended()) < n && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	spans := rec.Ended()
	if len(spans) != n {
		t.Fatalf("%d spans, want %d", len(spans), n)
	}
	return spans
}

func byKind(spans []sdktrace.ReadOnlySpan, kind trace.SpanKind) sdktrace.ReadOnlySpan {
	for _, s := range spans {
		if s.SpanKind() == kind {
			return s
		}
	}
	return nil
}

func TestRPCInOneTraceOverTTHeader(t *testing.T) {
	rec := spanrec.Install(t)
	reader := installMeter(t)
	h := &echo{inHandler: make(chan trace.SpanContext, 1)}
	addr := serve(t, h)
	cli := newClient(t, addr, transport.TTHeader)

	ctx, parent := otel.Tracer("test").Start(context.Background(), "parent")
	resp, err := cli.GenericCall(ctx, "Say", `{"message": "hi"}`)
	parent.End()
	if err != nil || resp != `{"message":"hi"}` {
		t.Fatalf("%v %v", resp, err)
	}
	spans := spansOf(t, rec, 3)
	c, s := byKind(spans, trace.SpanKindClient), byKind(spans, trace.SpanKindServer)
	if c == nil || s == nil {
		t.Fatalf("spans %v", spans)
	}
	if c.Parent().SpanID() != parent.SpanContext().SpanID() || s.Parent().SpanID() != c.SpanContext().SpanID() ||
		s.SpanContext().TraceID() != parent.SpanContext().TraceID() {
		t.Errorf("not one trace: client parent %v, server parent %v", c.Parent(), s.Parent())
	}
	if got := <-h.inHandler; got.SpanID() != s.SpanContext().SpanID() {
		t.Errorf("the handler's context holds %v, not the SERVER span", got)
	}
	port := strconv.Itoa(addr.Port)
	for _, span := range []sdktrace.ReadOnlySpan{c, s} {
		a := spanrec.AttrStrings(span)
		if span.Name() != "Echo/Say" || span.InstrumentationScope().Name != Scope || a["rpc.system.name"] != "kitex" ||
			a["rpc.method"] != "Echo/Say" || a["server.address"] != "127.0.0.1" || a["server.port"] != port ||
			a["network.peer.address"] != "127.0.0.1" || a["rpc.response.status_code"] != "" || a["error.type"] != "" {
			t.Errorf("%s span %q: %v", span.SpanKind(), span.Name(), a)
		}
		if span.Status().Code != codes.Unset {
			t.Errorf("%s span status %v", span.SpanKind(), span.Status())
		}
	}
	if spanrec.AttrStrings(c)["network.peer.port"] != port || spanrec.AttrStrings(s)["network.peer.port"] == port {
		t.Errorf("peer ports: client %v, server %v", c.Attributes(), s.Attributes())
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if h, ok := m.Data.(metricdata.Histogram[float64]); ok && sm.Scope.Name == Scope {
				for _, p := range h.DataPoints {
					method, _ := p.Attributes.Value("rpc.method")
					system, _ := p.Attributes.Value("rpc.system.name")
					if p.Count == 1 && method.AsString() == "Echo/Say" && system.AsString() == "kitex" {
						seen[m.Name] = true
					}
				}
			}
		}
	}
	if !seen["rpc.client.call.duration"] || !seen["rpc.server.call.duration"] {
		t.Errorf("duration points: %v (%+v)", seen, rm.ScopeMetrics)
	}
}

func TestErrorsAndStatusCodes(t *testing.T) {
	rec := spanrec.Install(t)
	h := &echo{inHandler: make(chan trace.SpanContext, 2)}
	addr := serve(t, h)
	cli := newClient(t, addr, transport.TTHeader)
	for _, w := range []struct{ method, code string }{{"Fail", "INTERNAL_ERROR"}, {"Find", "404"}} {
		rec.Reset()
		if _, err := cli.GenericCall(context.Background(), w.method, `{"message": "x"}`); err == nil {
			t.Fatalf("%s: no error", w.method)
		}
		<-h.inHandler
		spans := spansOf(t, rec, 2)
		c, s := byKind(spans, trace.SpanKindClient), byKind(spans, trace.SpanKindServer)
		if s.Parent().SpanID() != c.SpanContext().SpanID() {
			t.Errorf("%s: server parent %v", w.method, s.Parent())
		}
		for _, span := range []sdktrace.ReadOnlySpan{c, s} {
			a := spanrec.AttrStrings(span)
			if a["rpc.response.status_code"] != w.code || a["error.type"] != w.code || span.Status().Code != codes.Error {
				t.Errorf("%s %s span: %v %v", w.method, span.SpanKind(), span.Status(), a)
			}
		}
	}
}

// Framed Thrift has no header: both spans, not linked, the transport kept.
func TestFramedCarriesNoContext(t *testing.T) {
	rec := spanrec.Install(t)
	h := &echo{inHandler: make(chan trace.SpanContext, 1)}
	addr := serve(t, h)
	cli := newClient(t, addr, transport.Framed)
	ctx, parent := otel.Tracer("test").Start(context.Background(), "parent")
	if _, err := cli.GenericCall(ctx, "Say", `{"message": "hi"}`); err != nil {
		t.Fatal(err)
	}
	parent.End()
	<-h.inHandler
	spans := spansOf(t, rec, 3)
	c, s := byKind(spans, trace.SpanKindClient), byKind(spans, trace.SpanKindServer)
	if c.Parent().SpanID() != parent.SpanContext().SpanID() || s.Parent().IsValid() {
		t.Errorf("client parent %v, server parent %v", c.Parent(), s.Parent())
	}
}

func TestObsOpenTelemetrySpansAreKept(t *testing.T) {
	rec := spanrec.Install(t)
	ctx, obs := otel.Tracer("github.com/kitex-contrib/obs-opentelemetry").Start(context.Background(), "Echo/Say",
		trace.WithSpanKind(trace.SpanKindClient))
	if out := (clientTracer{}).Start(ctx); out != ctx {
		t.Error("a CLIENT span of obs-opentelemetry got a second one")
	}
	obs.End()
	if n := len(rec.Ended()); n != 1 {
		t.Errorf("%d spans", n)
	}
	st := &rpcState{}
	sctx, sobs := otel.Tracer("github.com/kitex-contrib/obs-opentelemetry").Start(context.Background(), "Echo/Say",
		trace.WithSpanKind(trace.SpanKindServer))
	sctx = context.WithValue(sctx, stateKey{trace.SpanKindServer}, st)
	(&serverTracer{}).enter(sctx)
	(&serverTracer{}).Finish(sctx)
	sobs.End()
	if !st.skip || st.span != nil || len(rec.Ended()) != 2 {
		t.Errorf("server: skip %v span %v, %d spans", st.skip, st.span, len(rec.Ended()))
	}
}

func TestErrorOutcome(t *testing.T) {
	for _, w := range []struct {
		err             error
		status, errType string
	}{
		{kerrors.ErrRPCTimeout.WithCause(errors.New("deadline")), "", "rpc_timeout"},
		{kerrors.ErrGetConnection, "", "get_connection_error"},
		{kerrors.ErrRemoteOrNetwork.WithCause(remote.NewTransErrorWithMsg(remote.UnknownMethod, "unknown method Missing")), "UNKNOWN_METHOD", "UNKNOWN_METHOD"},
		{remote.NewTransError(remote.InternalError, kerrors.ErrBiz.WithCause(errors.New("x"))), "INTERNAL_ERROR", "INTERNAL_ERROR"},
		{fmt.Errorf("wrapped: %w", kerrors.NewBizStatusError(429, "slow down")), "429", "429"},
		{errors.New("plain"), "", "_OTHER"},
	} {
		o := errorOutcome(w.err)
		if o.status != w.status || o.errorType != w.errType || o.message == "" {
			t.Errorf("%v: %+v", w.err, o)
		}
	}
}

// grpcEcho is a hand-written kitex service over the gRPC transport (kitex's
// generic call does not support it): Echo/Say echoes a StringValue.
func grpcEcho(h *echo) *serviceinfo.ServiceInfo {
	say := func(ctx context.Context, _, arg, _ interface{}) error {
		st := arg.(*streaming.Args).Stream
		req := &wrapperspb.StringValue{}
		if err := st.RecvMsg(req); err != nil {
			return err
		}
		if md, ok := metadata.FromIncomingContext(ctx); ok && len(md.Get("traceparent")) > 0 {
			h.traceparent = md.Get("traceparent")[0]
		}
		h.inHandler <- trace.SpanContextFromContext(ctx)
		return st.SendMsg(req)
	}
	newMsg := func() interface{} { return &wrapperspb.StringValue{} }
	return &serviceinfo.ServiceInfo{
		ServiceName:  "Echo",
		HandlerType:  (*echo)(nil),
		PayloadCodec: serviceinfo.Protobuf,
		Methods: map[string]serviceinfo.MethodInfo{
			"Say": serviceinfo.NewMethodInfo(say, newMsg, newMsg, false, serviceinfo.WithStreamingMode(serviceinfo.StreamingUnary)),
		},
		Extra: map[string]interface{}{"PackageName": "test"},
	}
}

// Over kitex's gRPC transport the context travels as gRPC metadata.
func TestRPCInOneTraceOverGRPC(t *testing.T) {
	rec := spanrec.Install(t)
	h := &echo{inHandler: make(chan trace.SpanContext, 1)}
	addr := freeAddr(t)
	sCall := &calltest.Call{Params: []any{[]server.Option{server.WithServiceAddr(addr), server.WithExitWaitTime(time.Millisecond)}}}
	NewServerOnEnter(sCall, sCall.Params[0].([]server.Option))
	svr := server.NewServer(sCall.Params[0].([]server.Option)...)
	if err := svr.RegisterService(grpcEcho(h), h); err != nil {
		t.Fatal(err)
	}
	go func() { _ = svr.Run() }()
	t.Cleanup(func() { _ = svr.Stop() })
	waitFor(t, addr)

	opts := []client.Option{client.WithDestService("echo"), client.WithHostPorts(addr.String()), client.WithTransportProtocol(transport.GRPC)}
	cCall := &calltest.Call{Params: []any{nil, opts}}
	NewClientOnEnter(cCall, nil, opts)
	cli, err := client.NewClient(grpcEcho(h), cCall.Params[1].([]client.Option)...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, parent := otel.Tracer("test").Start(context.Background(), "parent")
	resp := &wrapperspb.StringValue{}
	if err := cli.Call(ctx, "Say", wrapperspb.String("hi"), resp); err != nil || resp.Value != "hi" {
		t.Fatalf("%v %v", resp, err)
	}
	parent.End()
	got := <-h.inHandler
	spans := spansOf(t, rec, 3)
	c, s := byKind(spans, trace.SpanKindClient), byKind(spans, trace.SpanKindServer)
	if c.Parent().SpanID() != parent.SpanContext().SpanID() || s.Parent().SpanID() != c.SpanContext().SpanID() {
		t.Errorf("client parent %v, server parent %v", c.Parent(), s.Parent())
	}
	if got.SpanID() != s.SpanContext().SpanID() {
		t.Errorf("the handler's context holds %v, not the SERVER span", got)
	}
	// A plain traceparent in the gRPC metadata, as any gRPC server reads it.
	if !strings.Contains(h.traceparent, c.SpanContext().SpanID().String()) {
		t.Errorf("gRPC metadata traceparent %q", h.traceparent)
	}
	for _, span := range []sdktrace.ReadOnlySpan{c, s} {
		a := spanrec.AttrStrings(span)
		if span.Name() != "test.Echo/Say" || a["rpc.method"] != "test.Echo/Say" || a["server.port"] != strconv.Itoa(addr.Port) {
			t.Errorf("%s span %q %v", span.SpanKind(), span.Name(), a)
		}
	}
}

// A method the client's IDL has and the server's lacks.
func TestUnknownMethodOnTheServer(t *testing.T) {
	rec := spanrec.Install(t)
	h := &echo{inHandler: make(chan trace.SpanContext, 1)}
	addr := serve(t, h)
	p, err := generic.NewThriftContentProvider(strings.Replace(idl, "service Echo {", "service Echo {\n    Response Missing(1: Request req)", 1), nil)
	if err != nil {
		t.Fatal(err)
	}
	g, err := generic.JSONThriftGeneric(p)
	if err != nil {
		t.Fatal(err)
	}
	opts := []client.Option{client.WithHostPorts(addr.String()), client.WithTransportProtocol(transport.TTHeader)}
	call := &calltest.Call{Params: []any{nil, opts}}
	NewClientOnEnter(call, nil, opts)
	cli, err := genericclient.NewClient("echo", g, call.Params[1].([]client.Option)...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli.GenericCall(context.Background(), "Missing", `{"message": "x"}`); err == nil {
		t.Fatal("no error")
	}
	spans := spansOf(t, rec, 2)
	c, s := byKind(spans, trace.SpanKindClient), byKind(spans, trace.SpanKindServer)
	ca, sa := spanrec.AttrStrings(c), spanrec.AttrStrings(s)
	// The exception kitex sends: PROTOCOL_ERROR from v0.11's generic codec,
	// UNKNOWN_SERVICE from v0.16's service search.
	code := sa["rpc.response.status_code"]
	if code == "" || ca["rpc.response.status_code"] != code || sa["error.type"] != code || ca["error.type"] != code ||
		c.Status().Code != codes.Error || s.Status().Code != codes.Error {
		t.Errorf("client %v %v, server %v %v", c.Status(), ca, s.Status(), sa)
	}
	if c.Name() != "Echo/Missing" || ca["rpc.method"] != "Echo/Missing" {
		t.Errorf("client span %q %v", c.Name(), ca)
	}
	switch code {
	case "UNKNOWN_METHOD", "UNKNOWN_SERVICE":
		if s.Name() != "kitex" || sa["rpc.method"] != "_OTHER" || !strings.HasSuffix(sa["rpc.method_original"], "Missing") {
			t.Errorf("server span %q %v", s.Name(), sa)
		}
	case "PROTOCOL_ERROR":
		if s.Name() != "Echo/Missing" || sa["rpc.method"] != "Echo/Missing" {
			t.Errorf("server span %q %v", s.Name(), sa)
		}
	default:
		t.Errorf("status %q", code)
	}
	// kitex failed the request in its own code, but had read its header.
	if s.Parent().SpanID() != c.SpanContext().SpanID() {
		t.Errorf("server parent %v", s.Parent())
	}
}

// A read that reaches no handler and fails nothing (a heartbeat) is no RPC.
func TestNoSpanWithoutAnRPC(t *testing.T) {
	rec := spanrec.Install(t)
	ri := rpcinfo.NewRPCInfo(rpcinfo.EmptyEndpointInfo(), rpcinfo.EmptyEndpointInfo(),
		rpcinfo.NewInvocation("", ""), rpcinfo.NewRPCConfig(), rpcinfo.NewRPCStats())
	st := &serverTracer{}
	st.Finish(st.Start(rpcinfo.NewCtxWithRPCInfo(context.Background(), ri)))
	if n := len(rec.Ended()); n != 0 {
		t.Errorf("%d spans", n)
	}
}
