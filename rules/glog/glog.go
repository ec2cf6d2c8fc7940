// Package glog holds the hook otelgo splices into github.com/golang/glog: a
// line that belongs to a span ends with a space and
//
//	trace_id=<32 hex digits> span_id=<16 hex digits>
//
// after its message (before the newline glog adds), as the standard log
// package's lines do under otelgo (otelgo.dev/rules/log): glog's lines are
// printf text with no key-value syntax of their own.
//
// A line belongs to the span of the context it was logged with
// (InfoContext, WarningContextf, ..., since glog v1.2.0) when that holds
// one; otherwise, as for every line logged without a context, to the span
// current on the calling goroutine, such as the server span of the request
// being handled (see otelgo.dev/rules/internal/logctx). Lines that belong
// to no span are unchanged, as are lines whose message holds "trace_id="
// already.
//
// With OTEL_LOGS_EXPORTER each line is also exported as an OpenTelemetry log
// record: the message is the body, without the IDs, which are the record's
// own; the severity is glog's (INFO 9, WARNING 13, ERROR 17, FATAL 21).
// There is no official glog bridge: the records go through the
// OpenTelemetry log API by way of the official slog bridge
// (otelgo.dev/rules/internal/logexport).
//
// The hook is on sinkf, where every log call of glog's ends (since v1.1.0,
// which sends lines through its internal logsink package), once per line,
// and hands the message to every sink (stderr, log files). The hook formats
// the message itself when it adds the IDs or exports, and hands the sinks
// the text it formatted ("%s"): what they write is what they would have
// written, and the arguments are formatted once.
//
// The rule is in glog.json beside this file. The hook is reached from glog
// through //go:linkname, so its signature follows the convention of
// otelgo.dev/rules/api exactly: glog's internal logsink.Meta is any.
package glog

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/logctx"
	"otelgo.dev/rules/internal/logexport"
)

// ScopeName is the instrumentation scope of the exported records.
const ScopeName = "otelgo.dev/rules/glog"

var exporter atomic.Pointer[logexport.Exporter]

// init runs after the OpenTelemetry packages are initialised: a program's
// own init may log before that, and is not exported.
func init() { exporter.Store(logexport.New(ScopeName)) }

// SinkfOnEnter is the OnEnter hook of
//
//	func sinkf(meta *logsink.Meta, format string, args ...any)
//
// in github.com/golang/glog (glog.go).
func SinkfOnEnter(call api.CallContext, meta any, format string, args []any) {
	ctx, severity, t := metaFields(meta)
	sc := logctx.SpanContext(ctx)
	exp := exporter.Load()
	level := logexport.SeverityLevel(severity)
	exportCtx := logctx.ExportContext(ctx)
	exporting := exp.Enabled(exportCtx, level)
	if !sc.IsValid() && !exporting {
		return
	}
	msg := fmt.Sprintf(format, args...)
	if exporting {
		exp.Export(exportCtx, t, level, strings.TrimSuffix(msg, "\n"), nil)
	}
	if sc.IsValid() && !strings.Contains(msg, traceKey) {
		msg = withIDs(msg, sc)
	}
	call.SetParam(1, "%s")
	call.SetParam(2, []any{msg})
}

const traceKey = logctx.TraceIDKey + "="

// withIDs appends the IDs to msg, before its final newline if it has one.
func withIDs(msg string, sc trace.SpanContext) string {
	body, newline := strings.CutSuffix(msg, "\n")
	out := body + " " + traceKey + sc.TraceID().String() + " " + logctx.SpanIDKey + "=" + sc.SpanID().String()
	if newline {
		out += "\n"
	}
	return out
}

// metaFields reads the Context (since v1.2.0), Severity and Time fields of
// glog's *logsink.Meta.
func metaFields(meta any) (ctx context.Context, severity int64, t time.Time) {
	v := reflect.ValueOf(meta)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, 0, time.Time{}
	}
	v = v.Elem()
	if f := v.FieldByName("Context"); f.IsValid() && f.Kind() == reflect.Interface && !f.IsNil() {
		ctx, _ = f.Interface().(context.Context)
	}
	if f := v.FieldByName("Severity"); f.IsValid() && f.CanInt() {
		severity = f.Int()
	}
	if f := v.FieldByName("Time"); f.IsValid() {
		t, _ = f.Interface().(time.Time)
	}
	return ctx, severity, t
}
