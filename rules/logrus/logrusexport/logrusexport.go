// Package logrusexport holds the hooks otelgo splices into
// github.com/sirupsen/logrus to export its entries as OpenTelemetry log
// records, through the official logrus bridge
// (go.opentelemetry.io/contrib/bridges/otellogrus), when the SDK has a
// LoggerProvider (OTEL_LOGS_EXPORTER).
//
// It is a module of its own because the bridge needs logrus v1.9.4: a
// program with an older logrus gets the trace_id and span_id fields of
// otelgo.dev/rules/logrus but no export, rather than a newer logrus.
//
// The hooks run when (*Entry).fireHooks returns, for each entry the logger
// writes (what is exported is what is written), after the program's hooks
// and otelgo.dev/rules/logrus's, whatever hooks the logger has. The bridge
// gets a copy of the entry whose context holds the span the entry belongs to
// (its own context's, otherwise the one current on the goroutine) and whose
// fields lack the trace_id and span_id that otelgo.dev/rules/logrus added.
// Entries of a logger that has the bridge's hook itself (the program exports
// already) are left to it. The rules are in logrusexport.json beside this
// file.
package logrusexport

import (
	"sync/atomic"

	"github.com/sirupsen/logrus"
	"go.opentelemetry.io/contrib/bridges/otellogrus"
	otellog "go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/log/global"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/logctx"
)

// ScopeName is the instrumentation scope of the exported records.
const ScopeName = "otelgo.dev/rules/logrus/logrusexport"

var (
	bridge  atomic.Pointer[otellogrus.Hook]
	enabler atomic.Pointer[otellog.Logger] // the scope's logger, to ask Enabled
)

// init runs after the OpenTelemetry packages are initialised: a program's
// own init may log before that, and is not exported.
func init() {
	bridge.Store(otellogrus.NewHook(ScopeName))
	l := global.Logger(ScopeName)
	enabler.Store(&l)
}

// FireHooksOnExit is the OnExit hook of
//
//	func (entry *Entry) fireHooks()
//
// in github.com/sirupsen/logrus (entry.go) in v1.9.x. The logger's hooks
// are read the way logrus's own Entry.Logger.Hooks readers do, without the
// logger's lock: hooks are added at start-up.
func FireHooksOnExit(call api.CallContext) {
	entry, _ := call.Receiver().(*logrus.Entry)
	if entry == nil || entry.Logger == nil {
		return
	}
	export(entry, entry.Logger.Hooks[entry.Level])
}

// FireHooksListOnExit is the OnExit hook of
//
//	func (entry *Entry) fireHooks(hooks []Hook)
//
// in github.com/sirupsen/logrus (entry.go) since v1.10.0.
func FireHooksListOnExit(call api.CallContext) {
	entry, _ := call.Receiver().(*logrus.Entry)
	hooks, _ := call.Param(0).([]logrus.Hook)
	if entry == nil {
		return
	}
	export(entry, hooks)
}

func export(entry *logrus.Entry, hooks []logrus.Hook) {
	b, l := bridge.Load(), enabler.Load()
	if b == nil || l == nil {
		return // before init
	}
	for _, h := range hooks {
		if _, ok := h.(*otellogrus.Hook); ok {
			return
		}
	}
	ctx := logctx.ExportContext(entry.Context)
	if !(*l).Enabled(ctx, otellog.EnabledParameters{}) {
		return
	}
	e := *entry
	e.Context = ctx
	e.Data = withoutIDs(entry.Data, trace.SpanContextFromContext(ctx))
	_ = b.Fire(&e)
}

// withoutIDs returns data without the trace_id and span_id that name sc;
// data itself if it has neither. data is never written to.
func withoutIDs(data logrus.Fields, sc trace.SpanContext) logrus.Fields {
	if !isID(sc, data, logctx.TraceIDKey) && !isID(sc, data, logctx.SpanIDKey) {
		return data
	}
	out := make(logrus.Fields, len(data))
	for k, v := range data {
		if !isID(sc, data, k) {
			out[k] = v
		}
	}
	return out
}

func isID(sc trace.SpanContext, data logrus.Fields, key string) bool {
	s, ok := data[key].(string)
	return ok && logctx.IsIDField(sc, key, s)
}
