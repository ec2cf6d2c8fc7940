// Package mongov2 traces go.mongodb.org/mongo-driver/v2: a CLIENT span per
// command the driver sends, as otelgo.dev/rules/mongo does for v1 (see its
// doc for the monitor, and otelgo.dev/rules/internal/mongoconv for the
// conventions). The rules are in mongov2.json. The hook is on newClient,
// which Connect calls. The official contrib instrumentation for v2
// (.../mongo-driver/v2/mongo/otelmongo) is left alone the same way: a
// program that set it keeps its spans alone.
package mongov2

import (
	"context"
	"errors"
	"reflect"
	"runtime"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/goroutine"
	"otelgo.dev/rules/internal/mongoconv"
)

// ScopeName is the instrumentation scope of the spans made here.
const ScopeName = "otelgo.dev/rules/mongo/mongov2"

var tracker = &mongoconv.Tracker{Scope: ScopeName}

// NewClientOnEnter is the OnEnter hook of
//
//	func newClient(opts ...*options.ClientOptions) (*Client, error)
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
	doc, ok := first.DocumentOK()
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
	err := e.Failure
	if err == nil {
		err = errors.New("command failed")
	}
	out := mongoconv.Outcome{Err: err}
	var de driver.Error
	if errors.As(err, &de) {
		out.CodeName = de.Name
		if de.Code != 0 {
			out.Code = strconv.Itoa(int(de.Code))
		}
	}
	tracker.Finished(e.ConnectionID, e.RequestID, out)
}
