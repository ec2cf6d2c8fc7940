package nethttp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/calltest"
	"otelgo.dev/rules/internal/httpattrs"
	"otelgo.dev/rules/internal/httproute"
	"otelgo.dev/rules/internal/spanrec"
)

// The hooks must fit the api convention for their targets exactly.
var (
	_ func(api.CallContext, any, http.ResponseWriter, *http.Request) = ServerOnEnter
	_ func(api.CallContext)                                          = ServerOnExit
	_ func(api.CallContext, any, int)                                = ResponseWriteHeaderOnEnter
	_ func(api.CallContext, any, int)                                = HTTP2WriteHeaderOnEnter
	_ func(api.CallContext, any)                                     = ResponseHijackOnEnter
	_ func(api.CallContext, net.Conn, *bufio.ReadWriter, error)      = ResponseHijackOnExit
	_ func(api.CallContext, *http.Transport, *http.Request)          = ClientOnEnter
	_ func(api.CallContext, *http.Response, error)                   = ClientOnExit
)

// fakeCall is a CallContext like the one the spliced code passes.
type fakeCall = calltest.Call

func newCall(recv any, params ...any) *fakeCall { return &fakeCall{Recv: recv, Params: params} }

// setup installs a TracerProvider recording ended spans and the W3C
// propagators, as the sdk package would, and restores the globals after;
// no request may be left in inflight.
func setup(t *testing.T) *tracetest.SpanRecorder {
	t.Helper()
	rec := spanrec.Install(t, propagation.TraceContext{}, propagation.Baggage{})
	t.Cleanup(func() {
		n := 0
		inflight.Range(func(any, any) bool { n++; return true })
		if n != 0 {
			t.Errorf("%d requests left in inflight", n)
		}
	})
	return rec
}

// serverTrampoline plays the code otelgo splices into
// serverHandler.ServeHTTP: OnEnter, the original body with the parameters
// OnEnter may have replaced, OnExit deferred.
func serverTrampoline(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		call := newCall(nil, w, r)
		ServerOnEnter(call, nil, w, r)
		defer func() { ServerOnExit(call) }()
		h.ServeHTTP(call.Params[0].(http.ResponseWriter), call.Params[1].(*http.Request))
	})
}

// writeHeader plays the code spliced into (*response).WriteHeader and
// (*http2responseWriter).WriteHeader, then calls the real method.
func writeHeader(w http.ResponseWriter, code int) {
	switch typ := typeName(w); typ {
	case "*http.response":
		ResponseWriteHeaderOnEnter(newCall(w, code), w, code)
	case "*http.http2responseWriter": // Go <= 1.26
		HTTP2WriteHeaderOnEnter(newCall(w, code), w, code)
	case "http.http2ResponseWriter": // Go >= 1.27: the method is the embedded *http2.responseWriter's
		recv := reflect.ValueOf(w).Field(0).Interface()
		if typeName(recv) != "*http2.responseWriter" {
			panic("unexpected embedded writer " + typeName(recv))
		}
		HTTP2WriteHeaderOnEnter(newCall(recv, code), recv, code)
	default:
		panic("unexpected ResponseWriter " + typ)
	}
	w.WriteHeader(code)
}

func typeName(v any) string { return fmt.Sprintf("%T", v) }

// newServer starts an HTTP/1.1 test server whose handler runs through the
// server trampoline.
func newServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(serverTrampoline(h))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// clientTrampoline plays the code spliced into (*Transport).RoundTrip.
type clientTrampoline struct{ t *http.Transport }

func (c clientTrampoline) RoundTrip(req *http.Request) (*http.Response, error) {
	call := newCall(c.t, req)
	call.Results = []any{(*http.Response)(nil), error(nil)}
	ClientOnEnter(call, c.t, req)
	resp, err := c.t.RoundTrip(call.Params[0].(*http.Request))
	call.Results[0], call.Results[1] = resp, err
	ClientOnExit(call, resp, err)
	return resp, err
}

func newClient(t *testing.T) *http.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: clientTrampoline{tr}}
}

