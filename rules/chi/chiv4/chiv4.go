// Package chiv4 holds the hooks otelgo splices into chi
// (github.com/go-chi/chi, v4.x+incompatible and v1.5.x): the net/http SERVER span of a request a
// *chi.Mux serves gets the route pattern chi matched (e.g.
// "/api/items/{id}", the patterns of mounted routers joined as
// chi.RouteContext(ctx).RoutePattern() joins them) as http.route and in
// its name, "GET /api/items/{id}". No span is added: chi serves through
// net/http, whose hooks (otelgo.dev/rules/nethttp) make the one SERVER span.
//
// chi routes a request only after the middlewares given to the top router's
// Use have run, in (*Mux).routeHTTP, once per router the request goes
// through (a router mounted with Mount or Route routes the rest of the
// path); the route is complete once the outermost routeHTTP returns, which
// is when the hook sets it. A request is routed when every router on its
// way found a route: a 404 or 405 of a mounted router gets no http.route,
// though its parent matched the mount ("/api/*"). A middleware of the top
// router that answers by itself (an authentication check) leaves the
// request unrouted: chi had not routed it yet. Middlewares of a Group,
// With or a mounted router run after the route (or the mount) was found.
//
// The same hook as otelgo.dev/rules/chi's for chi v5, on the legacy import
// path: v4.x+incompatible (what go.mod files that require chi v4 hold)
// and v1.5.x (the v4 code with a go.mod, published after v5 left the
// path), one rule each. The rules are in chiv4.json beside this file.
package chiv4

import (
	"net/http"

	"github.com/go-chi/chi"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/httproute"
)

// active holds the routing of each request being routed (keyed by its
// *chi.Context), for the nested routeHTTP calls of mounted routers.
var active httproute.Nested

// patterns is chi's routing state of a request, as httproute.Nested reads it.
type patterns struct{ *chi.Context }

func (p patterns) Routed() int   { return len(p.RoutePatterns) }
func (p patterns) Route() string { return p.RoutePattern() }

// RouteHTTPOnEnter is the OnEnter hook of
//
//	func (mx *Mux) routeHTTP(w http.ResponseWriter, r *http.Request)
//
// in chi (mux.go), where a router finds the route of the request (the part
// of its path left by the routers above) and runs its handler, or its
// NotFound or MethodNotAllowed handler.
func RouteHTTPOnEnter(call api.CallContext, _ *chi.Mux, _ http.ResponseWriter, r *http.Request) {
	if r == nil {
		return
	}
	rctx, _ := r.Context().Value(chi.RouteCtxKey).(*chi.Context)
	if rctx == nil {
		return
	}
	if st := active.Enter(r, rctx, patterns{rctx}); st != nil {
		call.SetData(st)
	}
}

// RouteHTTPOnExit is the OnExit hook of (*Mux).routeHTTP; it also runs
// when the handler panics. Each router that found a route appended its
// pattern to rctx.RoutePatterns: the request is routed when every
// routeHTTP call of it did.
func RouteHTTPOnExit(call api.CallContext) {
	if st, _ := call.Data().(*httproute.Nesting); st != nil {
		active.Exit(st)
	}
}
