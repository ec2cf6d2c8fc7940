package redisconv

import (
	"context"
	"errors"
	"strconv"

	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/goroutine"
)

// What the hooks of go-redis v9 (otelgo.dev/rules/goredis) and v8
// (otelgo.dev/rules/goredis/goredisv8) share: two import paths are two
// sets of types, so they meet here on the method sets both versions have.

// goRedisFailoverAddr is the placeholder address of a go-redis failover
// client's Options.
const goRedisFailoverAddr = "FailoverClient"

// GoRedisServer is the Server of a go-redis client's Options (Network,
// Addr, DB): a failover (Sentinel) client has no fixed address, and its
// spans carry none; db.namespace is the DB index the client's connections
// select when they are established.
func GoRedisServer(network, addr string, db int) Server {
	var server Server
	if addr != goRedisFailoverAddr {
		server = ParseAddress(network, addr)
	}
	server.Namespace = strconv.Itoa(db)
	return server
}

// Cmd is what the hooks read of a go-redis command (redis.Cmder).
type Cmd interface {
	Args() []any
	Err() error
}

// StartCmd starts the CLIENT span of a go-redis command under the span of
// ctx, else the goroutine's current span.
func StartCmd(ctx context.Context, scope string, server Server, cmd Cmd) (context.Context, trace.Span) {
	c := DescribeArgs(cmd.Args())
	return Start(goroutine.Context(ctx), scope, server, c.Name, c.Text, 0)
}

// StartPipeline starts the CLIENT span of a go-redis pipeline or
// transaction (see Batch) under the span of ctx, else the goroutine's
// current span.
func StartPipeline[C Cmd](ctx context.Context, scope string, server Server, cmds []C) (context.Context, trace.Span) {
	described := make([]Command, len(cmds))
	for i, cmd := range cmds {
		described[i] = DescribeArgs(cmd.Args())
	}
	name, text, size := Batch(described)
	return Start(goroutine.Context(ctx), scope, server, name, text, size)
}

// PipelineErr is the error of a go-redis pipeline: the first failed
// command's, else err; nilReply (redis.Nil, the reply for a missing key)
// is no failure.
func PipelineErr[C Cmd](cmds []C, err, nilReply error) error {
	for _, cmd := range cmds {
		if e := cmd.Err(); e != nil && !errors.Is(e, nilReply) {
			return e
		}
	}
	if err != nil && !errors.Is(err, nilReply) {
		return err
	}
	return nil
}

// EndCmd records err on the span of a go-redis command or pipeline, unless
// it is nilReply (redis.Nil), and ends the span. An error reply of the
// server (a redis.Error) gives its prefix.
func EndCmd(span trace.Span, err, nilReply error) {
	if err != nil && !errors.Is(err, nilReply) {
		var reply interface {
			error
			RedisError()
		}
		RecordError(span, err, errors.As(err, &reply))
	}
	span.End()
}