func wantAttrs(t *testing.T, s sdktrace.ReadOnlySpan, want map[string]any) {
	t.Helper()
	got := spanrec.Attrs(s)
	for k, w := range want {
		v, ok := got[attribute.Key(k)]
		switch {
		case w == nil:
			if ok {
				t.Errorf("span %q: attribute %s = %v, want none", s.Name(), k, v.Emit())
			}
		case !ok:
			t.Errorf("span %q: attribute %s missing; have %v", s.Name(), k, s.Attributes())
		default:
			var g any
			switch v.Type() {
			case attribute.INT64:
				g = int(v.AsInt64())
			default:
				g = v.AsString()
			}
			if g != w {
				t.Errorf("span %q: attribute %s = %#v, want %#v", s.Name(), k, g, w)
			}
		}
	}
}

func spansOfKind(rec *tracetest.SpanRecorder, kind trace.SpanKind) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if s.SpanKind() == kind {
			out = append(out, s)
		}
	}
	return out
}

// oneSpan returns the one ended span of kind. A server span may end a
// little after the client has its response (the handler returns after
// writing it), so it waits for one for a while.
func oneSpan(t *testing.T, rec *tracetest.SpanRecorder, kind trace.SpanKind) sdktrace.ReadOnlySpan {
	t.Helper()
	spans := spansOfKind(rec, kind)
	for deadline := time.Now().Add(2 * time.Second); len(spans) == 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
		spans = spansOfKind(rec, kind)
	}
	if len(spans) != 1 {
		t.Fatalf("got %d %v spans, want 1 (all: %d)", len(spans), kind, len(rec.Ended()))
	}
	return spans[0]
}

func get(t *testing.T, c *http.Client, u string, hdr http.Header) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func TestServerSpan(t *testing.T) {
	rec := setup(t)
	var handlerSpan trace.SpanContext
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		handlerSpan = trace.SpanContextFromContext(r.Context())
		writeHeader(w, http.StatusCreated)
		_, _ = io.WriteString(w, "hi "+r.PathValue("id"))
	})
	srv := newServer(t, mux)
	u, _ := url.Parse(srv.URL)
	port, _ := strconv.Atoi(u.Port())

	const parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	resp := get(t, http.DefaultClient, srv.URL+"/users/42?q=1&sig=secret", http.Header{
		"Traceparent": {parent},
		"User-Agent":  {"test-agent/1.0"},
	})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("status %d", resp.StatusCode)
	}

	s := oneSpan(t, rec, trace.SpanKindServer)
	if s.Name() != "GET /users/{id}" {
		t.Errorf("name %q", s.Name())
	}
	if got := s.SpanContext().TraceID().String(); got != "0af7651916cd43dd8448eb211c80319c" {
		t.Errorf("trace id %s not taken from traceparent", got)
	}
	if got := s.Parent().SpanID().String(); got != "b7ad6b7169203331" || !s.Parent().IsRemote() {
		t.Errorf("parent %s (remote %v)", got, s.Parent().IsRemote())
	}
	if handlerSpan.SpanID() != s.SpanContext().SpanID() {
		t.Errorf("handler saw span %s in r.Context(), want %s", handlerSpan.SpanID(), s.SpanContext().SpanID())
	}
	wantAttrs(t, s, map[string]any{
		"http.request.method":          "GET",
		"http.request.method_original": nil,
		"url.path":                     "/users/42",
		"url.query":                    "q=1&sig=REDACTED",
		"url.scheme":                   "http",
		"server.address":               "127.0.0.1",
		"server.port":                  port,
		"network.protocol.version":     "1.1",
		"user_agent.original":          "test-agent/1.0",
		"client.address":               "127.0.0.1",
		"network.peer.address":         "127.0.0.1",
		"http.response.status_code":    201,
		"http.route":                   "/users/{id}",
		"error.type":                   nil,
	})
	if s.Status().Code != codes.Unset {
		t.Errorf("status %v", s.Status())
	}
}

// A router behind a ServeMux names the span with the route it matched (as
// the router hooks do); the coarser ServeMux pattern must not replace it.
func TestServerRouterRouteWins(t *testing.T) {
	rec := setup(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		httproute.Set(r, "/api/users/:id")
	})
	srv := newServer(t, mux)
	get(t, http.DefaultClient, srv.URL+"/api/users/7", nil)
	s := oneSpan(t, rec, trace.SpanKindServer)
	if s.Name() != "GET /api/users/:id" {
		t.Errorf("name %q", s.Name())
	}
	wantAttrs(t, s, map[string]any{"http.route": "/api/users/:id"})
}

