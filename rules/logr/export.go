package logr

import (
	"context"
	"reflect"
	"strings"
	"sync/atomic"

	"github.com/go-logr/logr"
	"go.opentelemetry.io/contrib/bridges/otellogr"
	otellog "go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/log/global"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/internal/logctx"
)

// ScopeName is the instrumentation scope of the exported records.
const ScopeName = "otelgo.dev/rules/logr"

var (
	bridge  atomic.Pointer[otellogr.LogSink]
	enabler atomic.Pointer[otellog.Logger] // the scope's logger, to ask Enabled
)

// init runs after the OpenTelemetry packages are initialised: a program's
// own init may log before that, and is not exported.
func init() {
	bridge.Store(otellogr.NewLogSink(ScopeName))
	l := global.Logger(ScopeName)
	enabler.Store(&l)
}

// delegatedPackages are the packages of sinks whose records otelgo exports
// where they are written, and the bridge's own.
var delegatedPackages = []string{
	"github.com/go-logr/zapr",
	"github.com/go-logr/stdr",
	"k8s.io/klog/",
	"go.opentelemetry.io/contrib/bridges/otellogr",
}

// delegated reports whether a sink's records are exported elsewhere.
func delegated(sink logr.LogSink) bool {
	t := reflect.TypeOf(sink)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	pkg := t.PkgPath()
	for _, p := range delegatedPackages {
		if pkg == p || strings.HasPrefix(pkg, p) || strings.HasPrefix(pkg, p+"/") {
			return true
		}
	}
	return false
}

type nilError struct{}

func (nilError) Error() string { return "<nil>" }

func export(l logr.Logger, isError bool, err error, msg string, kvs []any) {
	defer func() { _ = recover() }() // exporting never breaks logging
	b, en := bridge.Load(), enabler.Load()
	if b == nil || en == nil || delegated(l.GetSink()) {
		return
	}
	ctx := logctx.ExportContext(lastContext(kvs))
	if !(*en).Enabled(ctx, otellog.EnabledParameters{}) {
		return
	}
	sc := trace.SpanContextFromContext(ctx)
	pairs := make([]any, 0, len(kvs)+2)
	for i := 0; i+1 < len(kvs); i += 2 {
		if _, isCtx := kvs[i+1].(context.Context); isCtx {
			continue
		}
		if k, ok := kvs[i].(string); ok {
			if v, ok := kvs[i+1].(string); ok && logctx.IsIDField(sc, k, v) {
				continue
			}
		}
		pairs = append(pairs, kvs[i], kvs[i+1])
	}
	pairs = append(pairs, "context", ctx)
	if isError {
		if err == nil {
			err = nilError{}
		}
		b.Error(err, msg, pairs...)
		return
	}
	b.Info(l.GetV(), msg, pairs...)
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
