// Package nethttp holds the hooks otelgo splices into net/http: a SERVER
// span per request served by an http.Server and a CLIENT span per
// (*http.Transport).RoundTrip, following the OpenTelemetry HTTP semantic
// conventions. The rules are in nethttp.json beside this file.
//
// The hooks are reached from net/http through //go:linkname, so their
// signatures follow the convention of otelgo.dev/rules/api exactly.
package nethttp

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.39.0"

	"otelgo.dev/rules/internal/redact"
)

// ScopeName is the instrumentation scope of the spans made here.
const ScopeName = "otelgo.dev/rules/nethttp"

// method returns the http.request.method attribute for m, the name to use
// for m in span names, and whether m is one of the known methods. Unknown
// methods become _OTHER (and "HTTP" in span names); the caller adds
// http.request.method_original.
func method(m string) (kv attribute.KeyValue, name string, known bool) {
	switch m {
	case "", "GET":
		return semconv.HTTPRequestMethodGet, "GET", true
	case "POST":
		return semconv.HTTPRequestMethodPost, m, true
	case "PUT":
		return semconv.HTTPRequestMethodPut, m, true
	case "DELETE":
		return semconv.HTTPRequestMethodDelete, m, true
	case "HEAD":
		return semconv.HTTPRequestMethodHead, m, true
	case "PATCH":
		return semconv.HTTPRequestMethodPatch, m, true
	case "OPTIONS":
		return semconv.HTTPRequestMethodOptions, m, true
	case "CONNECT":
		return semconv.HTTPRequestMethodConnect, m, true
	case "TRACE":
		return semconv.HTTPRequestMethodTrace, m, true
	case "QUERY":
		return semconv.HTTPRequestMethodQuery, m, true
	}
	return semconv.HTTPRequestMethodOther, "HTTP", false
}

// methodAttrs appends http.request.method (and _original when unknown) to
// attrs and returns the method's name for span names.
func methodAttrs(attrs []attribute.KeyValue, m string) ([]attribute.KeyValue, string) {
	kv, name, known := method(m)
	attrs = append(attrs, kv)
	if !known {
		attrs = append(attrs, semconv.HTTPRequestMethodOriginal(m))
	}
	return attrs, name
}

// protocolVersion maps an HTTP major/minor version to the value of
// network.protocol.version: "1.0", "1.1", "2", "3".
func protocolVersion(major, minor int) string {
	switch {
	case major == 1 && minor == 1:
		return "1.1"
	case major == 1 && minor == 0:
		return "1.0"
	case major >= 2 && minor == 0:
		return strconv.Itoa(major)
	case major <= 0:
		return ""
	}
	return strconv.Itoa(major) + "." + strconv.Itoa(minor)
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
	// No port.
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

// redactQuery and fullURL keep credentials out of url.query and url.full
// (see otelgo.dev/rules/internal/redact, shared by every HTTP stack).
func redactQuery(raw string) string { return redact.Query(raw) }

func fullURL(u *url.URL) string { return redact.URL(u) }

// errorType is the error.type of a failed call: the name of a well-known
// sentinel error the chain holds (errors.New values would otherwise all be
// "*errors.errorString"), else the Go type of err.
func errorType(err error) attribute.KeyValue {
	switch {
	case errors.Is(err, context.Canceled):
		return semconv.ErrorTypeKey.String("context.Canceled")
	case errors.Is(err, context.DeadlineExceeded):
		return semconv.ErrorTypeKey.String("context.DeadlineExceeded")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return semconv.ErrorTypeKey.String("io.ErrUnexpectedEOF")
	case errors.Is(err, io.EOF):
		return semconv.ErrorTypeKey.String("io.EOF")
	}
	return semconv.ErrorType(err)
}
