// Package genaihttp traces the calls GenAI client SDKs make to a model
// provider's HTTP API, following the OpenTelemetry GenAI semantic
// conventions (go.opentelemetry.io/otel/semconv/v1.39.0): a CLIENT span
// "{gen_ai.operation.name} {gen_ai.request.model}" per chat, generate_content
// or embeddings request, with gen_ai.provider.name, the request's
// parameters, gen_ai.response.id/model/finish_reasons,
// gen_ai.usage.input_tokens/output_tokens and error.type, and the metrics
// gen_ai.client.operation.duration and gen_ai.client.token.usage.
//
// The SDKs' hooks install a Client (as the SDK's middleware, or around its
// http.Client's Transport). The Client reads what it needs from the JSON the
// SDK sends and receives, whatever the SDK's version: the request's body
// (a copy, through GetBody when the request has one) and the response's
// body as the SDK reads it. The span is ended when the SDK has read the
// response to its end or closed it, so a streamed response (server-sent
// events) is traced until its last event, and its usage, sent in the last
// events, is recorded; a stream the program neither reads to its end nor
// closes leaves its span open. The request sent on carries the span in its
// context, so that the net/http CLIENT span of the request is its child.
// Other requests of the SDKs (listing models, files...) are not traced here.
//
// Message contents (gen_ai.input.messages, gen_ai.output.messages,
// gen_ai.system_instructions) are recorded only when the environment
// variable OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT is "true"
// (or "span_only", "span_and_event"), as the conventions require.
package genaihttp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/instrumentation"
	"go.opentelemetry.io/otel/trace"
	semconv "otelgo.dev/rules/internal/semconv"

	"otelgo.dev/rules/goroutine"
	"otelgo.dev/rules/internal/telemetry"
)

// API is the wire format of a provider: which requests are GenAI
// operations and where their JSON keeps what the conventions record.
type API interface {
	// operation recognizes a request: the operation, and the model when
	// the URL names it (Gemini); ok is false for requests that are no
	// GenAI operation (listing models, uploading files...).
	operation(req *http.Request) (op attribute.KeyValue, model string, ok bool)
	// request reads the request's JSON into c.
	request(body []byte, c *call)
	// response reads a whole (non-streamed) response's JSON into c.
	response(body []byte, c *call)
	// event reads one server-sent event of a streamed response into c and
	// reports whether it was the stream's last.
	event(name string, data []byte, c *call) (last bool)
	// apiError returns the provider's error type and message from an error
	// response's JSON.
	apiError(body []byte) (typ, msg string)
}

// Client traces the GenAI operations of one SDK client.
type Client struct {
	scope    string
	provider attribute.KeyValue
	api      API
	native   string // the scope of the SDK's own spans, if it makes them
}

// New returns a Client whose spans and measurements are those of the
// instrumentation scope, with gen_ai.provider.name provider, reading the
// wire format api.
func New(scope string, provider attribute.KeyValue, api API) *Client {
	return &Client{scope: scope, provider: provider, api: api}
}

// StandingAsideFor returns a copy of c that makes no span of its own for a
// request made inside a recording span of the instrumentation scope native
// (the SDK's own OpenTelemetry span of the call, which some SDK versions
// make): it still records the metrics, which the SDK does not.
func (c *Client) StandingAsideFor(native string) *Client {
	cp := *c
	cp.native = native
	return &cp
}

// tracedBySDK reports whether ctx's span is a recording span the SDK made.
func (c *Client) tracedBySDK(ctx context.Context) bool {
	if c.native == "" {
		return false
	}
	span := trace.SpanFromContext(ctx)
	s, ok := span.(interface {
		InstrumentationScope() instrumentation.Scope
	})
	return ok && span.IsRecording() && s.InstrumentationScope().Name == c.native
}

// Provider returns the client's gen_ai.provider.name.
func (c *Client) Provider() attribute.KeyValue { return c.provider }

// Next sends a request on: the rest of an SDK's middleware chain, or an
// http.Client's Do.
type Next = func(*http.Request) (*http.Response, error)

