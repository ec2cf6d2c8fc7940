// Package fasthttp holds the hooks otelgo splices into
// github.com/valyala/fasthttp, which has an HTTP server and clients of its
// own (not net/http's): a SERVER span per request a fasthttp.Server serves
// and a CLIENT span per request a fasthttp client sends, following the
// HTTP semantic conventions of go.opentelemetry.io/otel/semconv/v1.39.0,
// and the http.server.request.duration and http.client.request.duration
// histograms. The rules are in fasthttp.json beside this file.
//
// Server: (*Server).Serve and (*Server).ServeConn (which ListenAndServe,
// fasthttp.Serve, fiber's app.Listen and app.Test all reach) wrap the
// server's Handler once, before it serves a connection. The wrapper starts
// the SERVER span with the parent extracted from the request headers (the
// configured propagators: W3C traceparent by default), names it "{method}"
// (fasthttp has no routes; a router on top, fiber, gives the span
// "{method} {route}" through otelgo.dev/rules/internal/fastroute) and ends
// it when the handler returns, with the response's status code. A status
// of 500 or more, or a handler that panics (fasthttp does not recover
// panics: the program still dies), marks the span as failed. Code the
// handler calls finds the SERVER span as the goroutine's current span
// (otelgo.dev/rules/goroutine): *fasthttp.RequestCtx is a context.Context,
// but not one that can carry a span, so a call given ctx (or
// context.Background()) nests under the request all the same. A request
// a TimeoutHandler gave up on ends its span when the handler returns.
//
// Client: every request sent through a *HostClient (and so through
// *Client, fasthttp.Do, Get, Post..., DoTimeout, DoDeadline, DoRedirects),
// each attempt and each redirect, is one CLIENT span, from the request
// being written to the response's headers being read, under the
// goroutine's current span (fasthttp's client takes no context). The
// trace context is injected into the request's headers, which fasthttp
// lets the caller own and reuse: the headers stay in the request after the
// call. A status of 400 or more, or an error, marks the span as failed.
// PipelineClient is not instrumented.
//
// The hooks are reached from fasthttp through //go:linkname, so their
// signatures follow the convention of otelgo.dev/rules/api exactly.
package fasthttp

import (
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/valyala/fasthttp"
	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.39.0"
)

// ScopeName is the instrumentation scope of the spans and metrics made here.
const ScopeName = "otelgo.dev/rules/fasthttp"

// method returns the http.request.method attribute for m, the name to use
// for m in span names, and whether m is one of the known methods.
func method(m []byte) (kv attribute.KeyValue, name string, known bool) {
	switch string(m) {
	case "", "GET":
		return semconv.HTTPRequestMethodGet, "GET", true
	case "POST":
		return semconv.HTTPRequestMethodPost, "POST", true
	case "PUT":
		return semconv.HTTPRequestMethodPut, "PUT", true
	case "DELETE":
		return semconv.HTTPRequestMethodDelete, "DELETE", true
	case "HEAD":
		return semconv.HTTPRequestMethodHead, "HEAD", true
	case "PATCH":
		return semconv.HTTPRequestMethodPatch, "PATCH", true
	case "OPTIONS":
		return semconv.HTTPRequestMethodOptions, "OPTIONS", true
	case "CONNECT":
		return semconv.HTTPRequestMethodConnect, "CONNECT", true
	case "TRACE":
		return semconv.HTTPRequestMethodTrace, "TRACE", true
	case "QUERY":
		return semconv.HTTPRequestMethodQuery, "QUERY", true
	}
	return semconv.HTTPRequestMethodOther, "HTTP", false
}

// methodAttrs appends http.request.method (and http.request.method_original
// for an unknown method) to attrs and returns the method's span name.
func methodAttrs(attrs []attribute.KeyValue, m []byte) ([]attribute.KeyValue, string) {
	kv, name, known := method(m)
	attrs = append(attrs, kv)
	if !known {
		attrs = append(attrs, semconv.HTTPRequestMethodOriginal(string(m)))
	}
	return attrs, name
}

// protocolVersion maps "HTTP/1.1" to network.protocol.version's "1.1".
func protocolVersion(proto []byte) string {
	v, ok := strings.CutPrefix(string(proto), "HTTP/")
	if !ok || v == "" {
		return ""
	}
	if v == "2.0" || v == "3.0" {
		return v[:1]
	}
	return v
}

