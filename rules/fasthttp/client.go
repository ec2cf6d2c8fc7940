package fasthttp

import (
	"context"

	"github.com/valyala/fasthttp"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/httpattrs"
)

// clientCall is the state of one request sent, from ClientOnEnter to
// ClientOnExit.
type clientCall struct {
	*httpattrs.Client
	resp *fasthttp.Response
}

// ClientOnEnter is the OnEnter hook of
//
//	func (c *HostClient) doNonNilReqResp(req *Request, resp *Response) (bool, error)
//
// in fasthttp (client.go), where every attempt of a request sent through a
// HostClient (and so through a Client) is written and its response read.
// It starts the CLIENT span under the goroutine's current span and
// injects its context into the request's headers.
func ClientOnEnter(call api.CallContext, c *fasthttp.HostClient, req *fasthttp.Request, resp *fasthttp.Response) {
	if req == nil || resp == nil {
		return // fasthttp panics
	}
	u := req.URI()
	hostport := string(u.Host())
	if hostport == "" && c != nil {
		hostport = c.Addr
	}
	cc := httpattrs.StartClient(context.Background(), ScopeName, string(req.Header.Method()), httpattrs.FullByteURL(u), hostport, string(u.Scheme()),
		httpattrs.ByteHeaders{H: &req.Header})
	call.SetData(&clientCall{Client: cc, resp: resp})
}

// ClientOnExit is the OnExit hook of (*HostClient).doNonNilReqResp: the
// response's headers are in (or the attempt failed).
func ClientOnExit(call api.CallContext, _ bool, err error) {
	c, _ := call.Data().(*clientCall)
	if c == nil {
		return
	}
	status, version := 0, ""
	if err == nil {
		status, version = c.resp.StatusCode(), httpattrs.ProtocolVersion(string(c.resp.Header.Protocol()))
	}
	c.End(status, version, err, errorType)
}
