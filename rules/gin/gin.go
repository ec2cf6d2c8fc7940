// Package gin holds the hooks otelgo splices into github.com/gin-gonic/gin:
// the net/http SERVER span of a request an *gin.Engine serves gets the
// route gin matched (c.FullPath(), e.g. "/users/:id") as http.route and in
// its name, "GET /users/:id". No span is added: gin serves through
// net/http, whose hooks (otelgo.dev/rules/nethttp) make the one SERVER span.
//
// Requests that match no route (404, 405, a trailing-slash redirect) keep
// the name "GET" and get no http.route. The rules are in gin.json beside
// this file; the hooks are reached from gin through //go:linkname, so their
// signatures follow the convention of otelgo.dev/rules/api exactly.
package gin

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/httproute"
)

// HandleHTTPRequestOnEnter is the OnEnter hook of
//
//	func (engine *Engine) handleHTTPRequest(c *Context)
//
// in gin (gin.go), where (*Engine).ServeHTTP and (*Engine).HandleContext
// route a request and run its handlers. It keeps the request as net/http
// handed it over, whose context holds the SERVER span: middlewares may
// replace c.Request, with a context holding spans of their own.
func HandleHTTPRequestOnEnter(call api.CallContext, _ *gin.Engine, c *gin.Context) {
	if c != nil && c.Request != nil {
		call.SetData(c.Request)
	}
}

// HandleHTTPRequestOnExit is the OnExit hook of (*Engine).handleHTTPRequest.
// The route is known once the function has routed the request; its deferred
// exit also runs when a handler panics (with no gin.Recovery middleware),
// so such a request gets its route too.
func HandleHTTPRequestOnExit(call api.CallContext) {
	req, _ := call.Data().(*http.Request)
	c, _ := call.Param(0).(*gin.Context)
	if req == nil || c == nil {
		return
	}
	if route := c.FullPath(); route != "" {
		httproute.Set(req, route)
	} else {
		httproute.Unrouted(req)
	}
}
