package logr

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	"go.opentelemetry.io/contrib/bridges/otelslog"
	"go.opentelemetry.io/otel/trace"
	semconv "otelgo.dev/rules/internal/semconv"

	"otelgo.dev/rules/internal/logctx"
	"otelgo.dev/rules/internal/logexport"
)

// ScopeName is the instrumentation scope of the exported records.
const ScopeName = "otelgo.dev/rules/logr"

var exporter atomic.Pointer[logexport.Exporter]

var zeroTime time.Time // now

// init runs after the OpenTelemetry packages are initialised: a program's
// own init may log before that, and is not exported.
func init() { exporter.Store(logexport.New(ScopeName)) }

// delegatedPackages are the packages of sinks whose records otelgo exports
// where they are written, and the official bridge's own.
var delegatedPackages = []string{
	"github.com/go-logr/zapr",
	"github.com/go-logr/stdr",
	"k8s.io/klog/",
	"go.opentelemetry.io/contrib/bridges/otellogr",
}

// delegated reports whether a sink's records are exported elsewhere: by
// the library otelgo exports where they are written, by the program's own
// otellogr sink, or by the program's own otelslog handler behind logr's
// slog adapter (logr.FromSlogHandler). No allocation.
func delegated(sink logr.LogSink) bool {
	t := reflect.TypeOf(sink)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	pkg := t.PkgPath()
	if pkg == "github.com/go-logr/logr" && t.Name() == "slogSink" {
		return slogBridge(sink)
	}
	for _, p := range delegatedPackages {
		if pkg == p || strings.HasPrefix(pkg, p) {
			return true
		}
	}
	return false
}

// level maps a logr verbosity to slog's levels, which the slog bridge maps
// to OpenTelemetry severities as the logr bridge does: V(0) INFO (9),
// V(1) DEBUG (5), V(n) DEBUG minus n-1 down to TRACE (1); Error ERROR (17).
func level(v int, isError bool) slog.Level {
	switch {
	case isError:
		return slog.LevelError
	case v <= 0:
		return slog.LevelInfo
	case v >= 5:
		return slog.LevelDebug - 4
	}
	return slog.LevelDebug - slog.Level(v-1)
}

func export(l logr.Logger, isError bool, err error, msg string, kvs []any) {
	exp := exporter.Load()
	if exp == nil || delegated(l.GetSink()) {
		return
	}
	defer func() { _ = recover() }() // exporting never breaks logging
	lvl := level(l.GetV(), isError)
	ctx := logctx.ExportContext(lastContext(kvs))
	if !exp.Enabled(ctx, lvl) {
		return
	}
	sc := trace.SpanContextFromContext(ctx)
	attrs := make([]slog.Attr, 0, len(kvs)/2+1)
	if isError {
		text := "<nil>"
		if err != nil {
			text = err.Error()
		}
		attrs = append(attrs, slog.String(string(semconv.ExceptionMessageKey), text))
	}
	for i := 0; i+1 < len(kvs); i += 2 {
		if _, isCtx := kvs[i+1].(context.Context); isCtx {
			continue
		}
		k, ok := kvs[i].(string)
		if !ok {
			k = fmt.Sprint(kvs[i])
		}
		if v, ok := kvs[i+1].(string); ok && logctx.IsIDField(sc, k, v) {
			continue
		}
		attrs = append(attrs, slog.Any(k, kvs[i+1]))
	}
	exp.Export(ctx, zeroTime, lvl, msg, attrs)
}

func lastContext(kvs []any) context.Context {
	var ctx context.Context
	for i := 1; i < len(kvs); i += 2 {
		if c, ok := kvs[i].(context.Context); ok {
			ctx = c
		}
	}
	return ctx
}

var otelslogHandlerType = reflect.TypeFor[*otelslog.Handler]()

// slogBridge reports whether sink, logr's slog adapter, hands its records
// to otelslog's handler (the program's own: it exports them). A handler of
// the program's own type around otelslog's is opaque: its records are
// exported by otelgo too.
func slogBridge(sink logr.LogSink) bool {
	v := reflect.ValueOf(sink)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return false
	}
	h := v.Elem().FieldByName("handler")
	return h.IsValid() && h.Kind() == reflect.Interface && !h.IsNil() && h.Elem().Type() == otelslogHandlerType
}