// Do traces req when it is a GenAI operation and sends it on with next. It
// has the shape of the middlewares of the Stainless-generated SDKs
// (openai-go, anthropic-sdk-go: option.Middleware).
func (c *Client) Do(req *http.Request, next Next) (*http.Response, error) {
	var cl *call
	protect(func() { cl = c.start(req) })
	if cl == nil {
		return next(req)
	}
	out := req.WithContext(cl.ctx)
	if req.GetBody == nil && cl.consumedBody != nil {
		body := cl.consumedBody
		out.Body = io.NopCloser(bytes.NewReader(body))
		out.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	cl.consumedBody = nil
	ended := false
	defer func() {
		if !ended {
			// next panicked: end the span, and let the panic go on.
			protect(func() { cl.end(nil, errors.New("panic")) })
		}
	}()
	resp, err := next(out)
	ended = true
	protect(func() { cl.responded(resp, err) })
	return resp, err
}

// protect runs f, a part of the hooks that runs inside the SDK's calls,
// where a panic would reach the program: it is recovered.
func protect(f func()) {
	defer func() { _ = recover() }()
	f()
}

// RoundTripper returns an http.RoundTripper that traces through c and sends
// requests with inner (http.DefaultTransport when nil).
func (c *Client) RoundTripper(inner http.RoundTripper) http.RoundTripper {
	if inner == nil {
		inner = http.DefaultTransport
	}
	if t, ok := inner.(*transport); ok && t.client.scope == c.scope {
		return t // already traced
	}
	return &transport{client: c, inner: inner}
}

// HTTPClient returns a copy of hc (a new http.Client when nil) whose
// Transport traces through c.
func (c *Client) HTTPClient(hc *http.Client) *http.Client {
	cp := &http.Client{}
	if hc != nil {
		*cp = *hc
	}
	cp.Transport = c.RoundTripper(cp.Transport)
	return cp
}

type transport struct {
	client *Client
	inner  http.RoundTripper
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	return t.client.Do(req, t.inner.RoundTrip)
}

// call is one traced operation, from its request to the end of its
// response.
type call struct {
	client  *Client
	ctx     context.Context
	span    trace.Span
	start   time.Time
	capture bool

	op       attribute.KeyValue
	provider attribute.KeyValue
	model    string
	// Server address and port, from the URL.
	address string
	port    int

	stream    bool
	responses bool                 // OpenAI's Responses API
	attrs     []attribute.KeyValue // the request's

	// What the response said.
	responseID    string
	responseModel string
	finish        []string
	inputTokens   int
	outputTokens  int
	hasInput      bool
	hasOutput     bool
	dimensions    int
	errType       string
	output        *outputs // capture only

	consumedBody []byte // the request body, read when the request had no GetBody

	once sync.Once
}

// maxBody bounds the request and response bodies read for attributes.
const maxBody = 16 << 20

// start recognizes req and starts its span; nil when req is no GenAI
// operation.
func (c *Client) start(req *http.Request) *call {
	if req == nil || req.URL == nil || req.Method != http.MethodPost {
		return nil
	}
	op, model, ok := c.api.operation(req)
	if !ok {
		return nil
	}
	cl := &call{client: c, start: time.Now(), op: op, model: model, provider: c.provider, capture: captureContent()}
	if cl.capture {
		cl.output = &outputs{}
	}
	cl.responses = strings.HasSuffix(strings.TrimSuffix(req.URL.Path, "/"), "/responses")
	if body := requestBody(req, cl); body != nil {
		c.api.request(body, cl)
	}
	cl.address, cl.port = hostPort(req.URL)

	attrs := make([]attribute.KeyValue, 0, 8+len(cl.attrs))
	if p, ok := c.api.(interface {
		provider(*http.Request) (attribute.KeyValue, bool)
	}); ok {
		if kv, ok := p.provider(req); ok {
			cl.provider = kv
		}
	}
	attrs = append(attrs, op, cl.provider)
	if cl.model != "" {
		attrs = append(attrs, semconv.GenAIRequestModel(cl.model))
	}
	if cl.address != "" {
		attrs = append(attrs, semconv.ServerAddress(cl.address))
		if cl.port > 0 {
			attrs = append(attrs, semconv.ServerPort(cl.port))
		}
	}
	attrs = append(attrs, cl.attrs...)
	if c.tracedBySDK(req.Context()) {
		// Measured only: the span is the SDK's.
		cl.ctx, cl.span = req.Context(), trace.SpanFromContext(context.Background())
		return cl
	}
	name := op.Value.AsString()
	if cl.model != "" {
		name += " " + cl.model
	}
	cl.ctx, cl.span = telemetry.Tracer(c.scope).Start(goroutine.Context(req.Context()), name,
		trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...), trace.WithTimestamp(cl.start))
	return cl
}

// requestBody returns a copy of req's body: read from GetBody when it has
// one, else read from Body (kept in cl.consumedBody for the request sent
// on).
func requestBody(req *http.Request, cl *call) []byte {
	if req.Body == nil || req.Body == http.NoBody {
		return nil
	}
	if req.GetBody != nil {
		rc, err := req.GetBody()
		if err != nil {
			return nil
		}
		defer rc.Close()
		b, _ := io.ReadAll(io.LimitReader(rc, maxBody))
		return b
	}
	b, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		// Sent on as read so far: the transport sees the same short body.
		cl.consumedBody = b
		return nil
	}
	cl.consumedBody = b
	return b
}

// responded handles the outcome of sending the request: an error ends the
// span; a response's body is wrapped so that the span ends when it has
// been read or closed.
func (cl *call) responded(resp *http.Response, err error) {
	if err != nil || resp == nil {
		if err == nil {
			err = errors.New("no response")
		}
		cl.end(nil, err)
		return
	}
	if resp.Body == nil || resp.Body == http.NoBody {
		cl.end(resp, nil)
		return
	}
	ct := resp.Header.Get("Content-Type")
	b := &body{ReadCloser: resp.Body, call: cl, resp: resp}
	if resp.StatusCode < 300 && strings.HasPrefix(ct, "text/event-stream") {
		cl.stream = true
		b.sse = &sseParser{}
	}
	resp.Body = b
}

