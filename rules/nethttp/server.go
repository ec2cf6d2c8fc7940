package nethttp

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/propagation"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/goroutine"
	"otelgo.dev/rules/internal/httpattrs"
	"otelgo.dev/rules/internal/httproute"
)

// serverCall is the state of one request being served, from ServerOnEnter
// to ServerOnExit.
type serverCall struct {
	*httpattrs.Server
	orig     *http.Request     // the request net/http passed
	req      *http.Request     // the request the handler was given
	key      any               // the ResponseWriter, key in inflight; nil if not registered
	route    *httproute.Holder // the route a router behind the ServeMux matched
	status   atomic.Int64      // first final status written; 0 if none yet
	hijacked atomic.Bool       // connection hijacked before a status was written
	panics   int               // panics under way on the goroutine at ServerOnEnter
}

// inflight maps the ResponseWriter of each request being served (see
// writerKey) to its *serverCall, so that the WriteHeader and Hijack hooks
// can find the request's span without wrapping the ResponseWriter (a
// wrapper would hide http.Flusher, http.Hijacker, ... from the handler).
var inflight sync.Map

// ServerOnEnter is the OnEnter hook of
//
//	func (sh serverHandler) ServeHTTP(rw ResponseWriter, req *Request)
//
// in net/http (server.go): every request an http.Server serves, HTTP/1 and
// HTTP/2, passes there. It starts the SERVER span, with the parent taken
// from the request headers, and hands the handler a request whose context
// holds the span.
//
// A request whose path OTEL_GO_HTTP_SERVER_EXCLUDED_PATHS names (health
// checks, metrics scrapes) gets no span and no metric, and the hooks are off
// while it is served, so that what its handler calls is not traced either.
func ServerOnEnter(call api.CallContext, recv any, rw http.ResponseWriter, req *http.Request) {
	if !ready.Load() {
		return
	}
	if req == nil || servedByOtelhttp(recv, req) {
		return
	}
	if req.URL != nil && excluded(req.URL.Path) {
		call.SetData(excludedRequest{api.Suppress()})
		return
	}
	r := &httpattrs.ServerRequest{
		Method:    req.Method,
		Scheme:    "http",
		NoURL:     req.URL == nil,
		Host:      req.Host,
		Version:   httpattrs.ProtocolVersionOf(req.ProtoMajor, req.ProtoMinor),
		UserAgent: req.UserAgent(),
		Peer:      req.RemoteAddr,
	}
	if req.TLS != nil {
		r.Scheme = "https"
	}
	if req.URL != nil {
		r.Path, r.Query = req.URL.Path, req.URL.RawQuery
	}
	sc := &serverCall{
		Server: httpattrs.StartServer(req.Context(), ScopeName, propagation.HeaderCarrier(req.Header), r),
		orig:   req,
		panics: goroutine.Panics(),
	}
	var ctx context.Context
	ctx, sc.route = httproute.WithHolder(sc.Ctx)
	sc.route.SetServer(sc.Span)
	sc.req = req.WithContext(ctx)
	call.SetParam(1, sc.req)
	if sc.key = writerKey(rw); sc.key != nil {
		inflight.Store(sc.key, sc)
	}
	call.SetData(sc)
}

// ServerOnExit is the OnExit hook of serverHandler.ServeHTTP. It must run
// also when the handler panics (the spliced code calls it from a deferred
// function): it then marks the span as failed.
func ServerOnExit(call api.CallContext) {
	if e, ok := call.Data().(excludedRequest); ok {
		api.Resume(e.suppressed)
		return
	}
	sc, _ := call.Data().(*serverCall)
	if sc == nil {
		return
	}
	if sc.key != nil {
		inflight.Delete(sc.key)
	}
	panicked := goroutine.Panics() > sc.panics // the handler panicked: net/http recovers it
	if sc.orig.MultipartForm == nil && sc.req.MultipartForm != nil {
		// net/http removes the temporary files of a multipart form the
		// handler parsed only if they are in the request it passed.
		sc.orig.MultipartForm = sc.req.MultipartForm
	}
	status := int(sc.status.Load())
	if status == 0 && !panicked && !sc.hijacked.Load() {
		// The handler wrote nothing: net/http sends 200 OK once it returns.
		status = http.StatusOK
	}
	// The route the innermost router matched: a ServeMux notes its pattern
	// (ServeMuxFindHandlerOnExit), a router behind it (gin, echo...) names
	// the span after its own, or says it matched none.
	route := sc.route.Route()
	named := route != "" && sc.route.Named()
	if route == "" && !sc.route.Unrouted() {
		route = routeOf(sc.req.Pattern) // set by a router otelgo has no rule for
	}
	if route != "" && !named {
		sc.SetRoute(route)
	}
	sc.Unmeasured = sc.route.HandedOver()
	// net/http recovers a handler's panic and aborts the response (HTTP/1
	// closes the connection, HTTP/2 resets the stream).
	sc.End(status, route, panicked)
}

// ServeMuxFindHandlerOnExit is the OnExit hook of
//
//	func (mux *ServeMux) findHandler(r *Request) (h Handler, patStr string, _ *pattern, matches []string)
//
// in net/http. Each ServeMux a request goes through calls it as it
// decides, outermost first: the pattern of a mux behind another (a mux of
// the API's routes under the application's, with a middleware between
// them that copies the request, as miniflux has) is the request's route,
// not the outer mux's "/". One that matches nothing (its 404 or 405)
// leaves the request without a route.
func ServeMuxFindHandlerOnExit(call api.CallContext, _ http.Handler, pattern string, _ any, _ []string) {
	if !ready.Load() {
		return
	}
	req, _ := call.Param(0).(*http.Request)
	if route := routeOf(pattern); route != "" {
		httproute.Note(req, route)
	} else {
		httproute.Unrouted(req)
	}
}

