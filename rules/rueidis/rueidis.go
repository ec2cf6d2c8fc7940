// Package rueidis traces github.com/redis/rueidis: a CLIENT span per
// command (Do, DoCache) and one per batch (DoMulti, DoMultiCache: a
// pipeline, or a MULTI ... EXEC transaction), on the client and on its
// dedicated clients, with the current semantic conventions for Redis (see
// otelgo.dev/rules/internal/redisconv) and db.client.operation.duration.
// The rules are in rueidis.json.
//
// The hook on NewClient wraps the client it returns in one that traces
// each call and hands it on (rueidis.Client is an interface; rueidis' own
// rueidishook does the same, but is a module of its own that the module
// proxy here does not serve). A client made by the official rueidisotel
// (rueidisotel.NewClient calls rueidis.NewClient) is left as it is: the
// program keeps rueidisotel's spans alone.
//
// server.address and server.port are set when the client talks to one
// node (Mode() is standalone, Nodes() has one entry); a cluster's or
// sentinel's commands have none, since rueidis does not say which node
// served one. db.namespace is the ClientOption's SelectDB. rueidis cuts
// "ERR " off the server's error replies; the spans put it back, so that
// db.response.status_code and error.type are "ERR" as for other clients. Streams
// (DoStream, DoMultiStream) and subscriptions (Receive) are not traced.
//
// A span's parent is the span in the context given to the call, else the
// span current on the goroutine.
package rueidis

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/redis/rueidis"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/goroutine"
	"otelgo.dev/rules/internal/redisconv"
)

// ScopeName is the instrumentation scope of the spans made here.
const ScopeName = "otelgo.dev/rules/rueidis"

// NewClientOnExit is the OnExit hook of
//
//	func NewClient(option ClientOption) (client Client, err error)
func NewClientOnExit(call api.CallContext, c rueidis.Client, err error) {
	if err != nil || c == nil || calledByRueidisotel() {
		return
	}
	var server redisconv.Server
	if c.Mode() == rueidis.ClientModeStandalone {
		if nodes := c.Nodes(); len(nodes) == 1 {
			for addr := range nodes {
				server = redisconv.ParseAddress("tcp", addr)
			}
		}
	}
	if opt, ok := call.Param(0).(rueidis.ClientOption); ok {
		server.Namespace = strconv.Itoa(opt.SelectDB)
	}
	call.SetResult(0, &client{Client: c, t: tracer{server}})
}

// calledByRueidisotel reports whether rueidisotel.NewClient is calling.
func calledByRueidisotel() bool {
	pcs := make([]uintptr, 16)
	n := runtime.Callers(3, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if strings.Contains(f.Function, "/rueidis/rueidisotel.") {
			return true
		}
		if !more {
			return false
		}
	}
}

type tracer struct {
	server redisconv.Server
}

func (t tracer) recover(step string, span *trace.Span) {
	if r := recover(); r != nil {
		api.ReportHookPanic(ScopeName+" "+step, r)
		if span != nil && *span != nil {
			(*span).End()
			*span = nil
		}
	}
}

func describe(args []string) redisconv.Command {
	if len(args) == 0 {
		return redisconv.Command{}
	}
	rest := make([]any, len(args)-1)
	for i, a := range args[1:] {
		rest[i] = a
	}
	return redisconv.Describe(args[0], rest)
}

func (t tracer) start(ctx context.Context, args []string) (spanCtx context.Context, span trace.Span) {
	spanCtx = ctx
	defer t.recover("command start", &span)
	c := describe(args)
	return redisconv.Start(goroutine.Context(ctx), ScopeName, t.server, c.Name, c.Text, 0)
}

func (t tracer) startBatch(ctx context.Context, cmds [][]string) (spanCtx context.Context, span trace.Span) {
	spanCtx = ctx
	defer t.recover("batch start", &span)
	described := make([]redisconv.Command, len(cmds))
	for i, args := range cmds {
		described[i] = describe(args)
	}
	name, text, size := redisconv.Batch(described)
	return redisconv.Start(goroutine.Context(ctx), ScopeName, t.server, name, text, size)
}

