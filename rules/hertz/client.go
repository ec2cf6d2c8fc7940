package hertz

import (
	"context"
	"errors"
	"net"

	"github.com/cloudwego/hertz/pkg/app/client"
	"github.com/cloudwego/hertz/pkg/protocol"
	"go.opentelemetry.io/otel/attribute"
	semconv "otelgo.dev/rules/internal/semconv"

	"otelgo.dev/rules/internal/httpattrs"
)

// clientMiddleware makes the CLIENT span of one (*Client).Do.
func clientMiddleware(next client.Endpoint) client.Endpoint {
	return func(ctx context.Context, req *protocol.Request, resp *protocol.Response) error {
		cc := startClient(ctx, req)
		if cc == nil {
			return next(ctx, req, resp)
		}
		done := false
		defer func() {
			if !done {
				endClient(cc, resp, errPanic)
			}
		}()
		err := next(cc.Ctx, req, resp)
		done = true
		endClient(cc, resp, err)
		return err
	}
}

var errPanic = errors.New("panic")

func startClient(ctx context.Context, req *protocol.Request) (cc *httpattrs.Client) {
	defer func() {
		if recover() != nil {
			cc = nil
		}
	}()
	if req == nil {
		return nil
	}
	u := req.URI()
	scheme, hostport := string(u.Scheme()), string(u.Host())
	return httpattrs.StartClient(ctx, ScopeName, string(req.Method()), httpattrs.FullByteURL(u), hostport, scheme,
		httpattrs.ByteHeaders{H: &req.Header})
}

func endClient(cc *httpattrs.Client, resp *protocol.Response, err error) {
	defer func() { _ = recover() }()
	status, version := 0, ""
	if err == nil && resp != nil {
		status, version = resp.StatusCode(), httpattrs.ProtocolVersion(resp.Header.GetProtocol())
	}
	cc.End(status, version, err, errorType)
}

// errorType is the error.type of a failed call.
func errorType(err error) attribute.KeyValue {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return semconv.ErrorTypeKey.String("context.DeadlineExceeded")
	case errors.Is(err, context.Canceled):
		return semconv.ErrorTypeKey.String("context.Canceled")
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return semconv.ErrorTypeKey.String("timeout")
	}
	return semconv.ErrorType(err)
}
