// Package gomemcache traces github.com/bradfitz/gomemcache/memcache: a
// CLIENT span per command a *memcache.Client sends (Get, GetMulti, Set,
// Add, Replace, Append, Prepend, CompareAndSwap, Delete, DeleteAll, Touch,
// GetAndTouch, Increment, Decrement, FlushAll, Ping), with the database
// semantic conventions and the db.client.operation.duration histogram. The
// rules are in gomemcache.json.
//
//   - db.system.name is "memcached"; db.operation.name and the span name
//     are the protocol's command as the client sends it ("gets", "set",
//     "cas", "delete", "incr", "touch", "gat", "flush_all", "version");
//   - db.query.text is the command with its keys and without its values:
//     "set user:1 ?", "gets a b c";
//   - server.address and server.port are the server the key maps to, as
//     the client's server selector picks it (the servers given to New, or
//     the selector given to NewFromSelector); a command sent to several
//     servers (GetMulti over keys of several servers, FlushAll, Ping) has
//     them only when there is one server;
//   - a cache miss (memcache.ErrCacheMiss) is no error; any other error
//     sets the span's error status and error.type: the sentinel's name
//     ("memcache.ErrNotStored") for gomemcache's own errors, "timeout" for
//     a timeout, else the error's Go type.
//
// gomemcache's methods take no context: a span's parent is the span
// current on the goroutine (otelgo.dev/rules/goroutine), the request's
// span in a handler.
package gomemcache

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"

	"github.com/bradfitz/gomemcache/memcache"
	"go.opentelemetry.io/otel/attribute"
	semconv "otelgo.dev/rules/internal/semconv"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/goroutine"
	"otelgo.dev/rules/internal/dbconv"
	"otelgo.dev/rules/internal/weakmap"
)

// ScopeName is the instrumentation scope of the spans made here.
const ScopeName = "otelgo.dev/rules/gomemcache"

// selectors holds each client's server selector.
var selectors weakmap.Map[memcache.Client, memcache.ServerSelector]

// NewOnExit is the OnExit hook of
//
//	func New(server ...string) *Client
//
// It keeps a server list equal to the client's, to pick the same server
// for a key as the client does.
func NewOnExit(call api.CallContext, c *memcache.Client) {
	servers, _ := call.Param(0).([]string)
	if c == nil {
		return
	}
	ss := new(memcache.ServerList)
	if err := ss.SetServers(servers...); err != nil {
		return
	}
	selectors.Store(c, ss)
}

// NewFromSelectorOnExit is the OnExit hook of
//
//	func NewFromSelector(ss ServerSelector) *Client
func NewFromSelectorOnExit(call api.CallContext, c *memcache.Client) {
	if ss, ok := call.Param(0).(memcache.ServerSelector); ok && c != nil && ss != nil {
		selectors.Store(c, ss)
	}
}

// server is where the command for keys goes: the server they all map to,
// or the one server of the client (no keys); nil if unknown.
func server(c *memcache.Client, keys []string) net.Addr {
	ss, ok := selectors.Load(c)
	if !ok {
		return nil
	}
	var addr net.Addr
	if len(keys) == 0 {
		n := 0
		_ = ss.Each(func(a net.Addr) error {
			addr = a
			n++
			return nil
		})
		if n != 1 {
			return nil
		}
		return addr
	}
	for _, k := range keys {
		a, err := ss.PickServer(k)
		if err != nil {
			return nil
		}
		if addr != nil && a.String() != addr.String() {
			return nil
		}
		addr = a
	}
	return addr
}

func start(call api.CallContext, c *memcache.Client, op string, keys []string, text string) {
	defer func() {
		if r := recover(); r != nil {
			api.ReportHookPanic(ScopeName+" "+op, r)
		}
	}()
	attrs := make([]attribute.KeyValue, 0, 5)
	attrs = append(attrs, semconv.DBSystemNameMemcached, semconv.DBOperationName(op))
	if text != "" {
		attrs = append(attrs, semconv.DBQueryText(text))
	}
	if addr := server(c, keys); addr != nil {
		attrs = appendAddr(attrs, addr)
	}
	_, o := dbconv.Start(goroutine.Context(context.Background()), ScopeName, op, attrs)
	call.SetData(o)
}

func appendAddr(attrs []attribute.KeyValue, addr net.Addr) []attribute.KeyValue {
	if addr.Network() == "unix" {
		return append(attrs, semconv.ServerAddress(addr.String()))
	}
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return attrs
	}
	attrs = append(attrs, semconv.ServerAddress(host))
	if p, err := strconv.Atoi(port); err == nil && p > 0 {
		attrs = append(attrs, semconv.ServerPort(p))
	}
	return attrs
}

func end(call api.CallContext, err error) {
	o, ok := call.Data().(*dbconv.Operation)
	if !ok {
		return
	}
	if err == nil || errors.Is(err, memcache.ErrCacheMiss) {
		o.End(nil)
		return
	}
	o.EndWith(err, []attribute.KeyValue{errorType(err)})
}

var sentinels = []struct {
	err  error
	name string
}{
	{memcache.ErrCASConflict, "memcache.ErrCASConflict"},
	{memcache.ErrNotStored, "memcache.ErrNotStored"},
	{memcache.ErrServerError, "memcache.ErrServerError"},
	{memcache.ErrNoStats, "memcache.ErrNoStats"},
	{memcache.ErrMalformedKey, "memcache.ErrMalformedKey"},
	{memcache.ErrNoServers, "memcache.ErrNoServers"},
}

