// Package redigo traces github.com/gomodule/redigo: a CLIENT span per
// command run with Do, DoContext or DoWithTimeout, and one span per batch of
// commands pipelined with Send, with the current semantic conventions for
// Redis (see otelgo.dev/rules/internal/redisconv). The rules are in
// redigo.json beside this file.
//
// redis.Conn is an interface; every connection redigo makes is its
// unexported *conn (pooled connections wrap one), whose methods the rules
// hook. The hooks receive it as `any`.
//
// Per connection the hooks keep (keyed by a weak pointer, so that nothing
// outlives the connection) the server it was dialled to, its database
// index, and the commands sent but not yet answered:
//
//   - DialContext (which Dial, DialURL and DialTimeout call) records the
//     address dialled: server.address and server.port. The commands it runs
//     itself (AUTH, CLIENT SETNAME, SELECT) are traced too, with the address
//     from v1.9 on (before, they run without the dial's context, and their
//     spans carry no address). A connection made by NewConn gets its
//     net.Conn's remote address.
//   - db.namespace starts at "0" for a dialled connection and follows every
//     SELECT that succeeds on it (DialDatabase is such a SELECT).
//   - Do, DoContext and DoWithTimeout make one span per command (Do and
//     DoContext run DoWithTimeout, which then makes none). DoContext's span
//     is a child of the span in its ctx; Do and DoWithTimeout take no
//     context, and their spans are children of the span current on the
//     calling goroutine (otelgo.dev/rules/goroutine), e.g. the request's
//     SERVER span in an HTTP handler.
//   - Send queues the command. The commands sent since the last batch ended
//     become ONE span, from the first Send until the reply of the last one
//     was received (by Receive, ReceiveContext or ReceiveWithTimeout, or by
//     a Do that reads the pending replies: Do("") or Do("EXEC") after
//     Send("MULTI"), ... — then Do's command is part of the batch). Its
//     parent is the span in the context of the ReceiveContext or DoContext
//     that completed it (Send takes no context), else the span current on
//     the goroutine. A batch of one command is
//     named after it ("SUBSCRIBE"), a MULTI ... EXEC batch "MULTI" and any
//     other "PIPELINE" (see redisconv.Batch). A Receive with nothing pending
//     (a pub/sub message) makes no span. One span per Send and one per Flush
//     would only time writes into a buffer: the batch span is the time the
//     application waited for Redis.
//   - Errors: an error reply of the server sets db.response.status_code and
//     error.type to its prefix; a batch records the first error.
package redigo

import (
	"context"
	"errors"
	"net"
	"reflect"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"weak"

	"github.com/gomodule/redigo/redis"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/goroutine"
	"otelgo.dev/rules/internal/redisconv"
)

// ScopeName is the instrumentation scope of the spans made here.
const ScopeName = "otelgo.dev/rules/redigo"

// maxQueued bounds the commands a connection's batch describes; more are
// only counted.
const maxQueued = 1024

// connState is what the hooks know of one connection.
type connState struct {
	// covered is set by Do and DoContext, whose span covers the
	// DoWithTimeout they run; that DoWithTimeout clears it and makes no
	// span of its own.
	covered atomic.Bool

	mu     sync.Mutex
	server redisconv.Server // Namespace: the current database index
	dialed bool             // server comes from DialContext or NewConn

	// The batch: commands sent (the first maxQueued described in queue)
	// and how many of their replies were received.
	queue       []queued
	sent        int
	received    int
	start       time.Time
	batchServer redisconv.Server // server when the batch began
	parent      context.Context  // ctx of the ReceiveContext that waits for it
	err         error            // first error of the batch
}

type queued struct {
	cmd      redisconv.Command
	selectDB string // the index if the command is a SELECT
}

// states maps a *conn (as a weak pointer to its first byte) to its state.
// A cleanup removes the entry when the connection is garbage.
var states sync.Map // weak.Pointer[byte] -> *connState

func stateOf(conn any) *connState {
	v := reflect.ValueOf(conn)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return nil
	}
	p := (*byte)(v.UnsafePointer())
	key := weak.Make(p)
	if s, ok := states.Load(key); ok {
		return s.(*connState)
	}
	s, loaded := states.LoadOrStore(key, &connState{})
	if !loaded {
		runtime.AddCleanup(p, func(k weak.Pointer[byte]) { states.Delete(k) }, key)
	}
	return s.(*connState)
}

// dialKey is the context key under which DialContext passes the address
// it dials to the commands it runs itself (AUTH, CLIENT SETNAME, SELECT).
type dialKey struct{}

// setDialed records where st's connection was dialled to, once.
func (st *connState) setDialed(server redisconv.Server) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.dialed {
		return
	}
	st.dialed = true
	ns := st.server.Namespace
	st.server = server
	st.server.Namespace = ns
	if st.server.Namespace == "" {
		st.server.Namespace = "0" // a new connection uses database 0 until a SELECT
	}
}

