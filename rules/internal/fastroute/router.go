package fastroute

import (
	"context"
	"reflect"

	"go.opentelemetry.io/otel/trace"
)

// ShareSpan gives the context a router hands its handlers (get reads it,
// set replaces it) the SERVER span of the request keyed by key, unless it
// holds a span already or the request is not being served under a span of
// ours: calls the handlers give that context nest under the request.
func ShareSpan(key any, get func() context.Context, set func(context.Context)) {
	r := Lookup(key)
	if r == nil || r.Span == nil {
		return
	}
	if ctx := get(); !trace.SpanContextFromContext(ctx).IsValid() {
		set(trace.ContextWithSpan(ctx, r.Span))
	}
}

// UseFlag returns the test of a router's routes (R: fiber.Route) for those
// its Use registered, which are middlewares, not routes: the route type's
// unexported bool field named field is true for them. The test says false
// for every route when R has no such field.
func UseFlag[R any](field string) func(*R) bool {
	f, ok := reflect.TypeFor[R]().FieldByName(field)
	if !ok || f.Type.Kind() != reflect.Bool || len(f.Index) != 1 {
		return func(*R) bool { return false }
	}
	i := f.Index[0]
	return func(r *R) bool { return reflect.ValueOf(r).Elem().Field(i).Bool() }
}
