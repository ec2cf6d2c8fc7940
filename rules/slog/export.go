package slog

import (
	"context"
	"log/slog"
	"reflect"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/contrib/bridges/otelslog"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/logctx"
)

// ScopeName is the instrumentation scope of the log records exported from
// slog.
const ScopeName = "otelgo.dev/rules/slog"

// ready is set once this package is initialised, and the OpenTelemetry
// packages it uses with it: a program's own init may log before that.
var ready atomic.Bool

func init() { ready.Store(true) }

// NewOnEnter is the OnEnter hook of
//
//	func New(h Handler) *Logger
//
// in log/slog (logger.go). It hands the new Logger an exportHandler around
// h, so that each record h handles is also handed to the OpenTelemetry slog
// bridge (go.opentelemetry.io/contrib/bridges/otelslog), which exports it
// when the SDK has a LoggerProvider (OTEL_LOGS_EXPORTER). Logger.Handler
// returns the exportHandler, not h.
//
// Left alone: the bridge's own handler (the program exports already),
// slog's default handler (it writes through package log, whose hook exports
// its lines; and slog.SetDefault must still recognise it), and a handler
// that is an exportHandler already.
func NewOnEnter(call api.CallContext, h slog.Handler) {
	if wraps(h) {
		call.SetParam(0, &exportHandler{inner: h})
	}
}

func wraps(h slog.Handler) bool {
	switch h.(type) {
	case nil, *exportHandler, *otelslog.Handler:
		return false
	}
	return !isDefaultHandler(h) && !hasBridge(reflect.ValueOf(h), 0)
}

// hasBridge reports whether v, a handler, is or holds the bridge's own
// handler or an exportHandler, in the handlers of a slog.MultiHandler (Go
// 1.26), the handler of logr's slog adapter, or the exported Handler field
// of a wrapper: a handler the program exports with itself. A wrapper that
// keeps its handler in a field of another name is opaque (its records are
// exported twice). Run once per slog.New, not per record.
func hasBridge(v reflect.Value, depth int) bool {
	for v.Kind() == reflect.Interface {
		v = v.Elem()
	}
	if !v.IsValid() || depth > 8 {
		return false
	}
	if v.CanInterface() {
		switch v.Interface().(type) {
		case *otelslog.Handler, *exportHandler:
			return true
		}
	} else if t := v.Type(); t == otelslogHandlerType || t == exportHandlerType {
		return true
	}
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return false
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Slice:
		if v.Type().Elem() == handlerType {
			for i := range v.Len() {
				if hasBridge(v.Index(i), depth+1) {
					return true
				}
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			switch {
			case f.Type == handlerType, f.Type.Kind() == reflect.Slice && f.Type.Elem() == handlerType:
				if hasBridge(v.Field(i), depth+1) {
					return true
				}
			}
		}
	}
	return false
}

var (
	handlerType         = reflect.TypeFor[slog.Handler]()
	otelslogHandlerType = reflect.TypeFor[*otelslog.Handler]()
	exportHandlerType   = reflect.TypeFor[*exportHandler]()
)

// isDefaultHandler reports whether h is the handler of slog's default
// logger. By name: slog's own init makes one, before this package's
// variables are initialised.
func isDefaultHandler(h slog.Handler) bool {
	t := reflect.TypeOf(h)
	return t.Kind() == reflect.Pointer && t.Elem().PkgPath() == "log/slog" && t.Elem().Name() == "defaultHandler"
}

// exportHandler passes each record to the program's handler, unchanged, and
// then to the bridge. It is enabled for what the program's handler is
// enabled for: what is exported is what is written.
type exportHandler struct {
	inner slog.Handler
	ops   []func(slog.Handler) slog.Handler // WithAttrs and WithGroup since New, for the bridge

	once   sync.Once
	bridge slog.Handler
}

func (h *exportHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.inner.Enabled(ctx, level)
}

func (h *exportHandler) Handle(ctx context.Context, r slog.Record) error {
	err := h.inner.Handle(ctx, r)
	h.export(ctx, r)
	return err
}

func (h *exportHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return h.derive(h.inner.WithAttrs(attrs), func(b slog.Handler) slog.Handler { return b.WithAttrs(attrs) })
}

func (h *exportHandler) WithGroup(name string) slog.Handler {
	return h.derive(h.inner.WithGroup(name), func(b slog.Handler) slog.Handler { return b.WithGroup(name) })
}

func (h *exportHandler) derive(inner slog.Handler, op func(slog.Handler) slog.Handler) *exportHandler {
	ops := make([]func(slog.Handler) slog.Handler, len(h.ops), len(h.ops)+1)
	copy(ops, h.ops)
	return &exportHandler{inner: inner, ops: append(ops, op)}
}

// export hands r to the bridge with a context that holds the span r belongs
// to, without the trace_id and span_id attributes the hooks gave it. The
// bridge is made on first use: a logger may be made before the
// OpenTelemetry packages are initialised.
func (h *exportHandler) export(ctx context.Context, r slog.Record) {
	if !ready.Load() {
		return
	}
	defer func() { _ = recover() }() // exporting never breaks logging
	h.once.Do(func() {
		var b slog.Handler = otelslog.NewHandler(ScopeName)
		for _, op := range h.ops {
			b = op(b)
		}
		h.bridge = b
	})
	ctx = logctx.ExportContext(ctx) // never nil
	if h.bridge.Enabled(ctx, r.Level) {
		_ = h.bridge.Handle(ctx, withoutIDs(r, trace.SpanContextFromContext(ctx)))
	}
}

// withoutIDs returns r without the attributes trace_id and span_id that
// name sc (see logctx.IsIDField); r itself if it has none.
func withoutIDs(r slog.Record, sc trace.SpanContext) slog.Record {
	found := false
	r.Attrs(func(a slog.Attr) bool {
		found = isIDAttr(sc, a)
		return !found
	})
	if !found {
		return r
	}
	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		if !isIDAttr(sc, a) {
			out.AddAttrs(a)
		}
		return true
	})
	return out
}

func isIDAttr(sc trace.SpanContext, a slog.Attr) bool {
	return a.Value.Kind() == slog.KindString && logctx.IsIDField(sc, a.Key, a.Value.String())
}
