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
// The hooks run in (*Entry).fireHooks, on the copy of the entry that
// (*Entry).log makes for each record (since v1.8.1), so the program's own
// Entry and its Data map are never written to.
//
// The hooks are reached from logrus through //go:linkname, so their
// signatures follow the convention of otelgo.dev/rules/api exactly.
package logrus

import (
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
	addIDs(entry)
}

// FireHooksListOnEnter is the OnEnter hook of
//
//	func (entry *Entry) fireHooks(hooks []Hook)
//
// in github.com/sirupsen/logrus (entry.go) since v1.10.0.
func FireHooksListOnEnter(_ api.CallContext, entry *logrus.Entry, _ []logrus.Hook) {
	addIDs(entry)
}

func addIDs(entry *logrus.Entry) {
	if entry == nil {
		return
	}
	if _, ok := entry.Data[logctx.TraceIDKey]; ok {
		return
	}
	traceID, spanID, ok := logctx.IDs(entry.Context)
	if !ok {
		return
	}
	if entry.Data == nil {
		entry.Data = make(logrus.Fields, 2)
	}
	entry.Data[logctx.TraceIDKey] = traceID
	entry.Data[logctx.SpanIDKey] = spanID
}