func (st *connState) fromDialContext(ctx context.Context) {
	if ctx == nil {
		return
	}
	if s, ok := ctx.Value(dialKey{}).(redisconv.Server); ok {
		st.setDialed(s)
	}
}

// DialContextOnEnter is the OnEnter hook of
//
//	func DialContext(ctx context.Context, network, address string, options ...DialOption) (Conn, error)
//
// It keeps the address for OnExit and hands it, in the context, to the
// commands DialContext runs before it returns.
func DialContextOnEnter(call api.CallContext, ctx context.Context, network, address string, _ []redis.DialOption) {
	server := redisconv.ParseAddress(network, address)
	call.SetData(server)
	if ctx != nil {
		call.SetParam(0, context.WithValue(ctx, dialKey{}, server))
	}
}

// DialContextOnExit is the OnExit hook of DialContext.
func DialContextOnExit(call api.CallContext, c redis.Conn, err error) {
	server, ok := call.Data().(redisconv.Server)
	if !ok || err != nil || c == nil {
		return
	}
	if st := stateOf(c); st != nil {
		st.setDialed(server)
	}
}

// NewConnOnExit is the OnExit hook of
//
//	func NewConn(netConn net.Conn, readTimeout, writeTimeout time.Duration) Conn
//
// The connection is the caller's: its database index is not known.
func NewConnOnExit(call api.CallContext, c redis.Conn) {
	nc, _ := call.Param(0).(net.Conn)
	if nc == nil || c == nil {
		return
	}
	st := stateOf(c)
	if st == nil {
		return
	}
	if ra := nc.RemoteAddr(); ra != nil {
		st.mu.Lock()
		if !st.dialed {
			st.dialed = true
			st.server = redisconv.ParseAddress(ra.Network(), ra.String())
		}
		st.mu.Unlock()
	}
}

// doCall is what a Do-family OnEnter leaves for its OnExit.
type doCall struct {
	st    *connState
	span  trace.Span
	cmds  []queued
	batch error // an error of the batch this call completed, seen before it
}

// DoOnEnter is the OnEnter hook of
//
//	func (c *conn) Do(cmd string, args ...interface{}) (interface{}, error)
func DoOnEnter(call api.CallContext, c any, cmd string, args []any) {
	st := stateOf(c)
	if st == nil {
		return
	}
	st.covered.Store(true)
	startDo(call, st, context.Background(), cmd, args)
}

// DoContextOnEnter is the OnEnter hook of
//
//	func (c *conn) DoContext(ctx context.Context, cmd string, args ...interface{}) (interface{}, error)
func DoContextOnEnter(call api.CallContext, c any, ctx context.Context, cmd string, args []any) {
	st := stateOf(c)
	if st == nil {
		return
	}
	st.covered.Store(true)
	st.fromDialContext(ctx)
	if ctx == nil {
		ctx = context.Background()
	}
	startDo(call, st, ctx, cmd, args)
}

// DoWithTimeoutOnEnter is the OnEnter hook of
//
//	func (c *conn) DoWithTimeout(readTimeout time.Duration, cmd string, args ...interface{}) (interface{}, error)
//
// Do and DoContext run it; it makes a span only when called directly.
func DoWithTimeoutOnEnter(call api.CallContext, c any, _ time.Duration, cmd string, args []any) {
	st := stateOf(c)
	if st == nil || st.covered.Swap(false) {
		return
	}
	startDo(call, st, context.Background(), cmd, args)
}

func startDo(call api.CallContext, st *connState, ctx context.Context, cmd string, args []any) {
	st.mu.Lock()
	batched := st.sent > 0
	cmds, extra, start, server, batchErr := st.queue, st.sent-len(st.queue), st.start, st.batchServer, st.err
	if !batched {
		server = st.server
	}
	st.clearBatch()
	st.mu.Unlock()

	if cmd != "" {
		cmds = append(cmds, queued{redisconv.Describe(cmd, args), redisconv.SelectedDB(cmd, args)})
	}
	if len(cmds) == 0 && extra == 0 {
		return // Do("") with nothing pending returns at once
	}
	var opts []trace.SpanStartOption
	if batched {
		opts = append(opts, trace.WithTimestamp(start))
	}
	name, text, size := describeBatch(cmds, extra)
	_, span := redisconv.Start(goroutine.Context(ctx), ScopeName, server, name, text, size, opts...)
	call.SetData(&doCall{st: st, span: span, cmds: cmds, batch: batchErr})
}

// DoOnExit is the OnExit hook of Do, DoContext and DoWithTimeout.
func DoOnExit(call api.CallContext, _ any, err error) {
	d, _ := call.Data().(*doCall)
	if d == nil {
		return
	}
	if err == nil {
		d.st.selected(d.cmds)
		err = d.batch
	}
	redisconv.End(d.span, err, isServerError(err))
}