// end records the first error of resps (a nil reply is none).
func (t tracer) end(span trace.Span, resps ...rueidis.RedisResult) {
	if span == nil {
		return
	}
	defer t.recover("end", nil)
	for _, r := range resps {
		if err := r.Error(); err != nil && !rueidis.IsRedisNil(err) {
			_, serverErr := rueidis.IsRedisErr(err)
			if serverErr && redisconv.ErrorPrefix(err.Error()) == "" {
				// rueidis cuts "ERR " off the server's error replies.
				err = fmt.Errorf("ERR %w", err)
			}
			redisconv.RecordError(span, err, serverErr)
			break
		}
	}
	span.End()
}

func (t tracer) do(ctx context.Context, cmd rueidis.Completed, next func(context.Context, rueidis.Completed) rueidis.RedisResult) rueidis.RedisResult {
	spanCtx, span := t.start(ctx, cmd.Commands())
	resp := next(spanCtx, cmd)
	t.end(span, resp)
	return resp
}

func (t tracer) doMulti(ctx context.Context, multi []rueidis.Completed, next func(context.Context, ...rueidis.Completed) []rueidis.RedisResult) []rueidis.RedisResult {
	cmds := make([][]string, len(multi))
	for i, c := range multi {
		cmds[i] = c.Commands()
	}
	spanCtx, span := t.startBatch(ctx, cmds)
	resps := next(spanCtx, multi...)
	t.end(span, resps...)
	return resps
}

// client is a rueidis.Client whose commands are traced.
type client struct {
	rueidis.Client
	t tracer
}

func (c *client) Do(ctx context.Context, cmd rueidis.Completed) rueidis.RedisResult {
	return c.t.do(ctx, cmd, c.Client.Do)
}

func (c *client) DoMulti(ctx context.Context, multi ...rueidis.Completed) []rueidis.RedisResult {
	return c.t.doMulti(ctx, multi, c.Client.DoMulti)
}

func (c *client) DoCache(ctx context.Context, cmd rueidis.Cacheable, ttl time.Duration) rueidis.RedisResult {
	spanCtx, span := c.t.start(ctx, cmd.Commands())
	resp := c.Client.DoCache(spanCtx, cmd, ttl)
	c.t.end(span, resp)
	return resp
}

func (c *client) DoMultiCache(ctx context.Context, multi ...rueidis.CacheableTTL) []rueidis.RedisResult {
	cmds := make([][]string, len(multi))
	for i, m := range multi {
		cmds[i] = m.Cmd.Commands()
	}
	spanCtx, span := c.t.startBatch(ctx, cmds)
	resps := c.Client.DoMultiCache(spanCtx, multi...)
	c.t.end(span, resps...)
	return resps
}

func (c *client) Dedicated(fn func(rueidis.DedicatedClient) error) error {
	return c.Client.Dedicated(func(d rueidis.DedicatedClient) error {
		return fn(&dedicated{DedicatedClient: d, t: c.t})
	})
}

func (c *client) Dedicate() (rueidis.DedicatedClient, func()) {
	d, cancel := c.Client.Dedicate()
	return &dedicated{DedicatedClient: d, t: c.t}, cancel
}

// dedicated is a rueidis.DedicatedClient whose commands are traced.
type dedicated struct {
	rueidis.DedicatedClient
	t tracer
}

func (d *dedicated) Do(ctx context.Context, cmd rueidis.Completed) rueidis.RedisResult {
	return d.t.do(ctx, cmd, d.DedicatedClient.Do)
}

func (d *dedicated) DoMulti(ctx context.Context, multi ...rueidis.Completed) []rueidis.RedisResult {
	return d.t.doMulti(ctx, multi, d.DedicatedClient.DoMulti)
}
