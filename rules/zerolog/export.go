package zerolog

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"sync/atomic"

	"github.com/rs/zerolog"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/internal/logctx"
	"otelgo.dev/rules/internal/logexport"
)

// ScopeName is the instrumentation scope of the exported records.
const ScopeName = "otelgo.dev/rules/zerolog"

var exporter atomic.Pointer[logexport.Exporter]

// init runs after the OpenTelemetry packages are initialised: a program's
// own init may log before that, and is not exported.
func init() { exporter.Store(logexport.New(ScopeName)) }

// slogLevel maps zerolog's levels to slog's, which the bridge maps to
// OpenTelemetry severities.
func slogLevel(l zerolog.Level) slog.Level {
	switch l {
	case zerolog.TraceLevel:
		return slog.LevelDebug - 4 // TRACE
	case zerolog.DebugLevel:
		return slog.LevelDebug
	case zerolog.WarnLevel:
		return slog.LevelWarn
	case zerolog.ErrorLevel:
		return slog.LevelError
	case zerolog.FatalLevel:
		return slog.LevelError + 4 // FATAL
	case zerolog.PanicLevel:
		return slog.LevelError + 5 // FATAL2
	}
	return slog.LevelInfo
}

func export(e *zerolog.Event, ctx context.Context, msg string) {
	exp := exporter.Load()
	if exp == nil {
		return
	}
	defer func() { _ = recover() }() // exporting never breaks logging
	level, _ := eventLevel(e)
	lvl := slogLevel(level)
	ctx = logctx.ExportContext(ctx)
	if !exp.Enabled(ctx, lvl) {
		return
	}
	var attrs []slog.Attr
	if buf := eventBuf(e); buf != nil {
		attrs = fields(*buf, trace.SpanContextFromContext(ctx))
	}
	exp.Export(ctx, zerolog.TimestampFunc(), lvl, msg, attrs)
}

// fields decodes the JSON fields written so far ({"k":v,... without the
// closing brace), in order, without the level and timestamp fields and the
// trace_id and span_id of sc; nil if they are not JSON.
func fields(buf []byte, sc trace.SpanContext) []slog.Attr {
	if len(buf) == 0 || buf[0] != '{' {
		return nil
	}
	obj := make([]byte, 0, len(buf)+1)
	obj = append(append(obj, buf...), '}')
	dec := json.NewDecoder(bytes.NewReader(obj))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	var attrs []slog.Attr
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return attrs
		}
		key, _ := tok.(string)
		var v any
		if err := dec.Decode(&v); err != nil {
			return attrs
		}
		if key == zerolog.LevelFieldName || key == zerolog.TimestampFieldName {
			continue
		}
		if s, ok := v.(string); ok && logctx.IsIDField(sc, key, s) {
			continue
		}
		attrs = append(attrs, attr(key, v))
	}
	return attrs
}

func attr(key string, v any) slog.Attr {
	switch x := v.(type) {
	case string:
		return slog.String(key, x)
	case bool:
		return slog.Bool(key, x)
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return slog.Int64(key, i)
		}
		f, _ := x.Float64()
		return slog.Float64(key, f)
	}
	return slog.Any(key, v)
}
