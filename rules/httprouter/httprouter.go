// Package httprouter holds the hooks otelgo splices into
// github.com/julienschmidt/httprouter: the net/http SERVER span of a
// request an *httprouter.Router serves gets the path of the route it
// matched (e.g. "/users/:id") as http.route and in its name,
// "GET /users/:id". No span is added: httprouter serves through net/http,
// whose hooks (otelgo.dev/rules/nethttp) make the one SERVER span.
//
// httprouter v1.3.0 keeps no route path where a request could read it: its
// tree holds the handle of each route, and only (*Router).Handle, where
// every route is registered (GET, Handler, HandlerFunc, ServeFiles...),
// knows the path that goes with it. The hook wraps the handle there in one
// that gives the request the route before it calls the original, with the
// same arguments. Requests that match no route (404, 405, the redirects
// and automatic OPTIONS answers) keep the name "GET" and get no
// http.route. The rules are in httprouter.json beside this file.
package httprouter

import (
	"net/http"

	"github.com/julienschmidt/httprouter"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/httproute"
)

// HandleOnEnter is the OnEnter hook of
//
//	func (r *Router) Handle(method, path string, handle Handle)
//
// in httprouter (router.go), which registers a route. It replaces handle
// with one that sets the route of each request it serves, then calls
// handle.
func HandleOnEnter(call api.CallContext, _ *httprouter.Router, _, path string, handle httprouter.Handle) {
	if handle == nil {
		return
	}
	call.SetParam(2, httprouter.Handle(func(w http.ResponseWriter, req *http.Request, ps httprouter.Params) {
		setRoute(req, path)
		handle(w, req, ps)
	}))
}

// setRoute runs inside the program's handler, outside the trampoline's
// recover: a failure of its own must not reach the program.
func setRoute(req *http.Request, path string) {
	defer func() { _ = recover() }()
	httproute.Set(req, path)
}
