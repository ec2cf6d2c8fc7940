// Package goredis traces github.com/redis/go-redis/v9: a CLIENT span per
// command and one per pipeline or transaction, with the current semantic
// conventions for Redis (see otelgo.dev/rules/internal/redisconv). The rules
// are in goredis.json beside this file.
//
// The hooks run when a client is constructed (NewClient, NewFailoverClient)
// and add a go-redis Hook to it with AddHook. NewClusterClient, NewRing and
// NewUniversalClient build their node and shard clients with NewClient, so
// their commands are traced per node, each span with the address of the
// node that served it, like the official redisotel instrumentation does.
//
// Why not install redisotel.InstrumentTracing: every version of it up to
// the newest (v9.23.0) still emits the old conventions (db.system,
// db.statement with the full, unsanitized command, db.connection_string,
// code.* attributes), and each of its versions requires the go-redis of the
// same version and a recent OpenTelemetry, which would raise the user's
// go-redis. The hook below is small and emits the current conventions.
//
// A client the program instruments itself with the official redisotel
// (redisotel.InstrumentTracing, also on a cluster's or ring's node
// clients) keeps redisotel's spans alone: this hook steps aside when it
// finds redisotel's hook next in the client's chain.
//
// Spans start from the context given to the command, so they nest under
// the caller's span; when that context holds no span (context.Background()
// in a handler), under the span current on the goroutine
// (otelgo.dev/rules/goroutine). db.namespace is the DB index of the client's
// Options (the index the connections select when they are established).
// server.address is Options.Addr; a failover (Sentinel) client has no
// fixed address, and its spans carry none.
//
// go-redis runs the handshake of a new connection (HELLO, CLIENT SETINFO,
// ... in recent versions) through the client's hooks: those commands get
// spans too, under the command that needed the connection. On a server
// that lacks one of them the span has the error status, although go-redis
// ignores that error.
package goredis

import (
	"context"
	"reflect"
	"runtime"
	"strings"

	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/redisconv"
)

// ScopeName is the instrumentation scope of the spans made here.
const ScopeName = "otelgo.dev/rules/goredis"

// NewClientOnExit is the OnExit hook of
//
//	func NewClient(opt *Options) *Client
func NewClientOnExit(_ api.CallContext, c *redis.Client) {
	instrument(c)
}

// NewFailoverClientOnExit is the OnExit hook of
//
//	func NewFailoverClient(failoverOpt *FailoverOptions) *Client
func NewFailoverClientOnExit(_ api.CallContext, c *redis.Client) {
	instrument(c)
}

func instrument(c *redis.Client) {
	if c == nil {
		return
	}
	c.AddHook(newHook(c.Options()))
}

func newHook(opt *redis.Options) *hook {
	var server redisconv.Server
	if opt != nil {
		server = redisconv.GoRedisServer(opt.Network, opt.Addr, opt.DB)
	}
	return &hook{server: server}
}

// hook is the go-redis Hook that traces one client's commands.
type hook struct {
	server redisconv.Server
}

var _ redis.Hook = (*hook)(nil)

func (h *hook) DialHook(next redis.DialHook) redis.DialHook {
	return next
}

func (h *hook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	if isRedisotel(next) {
		return next
	}
	return func(ctx context.Context, cmd redis.Cmder) error {
		spanCtx, span := h.startCommand(ctx, cmd)
		err := next(spanCtx, cmd)
		if span != nil {
			h.end(span, err)
		}
		return err
	}
}

func (h *hook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	if isRedisotel(next) {
		return next
	}
	return func(ctx context.Context, cmds []redis.Cmder) error {
		spanCtx, span := h.startPipeline(ctx, cmds)
		err := next(spanCtx, cmds)
		if span != nil {
			h.endPipeline(span, cmds, err)
		}
		return err
	}
}

// isRedisotel reports whether next, the rest of the client's hook chain,
// starts with the official redisotel's tracing hook: the program added it after
// the client was made (redisotel.InstrumentTracing), and its spans are
// the program's. go-redis rebuilds the chain on every AddHook, so this
// hook steps aside from then on.
func isRedisotel(next any) bool {
	v := reflect.ValueOf(next)
	if v.Kind() != reflect.Func || v.IsNil() {
		return false
	}
	f := runtime.FuncForPC(v.Pointer())
	return f != nil && strings.Contains(f.Name(), "/redisotel") && strings.Contains(f.Name(), "tracingHook")
}

// The code that runs inside go-redis' hook chain is outside the
// trampolines' recover: a panic there would reach the program. Each step
// recovers, reports once, and leaves the command untraced.

func (h *hook) startCommand(ctx context.Context, cmd redis.Cmder) (spanCtx context.Context, span trace.Span) {
	spanCtx = ctx
	defer recoverInto("command start", &span)
	return redisconv.StartCmd(ctx, ScopeName, h.server, cmd)
}

func (h *hook) startPipeline(ctx context.Context, cmds []redis.Cmder) (spanCtx context.Context, span trace.Span) {
	spanCtx = ctx
	defer recoverInto("pipeline start", &span)
	return redisconv.StartPipeline(ctx, ScopeName, h.server, cmds)
}

func (h *hook) end(span trace.Span, err error) {
	defer recoverInto("command end", nil)
	redisconv.EndCmd(span, err, redis.Nil)
}

// endPipeline records the first failed command's error (a missing key is
// no failure), or the pipeline's own error when no command has one.
func (h *hook) endPipeline(span trace.Span, cmds []redis.Cmder, err error) {
	defer recoverInto("pipeline end", nil)
	redisconv.EndCmd(span, redisconv.PipelineErr(cmds, err, redis.Nil), redis.Nil)
}

func recoverInto(step string, span *trace.Span) {
	if r := recover(); r != nil {
		api.ReportHookPanic(ScopeName+" "+step, r)
		if span != nil && *span != nil {
			(*span).End()
			*span = nil
		}
	}
}
