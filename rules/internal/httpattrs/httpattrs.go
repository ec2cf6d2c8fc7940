// Package httpattrs is the HTTP semantic conventions
// (go.opentelemetry.io/otel/semconv/v1.39.0) for the hooks of HTTP stacks:
// net/http (otelgo.dev/rules/nethttp) and those with servers and clients
// of their own (fasthttp, hertz), from the plain values each library
// holds: the attributes of a request and of its response, span names
// ("{method}", "{method} {route}"), the status and error.type of a failed
// request, and the duration histograms http.server.request.duration and
// http.client.request.duration. StartServer and StartClient make the spans
// and their measurements; the hooks read their library's request into a
// ServerRequest or the arguments of StartClient, and name their library's
// own errors.
package httpattrs

import (
	"net"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "otelgo.dev/rules/internal/semconv"
	"otelgo.dev/rules/internal/semconv/httpconv"

	"otelgo.dev/rules/internal/redact"
	"otelgo.dev/rules/internal/telemetry"
)

// Method returns the http.request.method attribute for m, the name to use
// for m in span names ("HTTP" for an unknown method), and whether m is one
// of the known methods.
func Method(m string) (kv attribute.KeyValue, name string, known bool) {
	switch m {
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

// MethodAttrs appends http.request.method (and http.request.method_original
// for an unknown method) to attrs and returns the method's span name.
func MethodAttrs(attrs []attribute.KeyValue, m string) ([]attribute.KeyValue, string) {
	kv, name, known := Method(m)
	attrs = append(attrs, kv)
	if !known {
		attrs = append(attrs, semconv.HTTPRequestMethodOriginal(m))
	}
	return attrs, name
}

// ProtocolVersionOf maps an HTTP major/minor version to the value of
// network.protocol.version: "1.0", "1.1", "2", "3".
func ProtocolVersionOf(major, minor int) string {
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

// ProtocolVersion maps "HTTP/1.1" to network.protocol.version's "1.1".
func ProtocolVersion(proto string) string {
	v, ok := strings.CutPrefix(proto, "HTTP/")
	if !ok || v == "" {
		return ""
	}
	if v == "2.0" || v == "3.0" {
		return v[:1]
	}
	return v
}

// SplitHostPort splits "host:port", "[v6]:port", "host" or "[v6]"; port is
// 0 when absent or not a number.
func SplitHostPort(hostport string) (host string, port int) {
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

// DefaultPort returns the port a URL scheme implies.
func DefaultPort(scheme string) int {
	switch strings.ToLower(scheme) {
	case "http", "ws":
		return 80
	case "https", "wss":
		return 443
	}
	return 0
}

// ServerAddress appends server.address and server.port for hostport
// ("host:port" or "host", the scheme giving the port then).
func ServerAddress(attrs []attribute.KeyValue, hostport, scheme string) []attribute.KeyValue {
	host, port := SplitHostPort(hostport)
	if host == "" {
		return attrs
	}
	if port == 0 {
		port = DefaultPort(scheme)
	}
	attrs = append(attrs, semconv.ServerAddress(host))
	if port > 0 {
		attrs = append(attrs, semconv.ServerPort(port))
	}
	return attrs
}

// Redacted replaces what the conventions say to hide in URLs.
const Redacted = redact.Redacted

// RedactQuery replaces the values of sensitive query parameters in a raw
// query string by REDACTED (otelgo.dev/rules/internal/redact).
func RedactQuery(raw string) string { return redact.Query(raw) }

// FullURL renders url.full from a request URI's parts: credentials become
// REDACTED:REDACTED and sensitive query values REDACTED.
func FullURL(scheme, host, path, query string, credentials bool) string {
	return redact.FullURL(scheme, host, path, query, credentials)
}

// ForwardedClient returns the original client address from the Forwarded
// or X-Forwarded-For header (header reads one), or "".
func ForwardedClient(header func(string) string) string {
	if v := header("Forwarded"); v != "" {
		first, _, _ := strings.Cut(v, ",")
		for _, pair := range strings.Split(first, ";") {
			k, val, ok := strings.Cut(strings.TrimSpace(pair), "=")
			if !ok || !strings.EqualFold(k, "for") {
				continue
			}
			val = strings.Trim(val, `"`)
			if host, _ := SplitHostPort(val); host != "" && !strings.HasPrefix(host, "_") && host != "unknown" {
				return host
			}
		}
	}
	if v := header("X-Forwarded-For"); v != "" {
		first, _, _ := strings.Cut(v, ",")
		return strings.TrimSpace(first)
	}
	return ""
}

// Durations are the duration histograms of the HTTP semantic conventions.
type Durations struct {
	Server httpconv.ServerRequestDuration
	Client httpconv.ClientRequestDuration
}

var instruments = telemetry.NewInstruments(func(meter metric.Meter) (d Durations) {
	var err error
	if d.Server, err = httpconv.NewServerRequestDuration(meter, durationBuckets); err != nil {
		otel.Handle(err)
	}
	if d.Client, err = httpconv.NewClientRequestDuration(meter, durationBuckets); err != nil {
		otel.Handle(err)
	}
	return d
})

// Instruments returns the histograms of scope, made on first use from the
// global MeterProvider (by then otelgo's SDK set-up, or the program's own,
// has installed it; were it not, the global provider hands the
// measurements on once it is), and made again when the program installs
// another.
func Instruments(scope string) Durations { return instruments.Get(scope) }

// durationBuckets are the bucket boundaries the HTTP conventions advise for
// the duration histograms (the SDK's default ones suit milliseconds).
var durationBuckets = metric.WithExplicitBucketBoundaries(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10)

// Seconds is the time since start, as the histograms take it.
func Seconds(start time.Time) float64 {
	return float64(time.Since(start)) / float64(time.Second)
}