// splitHostPort splits "host:port", "[v6]:port", "host" or "[v6]"; port is
// 0 when absent or not a number.
func splitHostPort(hostport string) (host string, port int) {
	if hostport == "" {
		return "", 0
	}
	if h, p, err := net.SplitHostPort(hostport); err == nil {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			n = 0
		}
		return h, n
	}
	if strings.HasPrefix(hostport, "[") && strings.HasSuffix(hostport, "]") {
		return hostport[1 : len(hostport)-1], 0
	}
	return hostport, 0
}

// defaultPort returns the port a URL scheme implies.
func defaultPort(scheme string) int {
	switch strings.ToLower(scheme) {
	case "http", "ws":
		return 80
	case "https", "wss":
		return 443
	}
	return 0
}

const redacted = "REDACTED"

// sensitiveQueryKeys are the query parameters whose values the semantic
// conventions say to redact in url.full and url.query.
var sensitiveQueryKeys = [...]string{"AWSAccessKeyId", "Signature", "sig", "X-Goog-Signature"}

// redactQuery replaces the values of sensitive query parameters in a raw
// query string by REDACTED, keeping everything else byte for byte.
func redactQuery(raw string) string {
	found := false
	for _, k := range sensitiveQueryKeys {
		if strings.Contains(raw, k+"=") {
			found = true
			break
		}
	}
	if !found {
		return raw
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		k, _, ok := strings.Cut(p, "=")
		if !ok {
			continue
		}
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		for _, s := range sensitiveQueryKeys {
			if k == s {
				parts[i] = p[:strings.IndexByte(p, '=')+1] + redacted
				break
			}
		}
	}
	return strings.Join(parts, "&")
}

// fullURL renders a request's URI for url.full: credentials become
// REDACTED:REDACTED and sensitive query values REDACTED.
func fullURL(u *fasthttp.URI) string {
	scheme, host := string(u.Scheme()), string(u.Host())
	if scheme == "" {
		scheme = "http"
	}
	var b strings.Builder
	b.WriteString(scheme)
	b.WriteString("://")
	if len(u.Username()) > 0 || len(u.Password()) > 0 {
		b.WriteString(redacted + ":" + redacted + "@")
	}
	b.WriteString(host)
	b.Write(u.PathOriginal())
	if q := u.QueryString(); len(q) > 0 {
		b.WriteByte('?')
		b.WriteString(redactQuery(string(q)))
	}
	return b.String()
}

// forwardedClient returns the original client address from the Forwarded or
// X-Forwarded-For header, or "".
func forwardedClient(h *fasthttp.RequestHeader) string {
	if v := string(h.Peek("Forwarded")); v != "" {
		first, _, _ := strings.Cut(v, ",")
		for _, pair := range strings.Split(first, ";") {
			k, val, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if !ok || !strings.EqualFold(k, "for") {
				continue
			}
			val = strings.Trim(val, `"`)
			if host, _ := splitHostPort(val); host != "" && !strings.HasPrefix(host, "_") && host != "unknown" {
				return host
			}
		}
	}
	if v := string(h.Peek("X-Forwarded-For")); v != "" {
		first, _, _ := strings.Cut(v, ",")
		return strings.TrimSpace(first)
	}
	return ""
}

// fasthttpErrors names fasthttp's own sentinel errors for error.type
// (errors.New values would all be "*errors.errorString").
var fasthttpErrors = []struct {
	err  error
	name string
}{
	{fasthttp.ErrTimeout, "timeout"},
	{fasthttp.ErrDialTimeout, "dial_timeout"},
	{fasthttp.ErrNoFreeConns, "no_free_conns"},
	{fasthttp.ErrConnectionClosed, "connection_closed"},
	{fasthttp.ErrTooManyRedirects, "too_many_redirects"},
}

// errorType is the error.type of a failed client call.
func errorType(err error) attribute.KeyValue {
	for _, e := range fasthttpErrors {
		if errors.Is(err, e.err) {
			return semconv.ErrorTypeKey.String(e.name)
		}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return semconv.ErrorTypeKey.String("timeout")
	}
	return semconv.ErrorType(err)
}

// headerCarrier is the propagation.TextMapCarrier of a request's headers.
type headerCarrier struct{ h *fasthttp.RequestHeader }

func (c headerCarrier) Get(key string) string { return string(c.h.Peek(key)) }
func (c headerCarrier) Set(key, value string) { c.h.Set(key, value) }
func (c headerCarrier) Keys() []string {
	var keys []string
	c.h.VisitAll(func(k, _ []byte) { keys = append(keys, string(k)) })
	return keys
}