func TestServerStatus(t *testing.T) {
	rec := setup(t)
	mux := http.NewServeMux()
	mux.HandleFunc("/implicit", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "body without WriteHeader")
	})
	mux.HandleFunc("/nothing", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/early-hints", func(w http.ResponseWriter, r *http.Request) {
		writeHeader(w, http.StatusEarlyHints)
		writeHeader(w, http.StatusAccepted)
		writeHeader(w, http.StatusTeapot) // superfluous, ignored by net/http
	})
	mux.HandleFunc("/unavailable", func(w http.ResponseWriter, r *http.Request) {
		writeHeader(w, http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/missing", func(w http.ResponseWriter, r *http.Request) {
		writeHeader(w, http.StatusNotFound)
	})
	srv := newServer(t, mux)
	cases := []struct {
		path    string
		status  int
		isError bool
	}{
		{"/implicit", 200, false},
		{"/nothing", 200, false},
		{"/early-hints", 202, false},
		{"/unavailable", 503, true},
		{"/missing", 404, false}, // 4xx is not a server error
	}
	for _, c := range cases {
		rec.Reset()
		resp := get(t, http.DefaultClient, srv.URL+c.path, nil)
		if resp.StatusCode != c.status {
			t.Fatalf("%s: got %d", c.path, resp.StatusCode)
		}
		s := oneSpan(t, rec, trace.SpanKindServer)
		wantAttrs(t, s, map[string]any{"http.response.status_code": c.status, "http.route": c.path})
		if c.isError {
			wantAttrs(t, s, map[string]any{"error.type": strconv.Itoa(c.status)})
			if s.Status().Code != codes.Error {
				t.Errorf("%s: status %v, want Error", c.path, s.Status())
			}
		} else {
			wantAttrs(t, s, map[string]any{"error.type": nil})
			if s.Status().Code != codes.Unset {
				t.Errorf("%s: status %v, want Unset", c.path, s.Status())
			}
		}
	}
}

// Handlers get a copy of the request; the temporary files of a multipart
// form parsed on it must still be removed by net/http.
func TestServerMultipartCleanup(t *testing.T) {
	rec := setup(t)
	tmpfiles := make(chan string, 1)
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(1); err != nil { // 1 byte in memory: files go to disk
			t.Error(err)
			return
		}
		f, err := r.MultipartForm.File["f"][0].Open()
		if err != nil {
			t.Error(err)
			return
		}
		defer f.Close()
		osf, ok := f.(*os.File)
		if !ok {
			t.Errorf("upload kept in memory (%T)", f)
			return
		}
		tmpfiles <- osf.Name()
	}))
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("f", "f.txt")
	_, _ = fw.Write(bytes.Repeat([]byte("x"), 4096))
	mw.Close()
	resp, err := http.Post(srv.URL, mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	name := <-tmpfiles
	oneSpan(t, rec, trace.SpanKindServer)
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(time.Millisecond) {
		if _, err := os.Stat(name); errors.Is(err, os.ErrNotExist) {
			break
		}
		if time.Now().After(deadline) {
			os.Remove(name)
			t.Fatalf("temporary file %s of the multipart form left behind", name)
		}
	}
}

func TestServerPanic(t *testing.T) {
	rec := setup(t)
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic(http.ErrAbortHandler)
	}))
	if _, err := http.Get(srv.URL + "/boom"); err == nil {
		t.Fatal("request to a panicking handler succeeded")
	}
	s := oneSpan(t, rec, trace.SpanKindServer)
	wantAttrs(t, s, map[string]any{"error.type": "panic", "http.response.status_code": nil})
	if s.Status().Code != codes.Error {
		t.Errorf("status %v, want Error", s.Status())
	}
	if s.Name() != "GET" {
		t.Errorf("name %q", s.Name())
	}
}

// A panic the handler recovers itself, and a request served while another
// panic unwinds the goroutine, leave the span as it would be without them.
func TestServerPanicNotTheHandlers(t *testing.T) {
	rec := setup(t)
	h := serverTrampoline(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { recover() }()
		panic("recovered by the handler")
	}))
	serve := func() { h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/x", nil)) }
	serve()
	func() {
		defer func() { recover() }()
		defer serve()
		panic("unwinding")
	}()
	spans := spansOfKind(rec, trace.SpanKindServer)
	if len(spans) != 2 {
		t.Fatalf("%d server spans, want 2", len(spans))
	}
	for _, s := range spans {
		wantAttrs(t, s, map[string]any{"error.type": nil, "http.response.status_code": 200})
		if s.Status().Code != codes.Unset {
			t.Errorf("status %v, want Unset", s.Status())
		}
	}
}

