package hertz

import (
	"context"

	"github.com/cloudwego/hertz/pkg/app"

	"otelgo.dev/rules/internal/httpattrs"
)

// serverMiddleware traces one request: the rest of the chain runs in its
// SERVER span.
func serverMiddleware(c context.Context, rc *app.RequestContext) {
	sc := startServer(c, rc)
	if sc == nil {
		rc.Next(c)
		return
	}
	done := false
	defer func() {
		if !done {
			endServer(sc, rc, true)
		}
	}()
	rc.Next(sc.Ctx)
	done = true
	endServer(sc, rc, false)
}

func startServer(c context.Context, rc *app.RequestContext) (sc *httpattrs.Server) {
	defer func() {
		if recover() != nil {
			sc = nil
		}
	}()
	req := &rc.Request
	r := &httpattrs.ServerRequest{
		Method:    string(rc.Method()),
		Scheme:    string(req.Scheme()),
		Path:      string(rc.Path()),
		Query:     string(req.URI().QueryString()),
		Host:      string(rc.Host()),
		Version:   httpattrs.ProtocolVersion(req.Header.GetProtocol()),
		UserAgent: string(req.Header.UserAgent()),
	}
	if r.Scheme == "" {
		r.Scheme = "http"
	}
	if a := rc.RemoteAddr(); a != nil {
		r.Peer = a.String()
	}
	return httpattrs.StartServer(c, ScopeName, httpattrs.ByteHeaders{H: &req.Header}, r)
}

// endServer ends the span once the chain has returned (or panicked past every
// recovery middleware), with the route hertz matched, and records the
// request's duration.
func endServer(sc *httpattrs.Server, rc *app.RequestContext, panicked bool) {
	defer func() { _ = recover() }()
	route := rc.FullPath()
	if route != "" {
		sc.SetRoute(route)
	}
	status := 0
	if !panicked {
		status = rc.Response.StatusCode()
	}
	sc.End(status, route, panicked)
}
