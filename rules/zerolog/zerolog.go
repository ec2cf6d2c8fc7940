// Package zerolog holds the hook otelgo splices into github.com/rs/zerolog:
// an event that belongs to a span gets the string fields trace_id and
// span_id (lowercase hex), written like the event's own fields, after them
// and before the message: {"level":"info","k":"v","trace_id":"...","span_id":"...","message":"m"}.
//
// An event belongs to the span of its context (event.Ctx(ctx), or a
// logger's With().Ctx(ctx), since zerolog v1.31) when that holds one;
// otherwise, as for every event written without a context, to the span
// current on the calling goroutine, such as the server span of the request
// being handled (see otelgo.dev/rules/internal/logctx). Events that belong
// to no span are unchanged, as are events whose fields (their own or their
// logger's) already have a trace_id. Disabled events never get there.
//
// With OTEL_LOGS_EXPORTER each event written is also exported as an
// OpenTelemetry log record, with the IDs of its span as the record's own:
// the message is the body, the level the severity (trace 1, debug 5, info
// 9, warn 13, error 17, fatal 21, panic 22; no level 9), the other fields
// of the JSON event its attributes (numbers as int64 or float64, objects
// and arrays as they decode). There is no official zerolog bridge: the
// records go through the OpenTelemetry log API by way of the official slog
// bridge (otelgo.dev/rules/internal/logexport). A program built with
// zerolog's binary_log tag (CBOR) exports the message and level only.
//
// The hook is on (*Event).msg, which Msg, Msgf, MsgFunc and Send end in,
// the same from v1.26.0 on. The rule is in zerolog.json beside this file.
// The hook is reached from zerolog through //go:linkname, so its signature
// follows the convention of otelgo.dev/rules/api exactly.
package zerolog

import (
	"bytes"
	"context"
	"reflect"
	"unsafe"

	"github.com/rs/zerolog"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/logctx"
)

// MsgOnEnter is the OnEnter hook of
//
//	func (e *Event) msg(msg string)
//
// in github.com/rs/zerolog (event.go).
func MsgOnEnter(_ api.CallContext, e *zerolog.Event, msg string) {
	if e == nil {
		return
	}
	ctx := eventContext(e)
	buf := eventBuf(e)
	if buf == nil || !bytes.Contains(*buf, traceKey) {
		if traceID, spanID, ok := logctx.IDs(ctx); ok {
			e.Str(logctx.TraceIDKey, traceID).Str(logctx.SpanIDKey, spanID)
		}
	}
	export(e, ctx, msg)
}

var traceKey = []byte(`"` + logctx.TraceIDKey + `":`)

// eventContext is the event's context (GetCtx, since zerolog v1.31), nil
// without one.
func eventContext(e *zerolog.Event) context.Context {
	if g, ok := any(e).(interface{ GetCtx() context.Context }); ok {
		return g.GetCtx()
	}
	return nil
}

// The offsets of Event's unexported fields buf ([]byte) and level (Level),
// the same in every version the rule claims; ^uintptr(0) if a version
// changed them, in which case the hook neither looks for a trace_id in the
// event nor exports its fields and level.
var (
	bufOffset   = fieldOffset("buf", reflect.TypeOf([]byte(nil)))
	levelOffset = fieldOffset("level", reflect.TypeOf(zerolog.Level(0)))
)

func fieldOffset(name string, typ reflect.Type) uintptr {
	f, ok := reflect.TypeOf(zerolog.Event{}).FieldByName(name)
	if !ok || f.Type != typ {
		return ^uintptr(0)
	}
	return f.Offset
}

func eventBuf(e *zerolog.Event) *[]byte {
	if bufOffset == ^uintptr(0) {
		return nil
	}
	return (*[]byte)(unsafe.Add(unsafe.Pointer(e), bufOffset))
}

func eventLevel(e *zerolog.Event) (zerolog.Level, bool) {
	if levelOffset == ^uintptr(0) {
		return zerolog.NoLevel, false
	}
	return *(*zerolog.Level)(unsafe.Add(unsafe.Pointer(e), levelOffset)), true
}