func TestServerUnknownMethodAndForwarded(t *testing.T) {
	rec := setup(t)
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	req, _ := http.NewRequest("FROB", srv.URL+"/x", nil)
	req.Header.Set("X-Forwarded-For", "203.0.113.7, 10.0.0.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	s := oneSpan(t, rec, trace.SpanKindServer)
	if s.Name() != "HTTP" {
		t.Errorf("name %q, want HTTP", s.Name())
	}
	wantAttrs(t, s, map[string]any{
		"http.request.method":          "_OTHER",
		"http.request.method_original": "FROB",
		"client.address":               "203.0.113.7",
		"network.peer.address":         "127.0.0.1",
		"http.route":                   nil,
	})
}

func TestServerHTTP2(t *testing.T) {
	rec := setup(t)
	srv := httptest.NewUnstartedServer(serverTrampoline(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeHeader(w, http.StatusAccepted)
	})))
	srv.EnableHTTP2 = true
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	resp := get(t, srv.Client(), srv.URL+"/h2", nil)
	if resp.ProtoMajor != 2 || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("got %s %d", resp.Proto, resp.StatusCode)
	}
	s := oneSpan(t, rec, trace.SpanKindServer)
	wantAttrs(t, s, map[string]any{
		"network.protocol.version":  "2",
		"url.scheme":                "https",
		"http.response.status_code": 202,
	})
}

func TestServerHijack(t *testing.T) {
	rec := setup(t)
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Plays the spliced (*response).Hijack.
		call := newCall(w)
		ResponseHijackOnEnter(call, w)
		conn, buf, err := w.(http.Hijacker).Hijack()
		ResponseHijackOnExit(call, conn, buf, err)
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		writeHeader(w, http.StatusOK) // ignored: the connection is hijacked
		_, _ = buf.WriteString("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
		_ = buf.Flush()
	}))
	resp := get(t, http.DefaultClient, srv.URL, nil)
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("status %d", resp.StatusCode)
	}
	s := oneSpan(t, rec, trace.SpanKindServer)
	wantAttrs(t, s, map[string]any{"http.response.status_code": nil, "error.type": nil})
}

func TestClientToServer(t *testing.T) {
	rec := setup(t)
	traceparents := make(chan string, 10)
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		traceparents <- r.Header.Get("Traceparent")
	}))
	u, _ := url.Parse(srv.URL)
	port, _ := strconv.Atoi(u.Port())
	ctx, parent := otel.Tracer("test").Start(context.Background(), "parent")

	// A RoundTripper must not modify the caller's request.
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	req.Header.Set("X-Mine", "1")
	resp, err := newClient(t).Transport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	<-traceparents
	if _, ok := req.Header["Traceparent"]; ok || len(req.Header) != 1 {
		t.Errorf("caller's request headers were modified: %v", req.Header)
	}
	if resp.Request == req {
		t.Error("RoundTrip sent the caller's request itself")
	}
	oneSpan(t, rec, trace.SpanKindServer)
	rec.Reset()

	// Through an http.Client, with credentials in the URL.
	req, _ = http.NewRequestWithContext(ctx, http.MethodGet, "http://alice:s3cret@"+u.Host+"/path?a=b", nil)
	resp, err = newClient(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	gotTraceparent := <-traceparents
	parent.End()

	cs := oneSpan(t, rec, trace.SpanKindClient)
	ss := oneSpan(t, rec, trace.SpanKindServer)
	if cs.Name() != "GET" {
		t.Errorf("client span name %q", cs.Name())
	}
	if cs.Parent().SpanID() != parent.SpanContext().SpanID() {
		t.Errorf("client span parent %s, want %s", cs.Parent().SpanID(), parent.SpanContext().SpanID())
	}
	want := "00-" + cs.SpanContext().TraceID().String() + "-" + cs.SpanContext().SpanID().String() + "-01"
	if gotTraceparent != want {
		t.Errorf("server got traceparent %q, want %q", gotTraceparent, want)
	}
	if ss.Parent().SpanID() != cs.SpanContext().SpanID() || ss.SpanContext().TraceID() != cs.SpanContext().TraceID() {
		t.Errorf("server span not a child of the client span")
	}
	wantAttrs(t, cs, map[string]any{
		"http.request.method":       "GET",
		"url.full":                  "http://REDACTED:REDACTED@" + u.Host + "/path?a=b",
		"server.address":            "127.0.0.1",
		"server.port":               port,
		"http.response.status_code": 200,
		"network.protocol.version":  "1.1",
		"error.type":                nil,
	})
	if strings.Contains(spanrec.Attrs(cs)["url.full"].AsString(), "s3cret") {
		t.Error("password leaked into url.full")
	}
	if cs.Status().Code != codes.Unset {
		t.Errorf("status %v", cs.Status())
	}
}

