// Package klog holds the hook otelgo splices into k8s.io/klog/v2: a line
// written while a span is current on the calling goroutine, such as the
// server span of the request being handled, ends with
//
//	trace_id="<32 hex digits>" span_id="<16 hex digits>"
//
// before its newline, the way klog writes the key-value pairs of InfoS and
// ErrorS: after the line's own pairs for a structured line, after the
// message for a printf-style one (Info, Infof, Infoln, Warning..., Error...,
// Fatal...). klog's calls take no context, so the goroutine's span is the
// only source (see otelgo.dev/rules/internal/logctx). Lines written outside
// any span are unchanged, as are lines that hold "trace_id=" already: those
// of klog's own logr sinks (klog.FromContext, klog.Background,
// textlogger), which otelgo.dev/rules/logr gave the IDs as key-value pairs,
// and the program's own.
//
// The hook is on (*loggingT).output, where every line klog formats is
// written (to stderr, to log files, or to the writer of SetOutput), with
// the same signature from v2.90.1 on. Lines that klog hands to a logr
// logger set with klog.SetLogger are left to otelgo.dev/rules/logr, which
// adds the IDs as key-value pairs.
//
// With OTEL_LOGS_EXPORTER each line is also exported as an OpenTelemetry log
// record: the body is the line after klog's header (a structured line's
// message in quotes and its pairs, as written), without the IDs, which are
// the record's own; the severity is klog's (INFO 9, WARNING 13, ERROR 17,
// FATAL 21). There is no official klog bridge: the records go through the
// OpenTelemetry log API by way of the official slog bridge
// (otelgo.dev/rules/internal/logexport).
//
// The rule is in klog.json beside this file. The hook is reached from klog
// through //go:linkname, so its signature follows the convention of
// otelgo.dev/rules/api exactly: klog's internal types are any.
package klog

import (
	"bytes"
	"context"
	"log/slog"
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
const ScopeName = "otelgo.dev/rules/klog"

var exporter atomic.Pointer[logexport.Exporter]

// init runs after the OpenTelemetry packages are initialised: a program's
// own init may log before that, and is not exported.
func init() { exporter.Store(logexport.New(ScopeName)) }

// buffer is the method set of klog's internal *buffer.Buffer (a
// bytes.Buffer) that the hook uses.
type buffer interface {
	Bytes() []byte
	Truncate(n int)
	Write(p []byte) (int, error)
}

// OutputOnEnter is the OnEnter hook of
//
//	func (l *loggingT) output(s severity.Severity, logger *logWriter, buf *buffer.Buffer, depth int, file string, line int, alsoToStderr bool)
//
// in k8s.io/klog/v2 (klog.go).
func OutputOnEnter(_ api.CallContext, _ any, s any, logger any, buf any, _ int, _ string, _ int, _ bool) {
	if logger != nil {
		if v := reflect.ValueOf(logger); v.Kind() != reflect.Pointer || !v.IsNil() {
			return // a logr logger of the program's writes the line
		}
	}
	b, ok := buf.(buffer)
	if !ok || b == nil {
		return
	}
	exp := exporter.Load()
	level := slogLevel(s)
	exporting := exp.Enabled(nil, level)
	sc := logctx.SpanContext(nil)
	if !sc.IsValid() && !exporting {
		return
	}
	data := b.Bytes()
	if exporting { // before the IDs are written over data's newline
		exportLine(exp, level, data)
	}
	if sc.IsValid() && !bytes.Contains(data, traceKey) {
		newline := len(data) > 0 && data[len(data)-1] == '\n'
		if newline {
			b.Truncate(len(data) - 1)
		}
		_, _ = b.Write([]byte(" " + logctx.TraceIDKey + `="` + sc.TraceID().String() + `" ` + logctx.SpanIDKey + `="` + sc.SpanID().String() + `"`))
		if newline {
			_, _ = b.Write([]byte{'\n'})
		}
	}
}

var traceKey = []byte(logctx.TraceIDKey + "=")

// slogLevel maps klog's severity (an int32 type of klog's internal
// severity package) to slog's level (logexport.SeverityLevel).
func slogLevel(s any) slog.Level {
	v := reflect.ValueOf(s)
	if !v.IsValid() || !v.CanInt() {
		return slog.LevelInfo
	}
	return logexport.SeverityLevel(v.Int())
}

var zeroTime time.Time

// exportLine exports a line (as written before the hook appended IDs):
// the text after klog's header, without the final newline, and without the
// IDs a line of klog's logr sink got as key-value pairs, which are the
// record's.
func exportLine(exp *logexport.Exporter, level slog.Level, line []byte) {
	line = bytes.TrimSuffix(line, []byte("\n"))
	if isHeader(line) {
		line = line[bytes.Index(line, []byte("] "))+2:]
	}
	ctx := logctx.ExportContext(nil)
	if body, sc := splitIDs(line); sc.IsValid() {
		line = body
		if !sc.Equal(trace.SpanContextFromContext(ctx)) {
			ctx = trace.ContextWithSpanContext(context.Background(), sc)
		}
	}
	exp.Export(ctx, zeroTime, level, string(line), nil)
}

// splitIDs splits ` trace_id="<32 hex>" span_id="<16 hex>"` off the end of
// line, if it is there and names a valid span.
func splitIDs(line []byte) ([]byte, trace.SpanContext) {
	const (
		traceKey = " " + logctx.TraceIDKey + `="`
		spanKey  = `" ` + logctx.SpanIDKey + `="`
		idsLen   = len(traceKey) + 32 + len(spanKey) + 16 + 1
	)
	if len(line) < idsLen {
		return line, trace.SpanContext{}
	}
	ids := string(line[len(line)-idsLen:])
	spanAt := len(traceKey) + 32
	if !strings.HasPrefix(ids, traceKey) || !strings.HasPrefix(ids[spanAt:], spanKey) || ids[idsLen-1] != '"' {
		return line, trace.SpanContext{}
	}
	sc, ok := logctx.SpanContextFromIDs(ids[len(traceKey):spanAt], ids[spanAt+len(spanKey):idsLen-1])
	if !ok {
		return line, trace.SpanContext{}
	}
	return line[:len(line)-idsLen], sc
}

// isHeader reports whether line starts with klog's header,
// "Lmmdd hh:mm:ss.uuuuuu threadid file:line] ".
func isHeader(line []byte) bool {
	if len(line) < 22 || bytes.IndexByte([]byte("IWEF"), line[0]) < 0 || line[5] != ' ' || line[8] != ':' {
		return false
	}
	i := bytes.Index(line, []byte("] "))
	return i > 0 && bytes.IndexByte(line[:i], '\n') < 0
}