// StripPrefixOnExit is the OnExit hook of
//
//	func StripPrefix(prefix string, h Handler) Handler
//
// in net/http. The handler it returns notes the prefix it takes off the
// path, so that the route a ServeMux or router behind it matches on the rest
// is given back the prefix: /api/things, not /things.
func StripPrefixOnExit(call api.CallContext, h http.Handler) {
	prefix, _ := call.Param(0).(string)
	if h == nil || prefix == "" {
		return
	}
	call.SetResult(0, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httproute.StripPrefix(r, prefix)
		h.ServeHTTP(w, r)
	}))
}

// writerKey returns the value the WriteHeader hooks get as their receiver
// for writes on rw, or nil. That is rw itself (*http.response, and
// *http.http2responseWriter up to Go 1.26), except for HTTP/2 since Go 1.27:
// rw is then a net/http.http2ResponseWriter{*http2.ResponseWriter} struct
// and WriteHeader a method of the embedded pointer
// (net/http/internal/http2.(*responseWriter).WriteHeader).
func writerKey(rw http.ResponseWriter) any {
	if rw == nil {
		return nil
	}
	t := reflect.TypeOf(rw)
	switch t.Kind() {
	case reflect.Pointer:
		return rw
	case reflect.Struct:
		if t.NumField() == 1 {
			if f := t.Field(0); f.Anonymous && f.IsExported() && f.Type.Kind() == reflect.Pointer {
				if v := reflect.ValueOf(rw).Field(0); !v.IsNil() {
					return v.Interface()
				}
			}
		}
	}
	if t.Comparable() {
		return rw
	}
	return nil
}

// ResponseWriteHeaderOnEnter is the OnEnter hook of
//
//	func (w *response) WriteHeader(code int)
//
// in net/http (server.go), the HTTP/1 ResponseWriter; recv is the *response.
func ResponseWriteHeaderOnEnter(_ api.CallContext, recv any, code int) {
	recordStatus(recv, code)
}

// HTTP2WriteHeaderOnEnter is the OnEnter hook of the HTTP/2 ResponseWriter's
// WriteHeader: up to Go 1.26
//
//	func (w *http2responseWriter) WriteHeader(code int)
//
// in net/http (h2_bundle.go), since Go 1.27
//
//	func (w *responseWriter) WriteHeader(code int)
//
// in net/http/internal/http2 (server.go).
func HTTP2WriteHeaderOnEnter(_ api.CallContext, recv any, code int) {
	recordStatus(recv, code)
}

// recordStatus records the first final status code written on w.
func recordStatus(w any, code int) {
	if w == nil || !ready.Load() {
		return
	}
	// Informational codes other than 101 Switching Protocols are followed by
	// the real status; out-of-range codes make WriteHeader panic.
	if code < 100 || code > 999 || (code < 200 && code != http.StatusSwitchingProtocols) {
		return
	}
	v, ok := inflight.Load(w)
	if !ok {
		return
	}
	sc := v.(*serverCall)
	if sc.hijacked.Load() {
		// WriteHeader on a hijacked connection writes nothing.
		return
	}
	sc.status.CompareAndSwap(0, int64(code))
}

// ResponseHijackOnEnter is the OnEnter hook of
//
//	func (w *response) Hijack() (rwc net.Conn, buf *bufio.ReadWriter, err error)
//
// in net/http (server.go). Once the handler has taken the connection over
// (websockets...), the status it writes to it is unknown to net/http, so the
// span gets no http.response.status_code unless one was written before.
func ResponseHijackOnEnter(call api.CallContext, recv any) {
	if !ready.Load() {
		return
	}
	if recv == nil {
		return
	}
	if v, ok := inflight.Load(recv); ok {
		call.SetData(v)
	}
}

// ResponseHijackOnExit is the OnExit hook of (*response).Hijack.
func ResponseHijackOnExit(call api.CallContext, _ net.Conn, _ *bufio.ReadWriter, err error) {
	sc, _ := call.Data().(*serverCall)
	if sc == nil || err != nil {
		return
	}
	sc.hijacked.Store(true)
}

// routeOf returns the path part of a ServeMux pattern:
// "GET example.com/users/{id}" -> "/users/{id}".
func routeOf(pattern string) string {
	if pattern == "" {
		return ""
	}
	// [METHOD ][HOST]/[PATH]; method and the rest are separated by blanks.
	if i := strings.IndexAny(pattern, " \t"); i >= 0 {
		pattern = strings.TrimLeft(pattern[i:], " \t")
	}
	if i := strings.IndexByte(pattern, '/'); i >= 0 {
		return pattern[i:]
	}
	return ""
}

// ExcludedPathsVar names the request paths the server hooks leave alone,
// separated by commas: a path as it is (/healthz), or a prefix ending in *
// (/debug/*). Read once, at the first request.
const ExcludedPathsVar = "OTEL_GO_HTTP_SERVER_EXCLUDED_PATHS"

// excludedRequest is the data of a request the hooks leave alone: whether
// its OnEnter switched the hooks off (api.Suppress), for its OnExit.
type excludedRequest struct{ suppressed bool }

var excludedPaths = sync.OnceValue(func() []string { return splitPaths(os.Getenv(ExcludedPathsVar)) })

func splitPaths(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func excluded(path string) bool {
	return matchesPath(excludedPaths(), path)
}

func matchesPath(patterns []string, path string) bool {
	for _, p := range patterns {
		if prefix, ok := strings.CutSuffix(p, "*"); ok && strings.HasPrefix(path, prefix) || p == path {
			return true
		}
	}
	return false
}