func TestClientErrors(t *testing.T) {
	rec := setup(t)
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeHeader(w, http.StatusNotFound)
	}))
	c := newClient(t)
	resp := get(t, c, srv.URL+"/nope", nil)
	if resp.StatusCode != 404 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	cs := oneSpan(t, rec, trace.SpanKindClient)
	wantAttrs(t, cs, map[string]any{"http.response.status_code": 404, "error.type": "404"})
	if cs.Status().Code != codes.Error {
		t.Errorf("4xx client status %v, want Error", cs.Status())
	}

	// Connection refused.
	rec.Reset()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if _, err := c.Get("http://" + addr + "/"); err == nil {
		t.Fatal("request to a closed port succeeded")
	}
	cs = oneSpan(t, rec, trace.SpanKindClient)
	if et := spanrec.Attrs(cs)["error.type"].AsString(); et == "" || et == "_OTHER" {
		t.Errorf("error.type %q", et)
	}
	wantAttrs(t, cs, map[string]any{"http.response.status_code": nil})
	if cs.Status().Code != codes.Error || cs.Status().Description == "" {
		t.Errorf("status %v", cs.Status())
	}
}

func TestClientDefaultPort(t *testing.T) {
	rec := setup(t)
	req, _ := http.NewRequest(http.MethodGet, "https://example.invalid/x", nil)
	call := newCall(nil, req)
	ClientOnEnter(call, nil, req)
	ClientOnExit(call, nil, errors.New("not sent"))
	cs := oneSpan(t, rec, trace.SpanKindClient)
	wantAttrs(t, cs, map[string]any{"server.address": "example.invalid", "server.port": 443, "error.type": "*errors.errorString"})
}

// The OTLP/HTTP exporter's own requests must go out untraced: no span, no
// propagation header.
func TestExporterRequestsNotTraced(t *testing.T) {
	rec := setup(t)
	var mu sync.Mutex
	var got []http.Header
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.Header.Clone())
		mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	exp, err := otlptracehttp.New(context.Background(),
		otlptracehttp.WithEndpointURL(srv.URL+"/v1/traces"),
		otlptracehttp.WithHTTPClient(newClient(t)),
		otlptracehttp.WithRetry(otlptracehttp.RetryConfig{Enabled: false}))
	if err != nil {
		t.Fatal(err)
	}
	// Spans to export, made by another provider (in a traced context, as
	// an exporter may well be called).
	other := tracetest.NewInMemoryExporter()
	otp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(other))
	ctx, sp := otp.Tracer("x").Start(context.Background(), "exported")
	sp.End()
	if err := exp.ExportSpans(ctx, other.GetSpans().Snapshots()); err != nil {
		t.Fatal(err)
	}
	_ = exp.Shutdown(context.Background())

	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 {
		t.Fatalf("collector got %d requests", len(got))
	}
	if ua := got[0].Get("User-Agent"); !strings.HasPrefix(ua, "OTel OTLP Exporter Go/") {
		t.Errorf("exporter User-Agent is now %q: update isExporterRequest", ua)
	}
	if tp := got[0].Get("Traceparent"); tp != "" {
		t.Errorf("export request carried traceparent %q", tp)
	}
	if n := len(spansOfKind(rec, trace.SpanKindClient)); n != 0 {
		t.Errorf("export request made %d client spans", n)
	}
	// The collector's server span is there, as a sanity check of the
	// trampolines.
	oneSpan(t, rec, trace.SpanKindServer)
}