// SendOnEnter is the OnEnter hook of
//
//	func (c *conn) Send(cmd string, args ...interface{}) error
func SendOnEnter(call api.CallContext, c any, cmd string, args []any) {
	st := stateOf(c)
	if st == nil {
		return
	}
	q := queued{redisconv.Describe(cmd, args), redisconv.SelectedDB(cmd, args)}
	st.mu.Lock()
	if st.sent == 0 {
		st.start = time.Now()
		st.batchServer = st.server
	}
	if len(st.queue) < maxQueued {
		st.queue = append(st.queue, q)
	}
	st.sent++
	st.mu.Unlock()
	call.SetData(st)
}

// SendOnExit is the OnExit hook of Send: a failed write fails the batch.
func SendOnExit(call api.CallContext, err error) {
	if st, _ := call.Data().(*connState); st != nil && err != nil {
		st.mu.Lock()
		if st.err == nil {
			st.err = err
		}
		st.mu.Unlock()
	}
}

// ReceiveContextOnEnter is the OnEnter hook of
//
//	func (c *conn) ReceiveContext(ctx context.Context) (interface{}, error)
//
// The batch it completes becomes a child of the span in ctx.
func ReceiveContextOnEnter(_ api.CallContext, c any, ctx context.Context) {
	st := stateOf(c)
	if st == nil || ctx == nil {
		return
	}
	st.mu.Lock()
	if st.sent > 0 {
		st.parent = ctx
	}
	st.mu.Unlock()
}

// ReceiveWithTimeoutOnExit is the OnExit hook of
//
//	func (c *conn) ReceiveWithTimeout(timeout time.Duration) (reply interface{}, err error)
//
// which Receive and ReceiveContext run: one reply of the batch is in.
func ReceiveWithTimeoutOnExit(call api.CallContext, _ any, err error) {
	st := stateOf(call.Receiver())
	if st == nil {
		return
	}
	st.mu.Lock()
	if st.sent == 0 {
		st.mu.Unlock()
		return // nothing was pending: a pub/sub message
	}
	// The replies come in the order of the commands.
	if err == nil && st.received < len(st.queue) && st.queue[st.received].selectDB != "" {
		st.server.Namespace = st.queue[st.received].selectDB
	}
	st.received++
	if err != nil && st.err == nil {
		st.err = err
	}
	// A reply that is no error reply of the server is a broken
	// connection: no more replies come.
	if st.received < st.sent && (err == nil || isServerError(err)) {
		st.mu.Unlock()
		return
	}
	cmds, extra, start, server, parent, batchErr := st.queue, st.sent-len(st.queue), st.start, st.batchServer, st.parent, st.err
	st.clearBatch()
	st.mu.Unlock()
	emitBatch(parent, server, start, cmds, extra, batchErr)
}

// CloseOnEnter is the OnEnter hook of
//
//	func (c *conn) Close() error
//
// A batch whose replies were never read ends here.
func CloseOnEnter(_ api.CallContext, c any) {
	st := stateOf(c)
	if st == nil {
		return
	}
	st.mu.Lock()
	if st.sent == 0 {
		st.mu.Unlock()
		return
	}
	cmds, extra, start, server, parent, batchErr := st.queue, st.sent-len(st.queue), st.start, st.batchServer, st.parent, st.err
	st.clearBatch()
	st.mu.Unlock()
	emitBatch(parent, server, start, cmds, extra, batchErr)
}

func emitBatch(parent context.Context, server redisconv.Server, start time.Time, cmds []queued, extra int, err error) {
	if parent == nil {
		parent = context.Background()
	}
	name, text, size := describeBatch(cmds, extra)
	_, span := redisconv.Start(goroutine.Context(parent), ScopeName, server, name, text, size, trace.WithTimestamp(start))
	redisconv.End(span, err, isServerError(err))
}

// clearBatch forgets the batch; st.mu is held.
func (st *connState) clearBatch() {
	st.queue, st.sent, st.received, st.parent, st.err = nil, 0, 0, nil, nil
}

// selected applies the SELECTs among cmds, which all succeeded.
func (st *connState) selected(cmds []queued) {
	for i := len(cmds) - 1; i >= 0; i-- {
		if cmds[i].selectDB != "" {
			st.mu.Lock()
			st.server.Namespace = cmds[i].selectDB
			st.mu.Unlock()
			return
		}
	}
}

func describeBatch(cmds []queued, extra int) (name, text string, size int) {
	described := make([]redisconv.Command, len(cmds))
	for i, q := range cmds {
		described[i] = q.cmd
	}
	name, text, size = redisconv.Batch(described)
	if extra > 0 {
		name, size, text = "PIPELINE", len(cmds)+extra, text+" ..."
	}
	return name, text, size
}

// isServerError reports an error reply of the server.
func isServerError(err error) bool {
	var re redis.Error
	return err != nil && errors.As(err, &re)
}