func errorType(err error) attribute.KeyValue {
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			return semconv.ErrorTypeKey.String(s.name)
		}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return semconv.ErrorTypeKey.String("timeout")
	}
	var cte *memcache.ConnectTimeoutError
	if errors.As(err, &cte) {
		return semconv.ErrorTypeKey.String("timeout")
	}
	return semconv.ErrorType(err)
}

func itemKey(item *memcache.Item) string {
	if item == nil {
		return ""
	}
	return item.Key
}

// keyText is "op key" with extra "?" for each value the command carries.
func keyText(op, key string, values int) string {
	var b strings.Builder
	b.WriteString(op)
	b.WriteByte(' ')
	b.WriteString(key)
	for i := 0; i < values; i++ {
		b.WriteString(" ?")
	}
	return b.String()
}

func storeEnter(call api.CallContext, c *memcache.Client, op string, item *memcache.Item) {
	key := itemKey(item)
	start(call, c, op, []string{key}, keyText(op, key, 1))
}

// GetOnEnter is the OnEnter hook of func (c *Client) Get(key string) (item *Item, err error).
func GetOnEnter(call api.CallContext, c *memcache.Client, key string) {
	start(call, c, "gets", []string{key}, keyText("gets", key, 0))
}

// GetOnExit is the OnExit hook of (*Client).Get.
func GetOnExit(call api.CallContext, _ *memcache.Item, err error) { end(call, err) }

// GetMultiOnEnter is the OnEnter hook of func (c *Client) GetMulti(keys []string) (map[string]*Item, error).
func GetMultiOnEnter(call api.CallContext, c *memcache.Client, keys []string) {
	start(call, c, "gets", keys, "gets "+strings.Join(keys, " "))
}

// GetMultiOnExit is the OnExit hook of (*Client).GetMulti.
func GetMultiOnExit(call api.CallContext, _ map[string]*memcache.Item, err error) { end(call, err) }

// SetOnEnter is the OnEnter hook of func (c *Client) Set(item *Item) error.
func SetOnEnter(call api.CallContext, c *memcache.Client, item *memcache.Item) {
	storeEnter(call, c, "set", item)
}

// AddOnEnter is the OnEnter hook of func (c *Client) Add(item *Item) error.
func AddOnEnter(call api.CallContext, c *memcache.Client, item *memcache.Item) {
	storeEnter(call, c, "add", item)
}

// ReplaceOnEnter is the OnEnter hook of func (c *Client) Replace(item *Item) error.
func ReplaceOnEnter(call api.CallContext, c *memcache.Client, item *memcache.Item) {
	storeEnter(call, c, "replace", item)
}

// AppendOnEnter is the OnEnter hook of func (c *Client) Append(item *Item) error.
func AppendOnEnter(call api.CallContext, c *memcache.Client, item *memcache.Item) {
	storeEnter(call, c, "append", item)
}

// PrependOnEnter is the OnEnter hook of func (c *Client) Prepend(item *Item) error.
func PrependOnEnter(call api.CallContext, c *memcache.Client, item *memcache.Item) {
	storeEnter(call, c, "prepend", item)
}

// CompareAndSwapOnEnter is the OnEnter hook of func (c *Client) CompareAndSwap(item *Item) error.
func CompareAndSwapOnEnter(call api.CallContext, c *memcache.Client, item *memcache.Item) {
	storeEnter(call, c, "cas", item)
}

// ErrOnExit is the OnExit hook of the methods that return only an error.
func ErrOnExit(call api.CallContext, err error) { end(call, err) }

// DeleteOnEnter is the OnEnter hook of func (c *Client) Delete(key string) error.
func DeleteOnEnter(call api.CallContext, c *memcache.Client, key string) {
	start(call, c, "delete", []string{key}, keyText("delete", key, 0))
}

// DeleteAllOnEnter is the OnEnter hook of func (c *Client) DeleteAll() error.
func DeleteAllOnEnter(call api.CallContext, c *memcache.Client) {
	start(call, c, "flush_all", nil, "flush_all")
}

// FlushAllOnEnter is the OnEnter hook of func (c *Client) FlushAll() error.
func FlushAllOnEnter(call api.CallContext, c *memcache.Client) {
	start(call, c, "flush_all", nil, "flush_all")
}

// PingOnEnter is the OnEnter hook of func (c *Client) Ping() error.
func PingOnEnter(call api.CallContext, c *memcache.Client) {
	start(call, c, "version", nil, "version")
}

// TouchOnEnter is the OnEnter hook of func (c *Client) Touch(key string, seconds int32) (err error).
func TouchOnEnter(call api.CallContext, c *memcache.Client, key string, _ int32) {
	start(call, c, "touch", []string{key}, keyText("touch", key, 1))
}

// GetAndTouchOnEnter is the OnEnter hook of func (c *Client) GetAndTouch(key string, expiration int32) (item *Item, err error).
func GetAndTouchOnEnter(call api.CallContext, c *memcache.Client, key string, _ int32) {
	start(call, c, "gat", []string{key}, "gat ? "+key)
}

// IncrementOnEnter is the OnEnter hook of func (c *Client) Increment(key string, delta uint64) (newValue uint64, err error).
func IncrementOnEnter(call api.CallContext, c *memcache.Client, key string, _ uint64) {
	start(call, c, "incr", []string{key}, keyText("incr", key, 1))
}

// DecrementOnEnter is the OnEnter hook of func (c *Client) Decrement(key string, delta uint64) (newValue uint64, err error).
func DecrementOnEnter(call api.CallContext, c *memcache.Client, key string, _ uint64) {
	start(call, c, "decr", []string{key}, keyText("decr", key, 1))
}

// CounterOnExit is the OnExit hook of Increment and Decrement.
func CounterOnExit(call api.CallContext, _ uint64, err error) { end(call, err) }
