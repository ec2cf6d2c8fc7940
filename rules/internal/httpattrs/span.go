package httpattrs

import (
	"context"
	"strconv"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	semconv "otelgo.dev/rules/internal/semconv"

	"otelgo.dev/rules/goroutine"
	"otelgo.dev/rules/internal/telemetry"
)

// --- server

// ServerRequest is a request a server received, as the hooks read it.
type ServerRequest struct {
	Method    string
	Scheme    string // url.scheme: "http" or "https"
	NoURL     bool   // the request has no URL: no url.path nor url.query
	Path      string // url.path
	Query     string // the raw query, redacted for url.query
	Host      string // the host and port the request was sent to (its Host header)
	Version   string // network.protocol.version ("1.1", "2")
	UserAgent string
	Peer      string // the address the connection came from, "host:port"
}

// Server is one request being served: its SERVER span, and what its
// http.server.request.duration measurement needs.
type Server struct {
	Span trace.Span
	Ctx  context.Context // holds Span
	Name string          // the request's method as span names spell it
	// Unmeasured: the request's http.server.request.duration is another
	// instrumentation's to record (the program's otelhttp handler).
	Unmeasured bool

	scope   string
	start   time.Time
	method  attribute.KeyValue
	scheme  string
	version string
}

// StartServer starts the SERVER span of r, named "{method}", under the
// caller's span that the global propagator extracts from headers (into
// ctx), with the attributes the conventions give a request: method,
// url.scheme, url.path and url.query, server.address and server.port,
// network.protocol.version, user_agent.original, client.address (the
// Forwarded or X-Forwarded-For client, else the peer) and network.peer.*.
func StartServer(ctx context.Context, scope string, headers propagation.TextMapCarrier, r *ServerRequest) *Server {
	start := time.Now()
	ctx = otel.GetTextMapPropagator().Extract(ctx, headers)

	attrs := make([]attribute.KeyValue, 0, 14)
	attrs, name := MethodAttrs(attrs, r.Method)
	attrs = append(attrs, semconv.URLScheme(r.Scheme))
	if !r.NoURL {
		attrs = append(attrs, semconv.URLPath(r.Path))
		if r.Query != "" {
			attrs = append(attrs, semconv.URLQuery(RedactQuery(r.Query)))
		}
	}
	attrs = ServerAddress(attrs, r.Host, r.Scheme)
	if r.Version != "" {
		attrs = append(attrs, semconv.NetworkProtocolVersion(r.Version))
	}
	if r.UserAgent != "" {
		attrs = append(attrs, semconv.UserAgentOriginal(r.UserAgent))
	}
	peer, peerPort := SplitHostPort(r.Peer)
	if client := ForwardedClient(headers.Get); client != "" {
		attrs = append(attrs, semconv.ClientAddress(client))
	} else if peer != "" {
		attrs = append(attrs, semconv.ClientAddress(peer))
	}
	if peer != "" {
		attrs = append(attrs, semconv.NetworkPeerAddress(peer))
		if peerPort > 0 {
			attrs = append(attrs, semconv.NetworkPeerPort(peerPort))
		}
	}
	ctx, span := telemetry.Tracer(scope).Start(ctx, name,
		trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attrs...))
	kv, _, _ := Method(r.Method)
	return &Server{Span: span, Ctx: ctx, Name: name, scope: scope, start: start, method: kv, scheme: r.Scheme, version: r.Version}
}

// SetRoute gives the span the route template the request matched:
// http.route and the name "{method} {route}".
func (s *Server) SetRoute(route string) {
	s.Span.SetAttributes(semconv.HTTPRoute(route))
	s.Span.SetName(s.Name + " " + route)
}

// End ends the span of a request served with status (0: none known), and
// records its http.server.request.duration, with route ("" for none). A handler that panicked (error.type "panic") or a status of 500 or
// more (error.type the status) marks the span as failed.
func (s *Server) End(status int, route string, panicked bool) {
	span := s.Span
	if status > 0 {
		span.SetAttributes(semconv.HTTPResponseStatusCode(status))
	}
	errType := ""
	switch {
	case panicked:
		errType = "panic"
		span.SetStatus(codes.Error, "handler panicked")
	case status >= 500:
		errType = strconv.Itoa(status)
		span.SetStatus(codes.Error, "")
	}
	if errType != "" {
		span.SetAttributes(semconv.ErrorTypeKey.String(errType))
	}
	span.End()
	if s.Unmeasured {
		return
	}

	// server.address and server.port are opt-in for the metric: the Host
	// header is the client's to choose.
	attrs := make([]attribute.KeyValue, 0, 6)
	attrs = append(attrs, s.method, semconv.URLScheme(s.scheme))
	if status > 0 {
		attrs = append(attrs, semconv.HTTPResponseStatusCode(status))
	}
	if route != "" {
		attrs = append(attrs, semconv.HTTPRoute(route))
	}
	if s.version != "" {
		attrs = append(attrs, semconv.NetworkProtocolVersion(s.version))
	}
	if errType != "" {
		attrs = append(attrs, semconv.ErrorTypeKey.String(errType))
	}
	// RecordSet: the generated Record drops its required attributes when
	// it is given no optional ones.
	Instruments(s.scope).Server.RecordSet(s.Ctx, Seconds(s.start), attribute.NewSet(attrs...))
}

