package chi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"

	"otelgo.dev/rules/internal/calltest"
	"otelgo.dev/rules/internal/httproute"
)

// route runs the hooks as an otelgo build would around the routeHTTP calls
// of one request through len(found) routers (mounted in one another), the
// router at depth i appending found[i] to the route patterns when it
// matched ("" when it found no route, which ends the walk), and returns
// what the request's holder got.
func route(t *testing.T, found ...string) (string, bool) {
	t.Helper()
	ctx, h := httproute.WithHolder(context.Background())
	rctx := chi.NewRouteContext()
	req := httptest.NewRequest(http.MethodGet, "/api/items/7", nil)
	req = req.WithContext(context.WithValue(ctx, chi.RouteCtxKey, rctx))
	var walk func(i int)
	walk = func(i int) {
		call := &calltest.Call{}
		RouteHTTPOnEnter(call, nil, nil, req)
		defer RouteHTTPOnExit(call)
		if found[i] == "" {
			return // this router's NotFound handler answers
		}
		rctx.RoutePatterns = append(rctx.RoutePatterns, found[i])
		if i+1 < len(found) {
			walk(i + 1) // the handler is a mounted router
		}
	}
	walk(0)
	if active.Routing(rctx) {
		t.Fatal("the request's routing state outlived it")
	}
	return h.Route(), h.Unrouted()
}

func TestRouteOfNestedRouters(t *testing.T) {
	for _, tc := range []struct {
		found    []string
		route    string
		unrouted bool
	}{
		{[]string{"/users/{id}"}, "/users/{id}", false},
		{[]string{"/api/*", "/items/{id}"}, "/api/items/{id}", false},
		{[]string{"/api/*", "/v1/*", "/items/{id}"}, "/api/v1/items/{id}", false},
		{[]string{""}, "", true},
		// The mount matched, the mounted router found nothing: a 404.
		{[]string{"/api/*", ""}, "", true},
	} {
		route, unrouted := route(t, tc.found...)
		if route != tc.route || unrouted != tc.unrouted {
			t.Errorf("%q: got %q (unrouted %v), want %q (unrouted %v)", tc.found, route, unrouted, tc.route, tc.unrouted)
		}
	}
}

func TestRequestWithoutRouteContext(t *testing.T) {
	call := &calltest.Call{}
	RouteHTTPOnEnter(call, nil, nil, httptest.NewRequest(http.MethodGet, "/", nil))
	RouteHTTPOnExit(call)
	RouteHTTPOnEnter(call, nil, nil, nil)
	if call.Stored != nil {
		t.Fatal("state kept for a request chi does not route")
	}
}
