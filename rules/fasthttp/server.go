package fasthttp

import (
	"context"
	"net"
	"reflect"
	"sync"

	"github.com/valyala/fasthttp"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/fastroute"
	"otelgo.dev/rules/internal/httpattrs"
)

// ServeOnEnter is the OnEnter hook of
//
//	func (s *Server) Serve(ln net.Listener) error
//
// in fasthttp (server.go), which ListenAndServe, ListenAndServeTLS...
// call: the server's Handler is wrapped before the first connection.
func ServeOnEnter(_ api.CallContext, s *fasthttp.Server, _ net.Listener) {
	wrap(s)
}

// ServeConnOnEnter is the OnEnter hook of
//
//	func (s *Server) ServeConn(c net.Conn) error
//
// in fasthttp (server.go), for servers fed connections one at a time
// (fasthttp.ServeConn, fiber's app.Test).
func ServeConnOnEnter(_ api.CallContext, s *fasthttp.Server, _ net.Conn) {
	wrap(s)
}

// wrapMu serialises the check-and-replace of Server.Handler: Serve and
// ServeConn may be called from several goroutines for one server, and each
// reads Handler for every request only after its own hook has returned.
var wrapMu sync.Mutex

// tracedCode is the code pointer of every handler wrap installs (method
// values of one method share it), which tells a wrapped server from
// another without keeping a set of servers.
var tracedCode = reflect.ValueOf((&traced{}).serve).Pointer()

// wrap replaces s.Handler by a traced handler calling it, once per server.
func wrap(s *fasthttp.Server) {
	if s == nil {
		return
	}
	wrapMu.Lock()
	defer wrapMu.Unlock()
	if s.Handler == nil || reflect.ValueOf(s.Handler).Pointer() == tracedCode {
		return
	}
	s.Handler = (&traced{next: s.Handler, server: s}).serve
}

// traced is the wrapper of one server's handler.
type traced struct {
	next   fasthttp.RequestHandler
	server *fasthttp.Server
}

// serve runs the handler inside the request's SERVER span. The span's own
// code recovers its panics; the handler's panic goes on up, as without
// otelgo.
func (t *traced) serve(ctx *fasthttp.RequestCtx) {
	sc := startServer(ctx)
	if sc == nil {
		t.next(ctx)
		return
	}
	done := false
	defer func() {
		if !done {
			sc.end(ctx, true)
		}
	}()
	t.next(ctx)
	done = true
	sc.end(ctx, false)
}

// serverCall is the state of one request being served.
type serverCall struct {
	*httpattrs.Server
	req *fastroute.Request
}

// startServer starts the SERVER span of the request in ctx; nil if that
// failed (a panic in our code, which is recovered).
func startServer(ctx *fasthttp.RequestCtx) (sc *serverCall) {
	defer func() {
		if recover() != nil {
			sc = nil
		}
	}()
	req := &ctx.Request
	r := &httpattrs.ServerRequest{
		Method:    string(ctx.Method()),
		Scheme:    "http",
		Path:      string(ctx.Path()),
		Query:     string(ctx.URI().QueryString()),
		Host:      string(ctx.Host()),
		Version:   httpattrs.ProtocolVersion(string(req.Header.Protocol())),
		UserAgent: string(ctx.UserAgent()),
	}
	if ctx.IsTLS() {
		r.Scheme = "https"
	}
	if a := ctx.RemoteAddr(); a != nil {
		r.Peer = a.String()
	}
	s := httpattrs.StartServer(context.Background(), ScopeName, httpattrs.ByteHeaders{H: &req.Header}, r)
	return &serverCall{Server: s, req: fastroute.Begin(ctx, s.Span, s.Name)}
}

// end ends the span once the handler has returned (or panicked) and
// records the request's duration.
func (sc *serverCall) end(ctx *fasthttp.RequestCtx, panicked bool) {
	defer func() { _ = recover() }()
	fastroute.End(ctx)
	status := 0
	if !panicked {
		status = ctx.Response.StatusCode()
	}
	sc.End(status, sc.req.Route(), panicked)
}
