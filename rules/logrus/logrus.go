// Package logrus holds the hooks otelgo splices into
// github.com/sirupsen/logrus: an entry that belongs to a span gets the
// fields trace_id and span_id (lowercase hex) in its Data, so every
// formatter and every hook of the program sees them like fields added with
// WithField. The rules are in logrus.json beside this file.
//
// An entry belongs to the span in its context (logger.WithContext(ctx).Info(...),
// entry.WithContext(ctx)...) when that context holds one; otherwise, as for
// entries logged without a context (logger.Info(...)), to the span current
// on the calling goroutine, such as the server span of the request being
// handled (see otelgo.dev/rules/internal/logctx). Entries that belong to no
// span are unchanged, as are entries that already have a trace_id field.
//
// An entry without a span in its context, of a logger that has the
// OpenTelemetry logrus bridge's hook (otellogrus: the program exports its
// entries itself), also gets the span current on the goroutine as its
// Context, so the program's export carries the span's IDs as its own (it
// exports the trace_id and span_id fields as attributes too). The bridge is
// named, not imported: it needs a newer logrus than these hooks. Looking
// through the logger's hooks allocates nothing.
//
// The hooks run in (*Entry).fireHooks, on the copy of the entry that
// (*Entry).log makes for each record (since v1.8.1), so the program's own
// Entry and its Data map are never written to.
//
// The hooks are reached from logrus through //go:linkname, so their
// signatures follow the convention of otelgo.dev/rules/api exactly.
package logrus

import (
	"reflect"

	"github.com/sirupsen/logrus"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/logctx"
)

// FireHooksOnEnter is the OnEnter hook of
//
//	func (entry *Entry) fireHooks()
//
// in github.com/sirupsen/logrus (entry.go) from v1.8.1 to v1.9.x.
func FireHooksOnEnter(_ api.CallContext, entry *logrus.Entry) {
	if addIDs(entry) && entry.Logger != nil {
		// Read the way logrusexport reads them: hooks are added at start-up.
		bridgeContext(entry, entry.Logger.Hooks[entry.Level])
	}
}

// FireHooksListOnEnter is the OnEnter hook of
//
//	func (entry *Entry) fireHooks(hooks []Hook)
//
// in github.com/sirupsen/logrus (entry.go) since v1.10.0.
func FireHooksListOnEnter(_ api.CallContext, entry *logrus.Entry, hooks []logrus.Hook) {
	if addIDs(entry) {
		bridgeContext(entry, hooks)
	}
}

// addIDs adds the IDs and reports whether it did.
func addIDs(entry *logrus.Entry) bool {
	if entry == nil {
		return false
	}
	if _, ok := entry.Data[logctx.TraceIDKey]; ok {
		return false
	}
	traceID, spanID, ok := logctx.IDs(entry.Context)
	if !ok {
		return false
	}
	if entry.Data == nil {
		entry.Data = make(logrus.Fields, 2)
	}
	entry.Data[logctx.TraceIDKey] = traceID
	entry.Data[logctx.SpanIDKey] = spanID
	return true
}

// otellogrusPath is the package of the OpenTelemetry logrus bridge, whose
// hook (*otellogrus.Hook) exports the entries it fires for. It is named,
// not imported: the bridge needs a newer logrus than these hooks do. A
// variable for the tests.
var otellogrusPath = "go.opentelemetry.io/contrib/bridges/otellogrus"

// bridgeContext gives an entry that has no span in its context, and whose
// logger has the bridge's hook (the program exports its entries itself),
// the context of the span it belongs to (the goroutine's), so the program's
// export carries the span's IDs as its own. The entry is the copy
// (*Entry).log made for this record: the program's Entry is unchanged. No
// allocation for a logger without the bridge's hook.
func bridgeContext(entry *logrus.Entry, hooks []logrus.Hook) {
	if logctx.ContextSpanContext(entry.Context).IsValid() {
		return
	}
	for _, h := range hooks {
		if isBridgeHook(h) {
			entry.Context = logctx.ExportContext(entry.Context)
			return
		}
	}
}

func isBridgeHook(h logrus.Hook) bool {
	t := reflect.TypeOf(h)
	if t == nil || t.Kind() != reflect.Pointer {
		return false
	}
	t = t.Elem()
	return t.Name() == "Hook" && t.PkgPath() == otellogrusPath
}
