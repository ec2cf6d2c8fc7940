// Package restful holds the hooks otelgo splices into go-restful v3
// (github.com/emicklei/go-restful/v3): the net/http SERVER span of a
// request a restful.Container serves gets the path of the route it matched
// (the web service's root path and the route's path, e.g. "/users/{id}")
// as http.route and in its name, "GET /users/{id}". No span is added:
// go-restful serves through net/http, whose hooks
// (otelgo.dev/rules/nethttp) make the one SERVER span.
//
// A container routes each request in (*Container).dispatch: its
// RouteSelector (CurlyRouter by default, RouterJSR311, or the program's
// own) picks the route, then (*Route).wrapRequestResponse makes the
// restful.Request the filters and the route function get; that is where
// the hook sets the route, before any filter runs. Requests that match no
// route (404, 405, 406, 415) get no http.route: a container registers each
// web service's root path on an http.ServeMux, whose pattern ("/users/")
// the net/http hooks would take for the route; the hook on dispatch says
// the request is unrouted until a route is selected. The rules are in
// restful.json beside this file.
package restful

import (
	"net/http"

	restful "github.com/emicklei/go-restful/v3"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/httproute"
)

// DispatchOnEnter is the OnEnter hook of
//
//	func (c *Container) dispatch(httpWriter http.ResponseWriter, httpRequest *http.Request)
//
// in go-restful (container.go), the handler a container registers on its
// http.ServeMux for the root paths of its web services.
func DispatchOnEnter(_ api.CallContext, _ *restful.Container, _ http.ResponseWriter, req *http.Request) {
	httproute.Unrouted(req)
}

// WrapRequestResponseOnEnter is the OnEnter hook of
//
//	func (r *Route) wrapRequestResponse(httpWriter http.ResponseWriter, httpRequest *http.Request, pathParams map[string]string) (*Request, *Response)
//
// in go-restful (route.go), which (*Container).dispatch calls with the
// route it selected for httpRequest, the request net/http handed over.
func WrapRequestResponseOnEnter(_ api.CallContext, r *restful.Route, _ http.ResponseWriter, req *http.Request, _ map[string]string) {
	if r == nil {
		return
	}
	httproute.Set(req, r.Path)
}