// --- client

// Client is one request being sent: its CLIENT span, and what its
// http.client.request.duration measurement needs.
type Client struct {
	Span trace.Span
	Ctx  context.Context // holds Span

	scope string
	start time.Time
	attrs []attribute.KeyValue // the measurement's, known at the start
}

// StartClient starts the CLIENT span of a request, named "{method}", under
// the span of ctx, else the goroutine's current span, and injects its
// context into headers. url is url.full, credentials and sensitive query
// values redacted (FullURL); hostport ("host:port" or "host", the scheme
// giving the port then) is server.address and server.port.
func StartClient(ctx context.Context, scope, method, url, hostport, scheme string, headers propagation.TextMapCarrier) *Client {
	start := time.Now()
	attrs := make([]attribute.KeyValue, 0, 8)
	attrs, name := MethodAttrs(attrs, method)
	attrs = append(attrs, semconv.URLFull(url))
	attrs = ServerAddress(attrs, hostport, scheme)
	ctx, span := telemetry.Tracer(scope).Start(goroutine.Context(ctx), name,
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attrs...))
	otel.GetTextMapPropagator().Inject(ctx, headers)

	kv, _, _ := Method(method)
	metricAttrs := make([]attribute.KeyValue, 0, 7)
	metricAttrs = ServerAddress(append(metricAttrs, kv), hostport, scheme)
	if scheme != "" {
		metricAttrs = append(metricAttrs, semconv.URLScheme(scheme))
	}
	return &Client{Span: span, Ctx: ctx, scope: scope, start: start, attrs: metricAttrs}
}

// End ends the span of a request sent and records its
// http.client.request.duration: a failed request (err, whose
// error.type errorType gives) marks the span as failed; else the response's
// status (0: none) and protocol version go on it, a status of 400 or more
// marking it failed.
func (c *Client) End(status int, version string, err error, errorType func(error) attribute.KeyValue) {
	var outcome []attribute.KeyValue
	switch {
	case err != nil:
		outcome = append(outcome, errorType(err))
		c.Span.SetStatus(codes.Error, err.Error())
	case status > 0:
		outcome = append(outcome, semconv.HTTPResponseStatusCode(status))
		if version != "" {
			outcome = append(outcome, semconv.NetworkProtocolVersion(version))
		}
		if status >= 400 {
			outcome = append(outcome, semconv.ErrorTypeKey.String(strconv.Itoa(status)))
			c.Span.SetStatus(codes.Error, "")
		}
	}
	c.Span.SetAttributes(outcome...)
	c.Span.End()
	attrs := append(c.attrs[:len(c.attrs):len(c.attrs)], outcome...)
	Instruments(c.scope).Client.RecordSet(c.Ctx, Seconds(c.start), attribute.NewSet(attrs...))
}

// --- headers

// ByteHeaders is the propagation.TextMapCarrier of request headers held as
// bytes (fasthttp's and hertz's *RequestHeader).
type ByteHeaders struct {
	H interface {
		Peek(key string) []byte
		Set(key, value string)
		VisitAll(f func(key, value []byte))
	}
}

func (c ByteHeaders) Get(key string) string { return string(c.H.Peek(key)) }
func (c ByteHeaders) Set(key, value string) { c.H.Set(key, value) }
func (c ByteHeaders) Keys() []string {
	var keys []string
	c.H.VisitAll(func(k, _ []byte) { keys = append(keys, string(k)) })
	return keys
}

// ByteURI is a request URI held as bytes (fasthttp's and hertz's *URI),
// what url.full is made of.
type ByteURI interface {
	Scheme() []byte
	Host() []byte
	PathOriginal() []byte
	QueryString() []byte
	Username() []byte
	Password() []byte
}

// FullByteURL is url.full for u (FullURL).
func FullByteURL(u ByteURI) string {
	return FullURL(string(u.Scheme()), string(u.Host()), string(u.PathOriginal()), string(u.QueryString()),
		len(u.Username()) > 0 || len(u.Password()) > 0)
}
