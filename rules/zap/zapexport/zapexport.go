// Package zapexport holds the hook otelgo splices into go.uber.org/zap to
// export its records as OpenTelemetry log records, through the official
// zap bridge (go.opentelemetry.io/contrib/bridges/otelzap), when the SDK has
// a LoggerProvider (OTEL_LOGS_EXPORTER).
//
// It is a module of its own because the bridge needs zap v1.27.1: a
// program with an older zap gets the trace_id and span_id fields of
// otelgo.dev/rules/zap but no export, rather than a newer zap.
//
// zap.New's core becomes a tee of the program's core, unchanged, and a core
// of this package around the bridge's, which takes what the program's core
// is enabled for (what is exported is what is written), and hands the
// bridge each record with the context of the span it belongs to (the
// context field the record or its logger has, otherwise the span current on
// the goroutine) instead of the trace_id and span_id fields that
// otelgo.dev/rules/zap adds. A core that has the bridge's core in it
// already (the program exports itself: otelzap's core, or a zapcore.NewTee
// holding one at any depth) is left alone. A program that tees the
// bridge's core in with zap.WrapCore does so after zap.New has teed this
// package's in: the hook on zap.WrapCore hands the program's function the
// logger's core with a copy of this package's core, and turns that copy off
// when what the function returns holds the bridge's core. A core of the
// program's own type around the bridge's is not seen through: its records
// are exported twice. The rules are in zapexport.json beside this file.
package zapexport

import (
	"context"
	"reflect"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/contrib/bridges/otelzap"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/logctx"
)

// ScopeName is the instrumentation scope of the exported records (the
// bridge uses a named logger's name instead).
const ScopeName = "otelgo.dev/rules/zap/zapexport"

// ready is set once this package is initialised, and the OpenTelemetry
// packages it uses with it: a program's own init may log before that.
var ready atomic.Bool

func init() { ready.Store(true) }

// NewOnEnter is the OnEnter hook of
//
//	func New(core zapcore.Core, options ...Option) *Logger
//
// in go.uber.org/zap (logger.go), behind every Logger but zap.NewNop's.
func NewOnEnter(call api.CallContext, core zapcore.Core, _ []zap.Option) {
	if core == nil || exports(reflect.ValueOf(core)) {
		return
	}
	call.SetParam(0, zapcore.NewTee(core, &exportCore{level: core}))
}

// exports reports whether the core is or has (in a zapcore.NewTee) the
// bridge's core or an exportCore.
func exports(v reflect.Value) bool { return has(v, true) }

// has reports whether the core is or has (in a zapcore.NewTee, at any
// depth) the bridge's core, or, with ours, an exportCore. A core of the
// program's own type around the bridge's is opaque.
func has(v reflect.Value, ours bool) bool {
	for v.Kind() == reflect.Interface {
		v = v.Elem()
	}
	if !v.IsValid() || !v.CanInterface() {
		return false
	}
	switch v.Interface().(type) {
	case *otelzap.Core:
		return true
	case *exportCore:
		return ours
	}
	if v.Kind() == reflect.Slice && v.Type().Elem() == coreType { // zapcore's multiCore
		for i := range v.Len() {
			if has(v.Index(i), ours) {
				return true
			}
		}
	}
	return false
}

var coreType = reflect.TypeFor[zapcore.Core]()

// WrapCoreOnEnter is the OnEnter hook of
//
//	func WrapCore(f func(zapcore.Core) zapcore.Core) Option
//
// in go.uber.org/zap (options.go), the option a program tees its own
// bridge core in with, after zap.New (zap.New(core, zap.WrapCore(...)),
// logger.WithOptions(zap.WrapCore(...)), a Config's Build options): by
// then NewOnEnter has teed in an exportCore. The option's function gets
// the logger's core with a copy of that exportCore of its own; when what
// the function returns has the bridge's core, the copy is turned off (the
// program exports the records itself). The function is called once, as
// without otelgo, with a core that writes what the logger's core wrote.
func WrapCoreOnEnter(call api.CallContext, f func(zapcore.Core) zapcore.Core) {
	if f == nil {
		return
	}
	call.SetParam(0, func(c zapcore.Core) zapcore.Core { return wrapCore(f, c) })
}

func wrapCore(f func(zapcore.Core) zapcore.Core, c zapcore.Core) zapcore.Core {
	cores, exp := split(c)
	if exp == nil {
		return f(c)
	}
	mine := exp.copy()
	r := f(zapcore.NewTee(append(cores, zapcore.Core(mine))...))
	if has(reflect.ValueOf(r), false) {
		mine.off = true // before the logger is used
	}
	return r
}

