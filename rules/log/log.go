// Package log holds the hook otelgo splices into the standard library's
// package log. With OTELGO_LOG_TRACE_IDS=true, a line written while a span
// is current on the calling goroutine, such as the server span of the
// request being handled, ends with a space and
//
//	trace_id=<32 hex digits> span_id=<16 hex digits>
//
// before its newline, the way slog's text output (and slog's default
// logger, which writes through package log) spells attributes. Without it
// (the default) every line is written exactly as the program wrote it:
// package log's lines have no fields, and programs and log parsers read
// them as they are; the structured loggers (slog, zap, logrus, ...) get
// their ids as fields, which parsers expect to vary. Exported as OTLP log
// records (OTEL_LOGS_EXPORTER), lines carry the ids either way. Package log
// takes no context, so the goroutine's span is the only source (see
// otelgo.dev/rules/internal/logctx). Lines written outside any span are
// unchanged, as are lines whose message already holds "trace_id=" or
// `trace_id"=`: the ones slog's default handler writes through package log
// after the slog hook gave the record its IDs, those of a logr logger with
// a stdr sink after otelgo.dev/rules/logr gave the record its IDs as
// key-value pairs (no line gets two), and the program's own.
//
// The hook is on (*Logger).output, which every Print, Fatal and Panic
// function and method, Output, and slog's default handler end up in, once
// per line. It only wraps the function that appends the message: the
// header, the caller's file and line (which output computes itself, before
// calling it), the Fatal functions' exit and the Panic functions' panic
// value are what they were. When slog.SetDefault sends package log's output
// to a slog handler, the IDs are in the text the handler gets as the
// record's message.
//
// The rule is in log.json beside this file. The hook is reached from
// package log through //go:linkname, so its signature follows the
// convention of otelgo.dev/rules/api exactly.
package log

import (
	"bytes"
	"log"
	"os"
	"strings"
	"sync"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/logctx"
)

// OutputOnEnter is the OnEnter hook of
//
//	func (l *Logger) output(pc uintptr, calldepth int, appendOutput func([]byte) []byte) error
//
// in package log (log.go), the same from Go 1.24 on.
func OutputOnEnter(call api.CallContext, l *log.Logger, _ uintptr, _ int, appendOutput func([]byte) []byte) {
	if appendOutput == nil || !ready.Load() {
		return // a line written while the packages before this one are initialised
	}
	export := exporting(l)
	ids := withIDs() && logctx.Valid(nil)
	if !export && !ids {
		return
	}
	// Formatted only when the line is written: output returns early for a
	// logger that discards.
	call.SetParam(2, func(b []byte) []byte {
		start := len(b)
		if ids {
			b = appendIDs(b, appendOutput)
		} else {
			b = appendOutput(b)
		}
		if export && start <= len(b) {
			exportLine(b[start:])
		}
		return b
	})
}

var (
	traceKey       = []byte(logctx.TraceIDKey + "=")
	quotedTraceKey = []byte(logctx.TraceIDKey + `"=`) // stdr's (funcr's) "key"="value"
)

// withIDs reports whether OTELGO_LOG_TRACE_IDS=true asks for the ids in
// package log's lines; read once (a variable: the tests set it).
var withIDs = sync.OnceValue(func() bool {
	return strings.EqualFold(strings.TrimSpace(os.Getenv("OTELGO_LOG_TRACE_IDS")), "true")
})

// appendIDs appends the message appendOutput appends to b, then, when the
// calling goroutine has a current span and the message holds no
// "trace_id=", the IDs before the message's final newline, if any.
func appendIDs(b []byte, appendOutput func([]byte) []byte) []byte {
	start := len(b)
	b = appendOutput(b)
	if start > len(b) {
		return b // not an append: leave it alone
	}
	msg := b[start:]
	if bytes.Contains(msg, traceKey) || bytes.Contains(msg, quotedTraceKey) {
		return b
	}
	traceID, spanID, ok := logctx.IDs(nil)
	if !ok {
		return b
	}
	newline := len(msg) > 0 && msg[len(msg)-1] == '\n'
	if newline {
		b = b[:len(b)-1]
	}
	b = append(b, ' ')
	b = append(b, traceKey...)
	b = append(b, traceID...)
	b = append(b, " "+logctx.SpanIDKey+"="...)
	b = append(b, spanID...)
	if newline {
		b = append(b, '\n')
	}
	return b
}