func TestIsExporterRequest(t *testing.T) {
	mk := func(method, u string, hdr map[string]string) *http.Request {
		r, _ := http.NewRequest(method, u, nil)
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		return r
	}
	cases := []struct {
		r    *http.Request
		want bool
	}{
		{mk("POST", "http://c:4318/v1/metrics", map[string]string{"User-Agent": "OTel Go OTLP over HTTP/protobuf metrics exporter/1.41.0"}), true},
		{mk("POST", "http://c:4318/v1/logs", map[string]string{"User-Agent": "OTel Go OTLP over HTTP/protobuf logs exporter/0.17.0"}), true},
		{mk("POST", "http://c:4318/v1/traces", map[string]string{"User-Agent": "custom", "Content-Type": "application/x-protobuf"}), true},
		{mk("POST", "http://c:4318/v1/traces", map[string]string{"Content-Type": "application/json"}), false},
		{mk("GET", "http://c/v1/traces", map[string]string{"User-Agent": "Go-http-client/1.1"}), false},
		{mk("POST", "http://c/api", map[string]string{"Content-Type": "application/x-protobuf"}), false},
	}
	for i, c := range cases {
		if got := isExporterRequest(c.r); got != c.want {
			t.Errorf("case %d (%s %s %v): got %v", i, c.r.Method, c.r.URL, c.r.Header, got)
		}
	}
}