// split returns the cores of c, a tee NewOnEnter made (or one derived from
// it with With), but its last, and that last, an exportCore; nil if c is no
// such tee.
func split(c zapcore.Core) ([]zapcore.Core, *exportCore) {
	v := reflect.ValueOf(c)
	if v.Kind() != reflect.Slice || v.Type().Elem() != coreType || v.Len() < 2 {
		return nil, nil
	}
	exp, ok := v.Index(v.Len() - 1).Interface().(*exportCore)
	if !ok {
		return nil, nil
	}
	cores := make([]zapcore.Core, 0, v.Len())
	for i := range v.Len() - 1 {
		cores = append(cores, v.Index(i).Interface().(zapcore.Core))
	}
	return cores, exp
}

// exportCore hands records to the bridge's core, made on first use: a
// logger may be made before the OpenTelemetry packages are initialised.
type exportCore struct {
	level zapcore.LevelEnabler // the program's core
	withs [][]zapcore.Field    // With fields since New, for the bridge
	bound bool                 // a With field's context holds a span
	off   bool                 // the program's own bridge core is beside it (WrapCore)

	once   sync.Once
	bridge zapcore.Core
}

func (c *exportCore) core() zapcore.Core {
	c.once.Do(func() {
		var b zapcore.Core = otelzap.NewCore(ScopeName)
		for _, f := range c.withs {
			b = b.With(f)
		}
		c.bridge = b
	})
	return c.bridge
}

func (c *exportCore) Enabled(l zapcore.Level) bool {
	return !c.off && ready.Load() && c.level.Enabled(l) && c.core().Enabled(l)
}

// copy returns a new exportCore like c, with a bridge core of its own.
func (c *exportCore) copy() *exportCore {
	return &exportCore{level: c.level, withs: c.withs, bound: c.bound, off: c.off}
}

func (c *exportCore) With(fields []zapcore.Field) zapcore.Core {
	ctx := lastContext(fields)
	withs := make([][]zapcore.Field, len(c.withs), len(c.withs)+1)
	copy(withs, c.withs)
	sc := logctx.ContextSpanContext(ctx)
	return &exportCore{
		level: c.level,
		withs: append(withs, withoutIDs(fields, sc)),
		bound: c.bound || sc.IsValid(),
		off:   c.off,
	}
}

func (c *exportCore) Check(ent zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(ent.Level) {
		return ce.AddCore(ent, c)
	}
	return ce
}

func (c *exportCore) Write(ent zapcore.Entry, fields []zapcore.Field) (err error) {
	defer func() { _ = recover() }() // exporting never breaks logging
	if !c.bound {
		fields = withSpan(fields)
	}
	return c.core().Write(ent, fields)
}

func (c *exportCore) Sync() error { return nil }

// withSpan replaces the trace_id and span_id fields of the span a record
// belongs to by a context field that holds it (the bridge takes the last).
func withSpan(fields []zapcore.Field) []zapcore.Field {
	ctx := lastContext(fields)
	sc := logctx.SpanContext(ctx)
	out := withoutIDs(fields, sc)
	if sc.IsValid() && !logctx.ContextSpanContext(ctx).IsValid() {
		if len(out) == len(fields) {
			out = append(make([]zapcore.Field, 0, len(fields)+1), fields...)
		}
		out = append(out, zapcore.Field{Key: "context", Type: zapcore.SkipType, Interface: logctx.ExportContext(ctx)})
	}
	return out
}

func lastContext(fields []zapcore.Field) context.Context {
	var ctx context.Context
	for i := range fields {
		if c, ok := fields[i].Interface.(context.Context); ok {
			ctx = c
		}
	}
	return ctx
}

// withoutIDs returns fields without the trace_id and span_id fields that
// name sc; fields itself if there are none. The caller's slice is never
// written to.
func withoutIDs(fields []zapcore.Field, sc trace.SpanContext) []zapcore.Field {
	n := 0
	for i := range fields {
		if isIDField(sc, fields[i]) {
			n++
		}
	}
	if n == 0 {
		return fields
	}
	out := make([]zapcore.Field, 0, len(fields)-n+1)
	for i := range fields {
		if !isIDField(sc, fields[i]) {
			out = append(out, fields[i])
		}
	}
	return out
}

func isIDField(sc trace.SpanContext, f zapcore.Field) bool {
	return f.Type == zapcore.StringType && logctx.IsIDField(sc, f.Key, f.String)
}
