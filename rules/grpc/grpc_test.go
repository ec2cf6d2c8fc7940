package grpc

import (
	"context"
	"net"
	"strconv"
	"testing"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/calltest"
	"otelgo.dev/rules/internal/spanrec"
)

// The hooks must fit the api convention for their targets exactly.
var (
	_ func(api.CallContext, []grpc.ServerOption)                        = NewServerOnEnter
	_ func(api.CallContext, string, []grpc.DialOption)                  = NewClientOnEnter
	_ func(api.CallContext, context.Context, string, []grpc.DialOption) = DialContextOnEnter
)

// fakeCall is a CallContext like the one the spliced code passes.
type fakeCall = calltest.Call

// newServer starts a health server on loopback made as the hooked
// grpc.NewServer would make it, with the program's own options first.
// Its SERVER spans have all ended once stop returns.
func newServer(t *testing.T, own ...grpc.ServerOption) (addr string, stop func()) {
	t.Helper()
	call := &fakeCall{Params: []any{own}}
	NewServerOnEnter(call, own)
	srv := grpc.NewServer(call.Params[0].([]grpc.ServerOption)...)
	hs := health.NewServer()
	hs.SetServingStatus("shop", healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(srv, hs)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	return lis.Addr().String(), srv.GracefulStop
}

// newClient makes a client as the hooked grpc.NewClient would.
func newClient(t *testing.T, target string, own ...grpc.DialOption) *grpc.ClientConn {
	t.Helper()
	own = append(own, grpc.WithTransportCredentials(insecure.NewCredentials()))
	call := &fakeCall{Params: []any{target, own}}
	NewClientOnEnter(call, target, own)
	conn, err := grpc.NewClient(target, call.Params[1].([]grpc.DialOption)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func byKind(spans []sdktrace.ReadOnlySpan, kind trace.SpanKind) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range spans {
		if s.SpanKind() == kind {
			out = append(out, s)
		}
	}
	return out
}

func TestClientAndServerSpans(t *testing.T) {
	rec := spanrec.Install(t)
	addr, stop := newServer(t)
	_, port, _ := net.SplitHostPort(addr)
	conn := newClient(t, "localhost:"+port)
	client := healthpb.NewHealthClient(conn)

	ctx, parent := otel.Tracer("test").Start(context.Background(), "parent")
	if _, err := client.Check(ctx, &healthpb.HealthCheckRequest{Service: "shop"}); err != nil {
		t.Fatal(err)
	}
	_, err := client.Check(ctx, &healthpb.HealthCheckRequest{Service: "missing"})
	if status.Code(err) != codes.NotFound {
		t.Fatalf("Check(missing) = %v, want NotFound", err)
	}
	parent.End()
	conn.Close()
	stop()

	spans := rec.Ended()
	clients, servers := byKind(spans, trace.SpanKindClient), byKind(spans, trace.SpanKindServer)
	if len(clients) != 2 || len(servers) != 2 {
		t.Fatalf("got %d client and %d server spans, want 2 and 2", len(clients), len(servers))
	}
	wantPort := mustAtoi(t, port)
	for i, code := range []string{"OK", "NOT_FOUND"} {
		c := clients[i] // the client's spans end in the order of the calls
		if c.Parent().SpanID() != parent.SpanContext().SpanID() {
			t.Errorf("RPC %d: the client span is not a child of the caller's span", i)
		}
		s := childOf(spans, c)
		if s == nil || s.SpanKind() != trace.SpanKindServer {
			t.Fatalf("RPC %d: no server span is a child of the client span", i)
		}
		if c.Name() != "grpc.health.v1.Health/Check" || s.Name() != c.Name() {
			t.Errorf("names %q, %q", c.Name(), s.Name())
		}
		for _, sp := range []sdktrace.ReadOnlySpan{c, s} {
			a := spanrec.Attrs(sp)
			if a["rpc.system.name"].AsString() != "grpc" || a["rpc.method"].AsString() != "grpc.health.v1.Health/Check" ||
				a["rpc.response.status_code"].AsString() != code {
				t.Errorf("%v span %d: rpc attributes %v", sp.SpanKind(), i, a)
			}
			// Both sides name the server as the client dialled it.
			if a["server.address"].AsString() != "localhost" || a["server.port"].AsInt64() != int64(wantPort) {
				t.Errorf("%v span %d: server.address/port %v", sp.SpanKind(), i, a)
			}
			if a["network.peer.address"].AsString() != "127.0.0.1" {
				t.Errorf("%v span %d: network.peer.address %v", sp.SpanKind(), i, a)
			}
		}
		if got := spanrec.Attrs(c)["network.peer.port"].AsInt64(); got != int64(wantPort) {
			t.Errorf("client span %d: network.peer.port %d, want %d", i, got, wantPort)
		}
	}
}

func childOf(spans []sdktrace.ReadOnlySpan, parent sdktrace.ReadOnlySpan) sdktrace.ReadOnlySpan {
	for _, s := range spans {
		if s.Parent().SpanID() == parent.SpanContext().SpanID() {
			return s
		}
	}
	return nil
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A program that traces an RPC with otelgrpc itself (an interceptor, whose
// span is in the RPC's context before any stats handler runs) gets no
// second span from otelgo.
func TestProgramsOwnOtelgrpcIsNotDoubled(t *testing.T) {
	rec := spanrec.Install(t)
	addr, stop := newServer(t)
	conn := newClient(t, addr)
	ctx, own := otel.Tracer(otelgrpcScope).Start(context.Background(), "grpc.health.v1.Health/Check",
		trace.WithSpanKind(trace.SpanKindClient))
	if _, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: "shop"}); err != nil {
		t.Fatal(err)
	}
	own.End()
	conn.Close()
	stop()
	started := asReadOnly(rec.Started())
	if c := byKind(started, trace.SpanKindClient); len(c) != 1 || c[0].InstrumentationScope().Name != otelgrpcScope {
		t.Fatalf("client spans %v, want only the program's own", c)
	}
	// The server (which has no otelgrpc of its own here) still traces it.
	if s := byKind(started, trace.SpanKindServer); len(s) != 1 {
		t.Fatalf("server spans %v", s)
	}
}

// Streaming RPCs and errors: the health service's Watch streams statuses
// until the client cancels; the span ends then, with CANCELLED.
func TestStreamingRPC(t *testing.T) {
	rec := spanrec.Install(t)
	addr, stop := newServer(t)
	conn := newClient(t, addr)
	ctx, cancel := context.WithCancel(context.Background())
	stream, err := healthpb.NewHealthClient(conn).Watch(ctx, &healthpb.HealthCheckRequest{Service: "shop"})
	if err != nil {
		t.Fatal(err)
	}
	if resp, err := stream.Recv(); err != nil || resp.Status != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("Recv = %v, %v", resp, err)
	}
	cancel()
	if _, err := stream.Recv(); status.Code(err) != codes.Canceled {
		t.Fatalf("Recv after cancel = %v", err)
	}
	conn.Close()
	stop()
	spans := rec.Ended()
	clients := byKind(spans, trace.SpanKindClient)
	if len(clients) != 1 || clients[0].Name() != "grpc.health.v1.Health/Watch" {
		t.Fatalf("client spans %v", clients)
	}
	if got := spanrec.Attrs(clients[0])["rpc.response.status_code"].AsString(); got != "CANCELLED" {
		t.Errorf("client status code %q", got)
	}
	if servers := byKind(spans, trace.SpanKindServer); len(servers) != 1 || servers[0].Parent().SpanID() != clients[0].SpanContext().SpanID() {
		t.Errorf("server spans %v", servers)
	}
}

func asReadOnly(spans []sdktrace.ReadWriteSpan) []sdktrace.ReadOnlySpan {
	out := make([]sdktrace.ReadOnlySpan, len(spans))
	for i, s := range spans {
		out[i] = s
	}
	return out
}

// An RPC of an OTLP collector service is an export: never traced by a client.
func TestOTLPExportIsNotTraced(t *testing.T) {
	rec := spanrec.Install(t)
	addr, _ := newServer(t)
	conn := newClient(t, addr)
	ctx, parent := otel.Tracer("test").Start(context.Background(), "parent")
	err := conn.Invoke(ctx, "/opentelemetry.proto.collector.trace.v1.TraceService/Export",
		&healthpb.HealthCheckRequest{}, &healthpb.HealthCheckResponse{})
	if status.Code(err) != codes.Unimplemented {
		t.Fatalf("Export = %v, want Unimplemented", err)
	}
	parent.End()
	for _, s := range rec.Ended() {
		if s.SpanKind() == trace.SpanKindClient {
			t.Errorf("export traced: %s", s.Name())
		}
		if s.Name() == "parent" && len(s.Attributes()) != 0 {
			t.Errorf("the caller's span got attributes: %v", s.Attributes())
		}
	}
}

func TestTargetAttrs(t *testing.T) {
	for target, want := range map[string]string{
		"localhost:50051":                 "localhost:50051",
		"dns:///api.example.com:443":      "api.example.com:443",
		"dns://8.8.8.8/api.example.com:1": "api.example.com:1",
		"passthrough:///10.0.0.1:9000":    "10.0.0.1:9000",
		"xds:///shop":                     "shop:0",
		"[::1]:7000":                      "::1:7000",
		"unix:///tmp/grpc.sock":           "",
		"unix:relative.sock":              "",
		"dns:///":                         "",
	} {
		got := ""
		if kv := targetAttrs(target); len(kv) > 0 {
			got = kv[0].Value.AsString() + ":0"
			if len(kv) == 2 {
				got = kv[0].Value.AsString() + ":" + strconv.FormatInt(kv[1].Value.AsInt64(), 10)
			}
		}
		if got != want {
			t.Errorf("targetAttrs(%q) = %q, want %q", target, got, want)
		}
	}
}