func TestRouteOf(t *testing.T) {
	for in, want := range map[string]string{
		"":                              "",
		"/":                             "/",
		"/static/":                      "/static/",
		"GET /users/{id}":               "/users/{id}",
		"POST example.com/items/{$}":    "/items/{$}",
		"example.com/":                  "/",
		"GET  \t/a":                     "/a",
		"DELETE api.example.com:8080/x": "/x",
	} {
		if got := routeOf(in); got != want {
			t.Errorf("routeOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFullURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://example.com/a?b=c":                         "http://example.com/a?b=c",
		"https://u:p@example.com:8443/":                    "https://REDACTED:REDACTED@example.com:8443/",
		"https://u@example.com/":                           "https://REDACTED:REDACTED@example.com/",
		"https://s3/obj?AWSAccessKeyId=AK&Signature=x&e=1": "https://s3/obj?AWSAccessKeyId=REDACTED&Signature=REDACTED&e=1",
		"https://g/o?X-Goog-Signature=abc&sig=d&design=1":  "https://g/o?X-Goog-Signature=REDACTED&sig=REDACTED&design=1",
	} {
		u, err := url.Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := fullURL(u); got != want {
			t.Errorf("fullURL(%q) = %q, want %q", in, got, want)
		}
		if u.String() != in {
			t.Errorf("fullURL modified its argument: %q", u)
		}
	}
}

func TestErrorType(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{io.EOF, "io.EOF"},
		{fmt.Errorf("read: %w", io.ErrUnexpectedEOF), "io.ErrUnexpectedEOF"},
		{context.Canceled, "context.Canceled"},
		{&net.OpError{Op: "dial", Err: context.DeadlineExceeded}, "context.DeadlineExceeded"},
		{&net.OpError{Op: "dial", Err: errors.New("refused")}, "*net.OpError"},
	} {
		if got := errorType(c.err).Value.AsString(); got != c.want {
			t.Errorf("errorType(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}

func TestProtocolVersion(t *testing.T) {
	for _, c := range []struct {
		maj, min int
		want     string
	}{{1, 1, "1.1"}, {1, 0, "1.0"}, {2, 0, "2"}, {3, 0, "3"}, {0, 0, ""}} {
		if got := httpattrs.ProtocolVersionOf(c.maj, c.min); got != c.want {
			t.Errorf("ProtocolVersionOf(%d, %d) = %q, want %q", c.maj, c.min, got, c.want)
		}
	}
}

// Every hook nethttp.json names exists with the right shape, and the rules
// are well formed.
func TestRulesFile(t *testing.T) {
	hooks := map[string]any{
		"ServerOnEnter": ServerOnEnter, "ServerOnExit": ServerOnExit,
		"ResponseWriteHeaderOnEnter": ResponseWriteHeaderOnEnter,
		"HTTP2WriteHeaderOnEnter":    HTTP2WriteHeaderOnEnter,
		"ResponseHijackOnEnter":      ResponseHijackOnEnter, "ResponseHijackOnExit": ResponseHijackOnExit,
		"ClientOnEnter": ClientOnEnter, "ClientOnExit": ClientOnExit,
		"OtelhttpMiddlewareOnExit":  OtelhttpMiddlewareOnExit,
		"ServeMuxFindHandlerOnExit": ServeMuxFindHandlerOnExit,
		"StripPrefixOnExit":         StripPrefixOnExit,
		"OtelhttpSpanStartOnEnter":  OtelhttpSpanStartOnEnter,
	}
	checkRules(t, "nethttp.json", hooks, "net/http", otelhttpPackage, "go.opentelemetry.io/otel/sdk/trace")
}

type rule struct {
	Name, ImportPath, Function, ReceiverType, OnEnter, OnExit, Path, Version string
	Order                                                                    int
}

func checkRules(t *testing.T, name string, hooks map[string]any, importPaths ...string) {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Schema         string `json:"$schema"`
		Library, Gives string
		Path, Version  string
		Metrics        []string
		Rules          []rule
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		t.Fatal(err)
	}
	rules := file.Rules
	for i := range rules { // the header's defaults
		if rules[i].Path == "" {
			rules[i].Path = file.Path
		}
		if rules[i].Version == "" {
			rules[i].Version = file.Version
		}
	}
	names := map[string]bool{}
	used := map[string]bool{}
	for _, r := range rules {
		if r.Name == "" || names[r.Name] {
			t.Errorf("rule name %q empty or repeated", r.Name)
		}
		names[r.Name] = true
		known := false
		for _, p := range importPaths {
			known = known || strings.HasPrefix(r.ImportPath, p)
		}
		if !known || r.Path != "otelgo.dev/rules/nethttp" || r.Function == "" || r.Version == "" {
			t.Errorf("rule %s: bad fields %+v", r.Name, r)
		}
		if r.OnEnter == "" && r.OnExit == "" {
			t.Errorf("rule %s has no hook", r.Name)
		}
		for _, h := range []string{r.OnEnter, r.OnExit} {
			if h == "" {
				continue
			}
			if hooks[h] == nil {
				t.Errorf("rule %s: no hook %s", r.Name, h)
			}
			used[h] = true
		}
	}
	for h := range hooks {
		if !used[h] {
			t.Errorf("hook %s is in no rule", h)
		}
	}
}

// BenchmarkServerHooks measures the hooks of one served request (sampled,
// span recorded, no export).
func BenchmarkServerHooks(b *testing.B) {
	tp := sdktrace.NewTracerProvider()
	oldTP := otel.GetTracerProvider()
	otel.SetTracerProvider(tp)
	defer otel.SetTracerProvider(oldTP)
	req := httptest.NewRequest(http.MethodGet, "http://example.com/users/1?x=y", nil)
	req.Header.Set("User-Agent", "bench")
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		call := newCall(nil, w, req)
		ServerOnEnter(call, nil, w, req)
		ResponseWriteHeaderOnEnter(nil, w, 200)
		func() { defer ServerOnExit(call) }()
	}
}

func TestMatchesPath(t *testing.T) {
	patterns := splitPaths(" /healthz, /debug/* ,,/metrics")
	for path, want := range map[string]bool{
		"/healthz":      true,
		"/healthz/x":    false,
		"/health":       false,
		"/debug/":       true,
		"/debug/pprof/": true,
		"/debug":        false,
		"/metrics":      true,
		"/":             false,
		"":              false,
	} {
		if got := matchesPath(patterns, path); got != want {
			t.Errorf("matchesPath(%q) = %v, want %v", path, got, want)
		}
	}
	if splitPaths("") != nil || matchesPath(nil, "/") {
		t.Error("no variable, nothing excluded")
	}
}

// An excluded request (the variable is read once per process: this test
// sets the pattern list directly) gets no span, and its OnExit does not
// fail for want of one.
func TestServerExcludedPath(t *testing.T) {
	rec := setup(t)
	saved := excludedPaths
	excludedPaths = func() []string { return []string{"/healthz"} }
	t.Cleanup(func() { excludedPaths = saved })
	var handlerSpan trace.SpanContext
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handlerSpan = trace.SpanContextFromContext(r.Context())
		_, _ = io.WriteString(w, "ok")
	}))
	for _, path := range []string{"/healthz", "/work"} {
		if resp := get(t, http.DefaultClient, srv.URL+path, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", path, resp.StatusCode)
		}
		if path == "/healthz" && handlerSpan.IsValid() {
			t.Error("the excluded request's handler has a span")
		}
	}
	s := oneSpan(t, rec, trace.SpanKindServer)
	wantAttrs(t, s, map[string]any{"url.path": "/work"})
}
