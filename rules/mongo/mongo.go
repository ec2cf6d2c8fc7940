// Package mongo traces go.mongodb.org/mongo-driver (v1): a CLIENT span per
// command the driver sends (find, insert, update, delete, aggregate,
// getMore, ...), with the database semantic conventions for MongoDB (see
// otelgo.dev/rules/internal/mongoconv) and the db.client.operation.duration
// histogram. The rules are in mongo.json.
//
// The hook is on NewClient (which Connect calls): it adds client options
// whose command monitor starts a span on each started event and ends it on
// the succeeded or failed one. A monitor the program set is kept and
// called first; when that monitor is the official contrib instrumentation
// (otelmongo), the hook adds nothing, and the program keeps its own spans
// alone.
//
// Why not otelmongo: it emits the v1.21 conventions (db.system, db.name,
// net.peer.name, the command unsanitized in db.statement) unless
// OTEL_SEMCONV_STABILITY_OPT_IN says otherwise, and its current versions
// require mongo-driver v1.17, which would raise the program's driver.
//
// A span's parent is the span in the context given to the driver's call,
// else the span current on the goroutine. The driver's own commands that
// go through the monitor (endSessions at Disconnect) get spans too; the
// connection handshakes and heartbeats do not.
package mongo

import (
	"context"
	"errors"
	"reflect"
	"runtime"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/event"
	"go.mongodb.org/mongo-driver/mongo/options"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/goroutine"
	"otelgo.dev/rules/internal/mongoconv"
)

// ScopeName is the instrumentation scope of the spans made here.
const ScopeName = "otelgo.dev/rules/mongo"

var tracker = &mongoconv.Tracker{Scope: ScopeName}

// NewClientOnEnter is the OnEnter hook of
//
//	func NewClient(opts ...*options.ClientOptions) (*Client, error)
func NewClientOnEnter(call api.CallContext, opts []*options.ClientOptions) {
	var user *event.CommandMonitor
	for _, o := range opts {
		if o != nil && o.Monitor != nil {
			user = o.Monitor
		}
	}
	if user != nil && isOtelmongo(user) {
		return
	}
	extra := options.Client().SetMonitor(monitor(user))
	call.SetParam(0, append(opts[:len(opts):len(opts)], extra))
}

// isOtelmongo reports whether m is the contrib instrumentation's monitor.
func isOtelmongo(m *event.CommandMonitor) bool {
	if m.Started == nil {
		return false
	}
	f := runtime.FuncForPC(reflect.ValueOf(m.Started).Pointer())
	return f != nil && strings.Contains(f.Name(), "/otelmongo.")
}

func monitor(user *event.CommandMonitor) *event.CommandMonitor {
	return &event.CommandMonitor{
		Started: func(ctx context.Context, e *event.CommandStartedEvent) {
			if user != nil && user.Started != nil {
				user.Started(ctx, e)
			}
			started(ctx, e)
		},
		Succeeded: func(ctx context.Context, e *event.CommandSucceededEvent) {
			if user != nil && user.Succeeded != nil {
				user.Succeeded(ctx, e)
			}
			succeeded(e)
		},
		Failed: func(ctx context.Context, e *event.CommandFailedEvent) {
			if user != nil && user.Failed != nil {
				user.Failed(ctx, e)
			}
			failed(e)
		},
	}
}

// The monitor runs inside the driver: a panic here would reach the program.
func recoverHook(step string) {
	if r := recover(); r != nil {
		api.ReportHookPanic(ScopeName+" "+step, r)
	}
}

func started(ctx context.Context, e *event.CommandStartedEvent) {
	defer recoverHook("started")
	if e == nil {
		return
	}
	tracker.Started(goroutine.Context(ctx), mongoconv.Command{
		Name:         e.CommandName,
		Database:     e.DatabaseName,
		Collection:   collection(e.CommandName, e.Command),
		ConnectionID: e.ConnectionID,
		RequestID:    e.RequestID,
		Text:         mongoconv.QueryText(e.Command.String()),
	})
}

// collection is the collection a command names: the value of its first
// element when that is a string ({"find": "items"}), getMore's
// "collection".
func collection(name string, cmd bson.Raw) string {
	if name == "getMore" {
		if v, err := cmd.LookupErr("collection"); err == nil {
			s, _ := v.StringValueOK()
			return s
		}
		return ""
	}
	el, err := cmd.IndexErr(0)
	if err != nil {
		return ""
	}
	s, _ := el.Value().StringValueOK()
	return s
}

func succeeded(e *event.CommandSucceededEvent) {
	defer recoverHook("succeeded")
	if e == nil {
		return
	}
	tracker.Finished(e.ConnectionID, e.RequestID, writeError(e.Reply))
}

// writeError is the first write error of an acknowledged reply, which the
// driver returns to the program as an error.
func writeError(reply bson.Raw) mongoconv.Outcome {
	v, err := reply.LookupErr("writeErrors")
	if err != nil {
		return mongoconv.Outcome{}
	}
	arr, ok := v.ArrayOK()
	if !ok {
		return mongoconv.Outcome{}
	}
	first, err := arr.IndexErr(0)
	if err != nil {
		return mongoconv.Outcome{}
	}
	doc, ok := first.Value().DocumentOK()
	if !ok {
		return mongoconv.Outcome{}
	}
	out := mongoconv.Outcome{Err: errors.New("write error")}
	if c, err := doc.LookupErr("code"); err == nil {
		if n, ok := c.AsInt64OK(); ok {
			out.Code = strconv.FormatInt(n, 10)
		}
	}
	if m, err := doc.LookupErr("errmsg"); err == nil {
		if s, ok := m.StringValueOK(); ok {
			out.Err = errors.New(s)
		}
	}
	return out
}

func failed(e *event.CommandFailedEvent) {
	defer recoverHook("failed")
	if e == nil {
		return
	}
	msg := e.Failure
	if msg == "" {
		msg = "command failed"
	}
	tracker.Finished(e.ConnectionID, e.RequestID, mongoconv.Outcome{Err: errors.New(msg), CodeName: mongoconv.ParseFailure(msg)})
}
