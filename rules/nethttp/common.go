// Package nethttp holds the hooks otelgo splices into net/http: a SERVER
// span per request served by an http.Server and a CLIENT span per
// (*http.Transport).RoundTrip, following the OpenTelemetry HTTP semantic
// conventions. The rules are in nethttp.json beside this file.
//
// The HTTP semantic conventions (attributes, span names, status and
// error.type, the duration histograms) are otelgo.dev/rules/internal/httpattrs,
// shared with the hooks of fasthttp and hertz. The hooks are reached from
// net/http through //go:linkname, so their signatures follow the convention
// of otelgo.dev/rules/api exactly.
package nethttp

import (
	"context"
	"errors"
	"io"
	"net/url"

	"go.opentelemetry.io/otel/attribute"
	semconv "otelgo.dev/rules/internal/semconv"

	"otelgo.dev/rules/internal/redact"
)

// ScopeName is the instrumentation scope of the spans made here.
const ScopeName = "otelgo.dev/rules/nethttp"

// fullURL renders u for url.full without credentials (see
// otelgo.dev/rules/internal/redact, shared by every HTTP stack); u itself is
// not modified.
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
