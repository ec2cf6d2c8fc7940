// Package valkeygo traces github.com/valkey-io/valkey-go, the Valkey
// project's fork of rueidis with the same API under other names: a CLIENT
// span per command and one per DoMulti batch, as otelgo.dev/rules/rueidis
// does for rueidis (this file is that one with valkey-go's names; see its
// doc), with the semantic conventions for Redis (db.system.name "redis":
// the conventions have no value of their own for Valkey). A client made by
// valkeyotel is left alone. The rules are in valkeygo.json.
package valkeygo

import (
	"context"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/valkey-io/valkey-go"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/goroutine"
	"otelgo.dev/rules/internal/redisconv"
)

// ScopeName is the instrumentation scope of the spans made here.
const ScopeName = "otelgo.dev/rules/valkeygo"

// NewClientOnExit is the OnExit hook of
//
//	func NewClient(option ClientOption) (client Client, err error)
func NewClientOnExit(call api.CallContext, c valkey.Client, err error) {
	if err != nil || c == nil || calledByValkeyotel() {
		return
	}
	var server redisconv.Server
	if c.Mode() == valkey.ClientModeStandalone {
		if nodes := c.Nodes(); len(nodes) == 1 {
			for addr := range nodes {
				server = redisconv.ParseAddress("tcp", addr)
			}
		}
	}
	if opt, ok := call.Param(0).(valkey.ClientOption); ok {
		server.Namespace = strconv.Itoa(opt.SelectDB)
	}
	call.SetResult(0, &client{Client: c, t: tracer{server}})
}

// calledByValkeyotel reports whether valkeyotel.NewClient is calling.
func calledByValkeyotel() bool {
	pcs := make([]uintptr, 16)
	n := runtime.Callers(3, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if strings.Contains(f.Function, "/valkey-go/valkeyotel.") {
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
func (t tracer) end(span trace.Span, resps ...valkey.ValkeyResult) {
	if span == nil {
		return
	}
	defer t.recover("end", nil)
	for _, r := range resps {
		if err := r.Error(); err != nil && !valkey.IsValkeyNil(err) {
			_, serverErr := valkey.IsValkeyErr(err)
			if serverErr && redisconv.ErrorPrefix(err.Error()) == "" {
				// valkey-go cuts "ERR " off the server's error replies.
				err = fmt.Errorf("ERR %w", err)
			}
			redisconv.RecordError(span, err, serverErr)
			break
		}
	}
	span.End()
}

func (t tracer) do(ctx context.Context, cmd valkey.Completed, next func(context.Context, valkey.Completed) valkey.ValkeyResult) valkey.ValkeyResult {
	spanCtx, span := t.start(ctx, cmd.Commands())
	resp := next(spanCtx, cmd)
	t.end(span, resp)
	return resp
}

func (t tracer) doMulti(ctx context.Context, multi []valkey.Completed, next func(context.Context, ...valkey.Completed) []valkey.ValkeyResult) []valkey.ValkeyResult {
	cmds := make([][]string, len(multi))
	for i, c := range multi {
		cmds[i] = c.Commands()
	}
	spanCtx, span := t.startBatch(ctx, cmds)
	resps := next(spanCtx, multi...)
	t.end(span, resps...)
	return resps
}

// client is a valkey.Client whose commands are traced.
type client struct {
	valkey.Client
	t tracer
}

func (c *client) Do(ctx context.Context, cmd valkey.Completed) valkey.ValkeyResult {
	return c.t.do(ctx, cmd, c.Client.Do)
}

func (c *client) DoMulti(ctx context.Context, multi ...valkey.Completed) []valkey.ValkeyResult {
	return c.t.doMulti(ctx, multi, c.Client.DoMulti)
}

func (c *client) DoCache(ctx context.Context, cmd valkey.Cacheable, ttl time.Duration) valkey.ValkeyResult {
	spanCtx, span := c.t.start(ctx, cmd.Commands())
	resp := c.Client.DoCache(spanCtx, cmd, ttl)
	c.t.end(span, resp)
	return resp
}

func (c *client) DoMultiCache(ctx context.Context, multi ...valkey.CacheableTTL) []valkey.ValkeyResult {
	cmds := make([][]string, len(multi))
	for i, m := range multi {
		cmds[i] = m.Cmd.Commands()
	}
	spanCtx, span := c.t.startBatch(ctx, cmds)
	resps := c.Client.DoMultiCache(spanCtx, multi...)
	c.t.end(span, resps...)
	return resps
}

func (c *client) Dedicated(fn func(valkey.DedicatedClient) error) error {
	return c.Client.Dedicated(func(d valkey.DedicatedClient) error {
		return fn(&dedicated{DedicatedClient: d, t: c.t})
	})
}

func (c *client) Dedicate() (valkey.DedicatedClient, func()) {
	d, cancel := c.Client.Dedicate()
	return &dedicated{DedicatedClient: d, t: c.t}, cancel
}

// dedicated is a valkey.DedicatedClient whose commands are traced.
type dedicated struct {
	valkey.DedicatedClient
	t tracer
}

func (d *dedicated) Do(ctx context.Context, cmd valkey.Completed) valkey.ValkeyResult {
	return d.t.do(ctx, cmd, d.DedicatedClient.Do)
}

func (d *dedicated) DoMulti(ctx context.Context, multi ...valkey.Completed) []valkey.ValkeyResult {
	return d.t.doMulti(ctx, multi, d.DedicatedClient.DoMulti)
}