// body is a response body as the SDK reads it: streamed events are parsed
// as they pass, a whole response is kept until its end.
type body struct {
	io.ReadCloser
	call *call
	resp *http.Response

	mu   sync.Mutex
	buf  bytes.Buffer
	sse  *sseParser
	done bool
}

func (b *body) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	protect(func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.done {
			return
		}
		if n > 0 {
			b.feed(p[:n])
		}
		switch {
		case err == io.EOF:
			b.finish(nil)
		case err != nil:
			b.finish(err)
		}
	})
	return n, err
}

func (b *body) Close() error {
	err := b.ReadCloser.Close()
	protect(func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if !b.done {
			b.finish(nil)
		}
	})
	return err
}

// feed takes the bytes just read.
func (b *body) feed(p []byte) {
	if b.sse == nil {
		if b.buf.Len()+len(p) <= maxBody {
			b.buf.Write(p)
		}
		return
	}
	for _, ev := range b.sse.feed(p) {
		if b.call.client.api.event(ev.name, ev.data, b.call) {
			b.finish(nil) // the last event: the stream is over
			return
		}
	}
}

// finish ends the call with what the body said; err is a read error.
func (b *body) finish(err error) {
	b.done = true
	protect(func() {
		api := b.call.client.api
		switch {
		case b.resp.StatusCode >= 400:
			typ, msg := api.apiError(b.buf.Bytes())
			b.call.failed(b.resp.StatusCode, typ, msg)
		case b.sse == nil && b.buf.Len() > 0:
			api.response(b.buf.Bytes(), b.call)
		}
	})
	b.buf = bytes.Buffer{}
	b.call.end(b.resp, err)
}

// failed records an error response: error.type is the provider's error type,
// else the HTTP status code.
func (cl *call) failed(status int, typ, msg string) {
	if typ == "" {
		typ = strconv.Itoa(status)
	}
	cl.span.SetAttributes(semconv.ErrorTypeKey.String(typ))
	cl.span.SetStatus(codes.Error, msg)
	cl.errType = typ
}

// end ends the span and records the measurements, once.
func (cl *call) end(resp *http.Response, err error) {
	cl.once.Do(func() {
		now := time.Now()
		if err != nil && cl.errType == "" {
			kv := errorType(err)
			cl.errType = kv.Value.AsString()
			cl.span.SetAttributes(kv)
			cl.span.SetStatus(codes.Error, err.Error())
		} else if resp != nil && resp.StatusCode >= 400 && cl.errType == "" {
			cl.failed(resp.StatusCode, "", "")
		}
		attrs := make([]attribute.KeyValue, 0, 8)
		if cl.responseID != "" {
			attrs = append(attrs, semconv.GenAIResponseID(cl.responseID))
		}
		if cl.responseModel != "" {
			attrs = append(attrs, semconv.GenAIResponseModel(cl.responseModel))
		}
		if len(cl.finish) > 0 {
			attrs = append(attrs, semconv.GenAIResponseFinishReasons(cl.finish...))
		}
		if cl.hasInput {
			attrs = append(attrs, semconv.GenAIUsageInputTokens(cl.inputTokens))
		}
		if cl.hasOutput {
			attrs = append(attrs, semconv.GenAIUsageOutputTokens(cl.outputTokens))
		}
		if cl.dimensions > 0 {
			attrs = append(attrs, semconv.GenAIEmbeddingsDimensionCount(cl.dimensions))
		}
		if cl.output != nil && cl.errType == "" {
			if s := cl.output.json(cl.finish); s != "" {
				attrs = append(attrs, semconv.GenAIOutputMessagesKey.String(s))
			}
		}
		cl.span.SetAttributes(attrs...)
		cl.span.End(trace.WithTimestamp(now))
		cl.record(now)
	})
}

// errorType is the error.type of a request that got no response.
func errorType(err error) attribute.KeyValue {
	switch {
	case errors.Is(err, context.Canceled):
		return semconv.ErrorTypeKey.String("context.Canceled")
	case errors.Is(err, context.DeadlineExceeded):
		return semconv.ErrorTypeKey.String("context.DeadlineExceeded")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return semconv.ErrorTypeKey.String("io.ErrUnexpectedEOF")
	}
	return semconv.ErrorType(err)
}

// hostPort returns server.address and server.port of u.
func hostPort(u *url.URL) (string, int) {
	host := u.Hostname()
	port, err := strconv.Atoi(u.Port())
	if err != nil || port <= 0 || port > 65535 {
		port = 0
	}
	if host != "" && port == 0 {
		switch strings.ToLower(u.Scheme) {
		case "https":
			port = 443
		case "http":
			port = 80
		}
	}
	return host, port
}

// captureContent reports whether the user opted in to recording message
// contents.
func captureContent() bool {
	switch strings.ToLower(strings.TrimSpace(os.Getenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"))) {
	case "true", "1", "span_only", "span_and_event":
		return true
	}
	return false
}
