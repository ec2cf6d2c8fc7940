// Package goredisv8 traces github.com/go-redis/redis/v8, the go-redis major
// version before v9: a CLIENT span per command and one per pipeline or
// transaction, with the current semantic conventions for Redis and the
// db.client.operation.duration metric (otelgo.dev/rules/internal/redisconv,
// shared with otelgo.dev/rules/goredis, which traces v9). The rules are in
// goredisv8.json beside this file.
//
// The hooks run when a client is constructed (NewClient, NewFailoverClient)
// and add a go-redis Hook to it. NewClusterClient and NewRing build their
// node and shard clients with NewClient, so their commands are traced per
// node, each span with the address of the node that served it.
//
// v8's Hook has no wrapping form: BeforeProcess starts the span and hands
// it to AfterProcess in the context it returns. Spans start from the
// context given to the command, so they nest under the caller's span; when
// that context holds none (context.Background() in a handler), under the
// span current on the goroutine (otelgo.dev/rules/goroutine).
package goredisv8

import (
	"context"

	"github.com/go-redis/redis/v8"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/redisconv"
)

// ScopeName is the instrumentation scope of the spans made here.
const ScopeName = "otelgo.dev/rules/goredis/goredisv8"

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

// spanKey keys the span a Before hook started in the context its After gets.
type spanKey struct{}

// The code below runs inside go-redis' hook chain, outside the
// trampolines' recover: a panic there would reach the program. Each step
// recovers, reports once, and leaves the command untraced.

func (h *hook) BeforeProcess(ctx context.Context, cmd redis.Cmder) (out context.Context, _ error) {
	out = ctx
	defer recoverInto("command start")
	spanCtx, span := redisconv.StartCmd(ctx, ScopeName, h.server, cmd)
	return context.WithValue(spanCtx, spanKey{}, span), nil
}

func (h *hook) AfterProcess(ctx context.Context, cmd redis.Cmder) error {
	defer recoverInto("command end")
	if span, ok := ctx.Value(spanKey{}).(trace.Span); ok {
		redisconv.EndCmd(span, cmd.Err(), redis.Nil)
	}
	return nil
}

func (h *hook) BeforeProcessPipeline(ctx context.Context, cmds []redis.Cmder) (out context.Context, _ error) {
	out = ctx
	defer recoverInto("pipeline start")
	spanCtx, span := redisconv.StartPipeline(ctx, ScopeName, h.server, cmds)
	return context.WithValue(spanCtx, spanKey{}, span), nil
}

// AfterProcessPipeline records the first failed command's error (a
// missing key is no failure).
func (h *hook) AfterProcessPipeline(ctx context.Context, cmds []redis.Cmder) error {
	defer recoverInto("pipeline end")
	if span, ok := ctx.Value(spanKey{}).(trace.Span); ok {
		redisconv.EndCmd(span, redisconv.PipelineErr(cmds, nil, redis.Nil), redis.Nil)
	}
	return nil
}

// recoverInto stops a panic of the hook; a Before hook that panicked
// returns the context it was given (go-redis passes on what it returns).
func recoverInto(step string) {
	if r := recover(); r != nil {
		api.ReportHookPanic(ScopeName+" "+step, r)
	}
}
