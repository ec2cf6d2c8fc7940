package hertz

import (
	"context"
	"errors"
	"net"
	"strconv"
	"time"

	"github.com/cloudwego/hertz/pkg/app/client"
	"github.com/cloudwego/hertz/pkg/protocol"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.39.0"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/goroutine"
	"otelgo.dev/rules/internal/httpattrs"
	"otelgo.dev/rules/internal/telemetry"
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
				cc.end(resp, errPanic)
			}
		}()
		err := next(cc.ctx, req, resp)
		done = true
		cc.end(resp, err)
		return err
	}
}

var errPanic = errors.New("panic")

type clientCall struct {
	span  trace.Span
	ctx   context.Context
	start time.Time
	attrs []attribute.KeyValue // http.client.request.duration's, known at the start
}

func startClient(ctx context.Context, req *protocol.Request) (cc *clientCall) {
	defer func() {
		if recover() != nil {
			cc = nil
		}
	}()
	if req == nil {
		return nil
	}
	start := time.Now()
	u := req.URI()
	scheme, hostport := string(u.Scheme()), string(u.Host())
	attrs := make([]attribute.KeyValue, 0, 8)
	attrs, name := httpattrs.MethodAttrs(attrs, string(req.Method()))
	attrs = append(attrs, semconv.URLFull(httpattrs.FullURL(scheme, hostport, string(u.PathOriginal()), string(u.QueryString()),
		len(u.Username()) > 0 || len(u.Password()) > 0)))
	attrs = httpattrs.ServerAddress(attrs, hostport, scheme)
	spanCtx, span := telemetry.Tracer(ScopeName).Start(goroutine.Context(ctx), name,
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attrs...))
	otel.GetTextMapPropagator().Inject(spanCtx, headerCarrier{&req.Header})
	kv, _, _ := httpattrs.Method(string(req.Method()))
	metricAttrs := httpattrs.ServerAddress([]attribute.KeyValue{kv}, hostport, scheme)
	if scheme != "" {
		metricAttrs = append(metricAttrs, semconv.URLScheme(scheme))
	}
	return &clientCall{span: span, ctx: spanCtx, start: start, attrs: metricAttrs}
}

func (cc *clientCall) end(resp *protocol.Response, err error) {
	defer func() { _ = recover() }()
	var outcome []attribute.KeyValue
	switch {
	case err != nil:
		outcome = append(outcome, errorType(err))
		cc.span.SetStatus(codes.Error, err.Error())
	case resp != nil:
		status := resp.StatusCode()
		outcome = append(outcome, semconv.HTTPResponseStatusCode(status))
		if v := httpattrs.ProtocolVersion(resp.Header.GetProtocol()); v != "" {
			outcome = append(outcome, semconv.NetworkProtocolVersion(v))
		}
		if status >= 400 {
			outcome = append(outcome, semconv.ErrorTypeKey.String(strconv.Itoa(status)))
			cc.span.SetStatus(codes.Error, "")
		}
	}
	cc.span.SetAttributes(outcome...)
	cc.span.End()
	attrs := append(cc.attrs[:len(cc.attrs):len(cc.attrs)], outcome...)
	httpattrs.Instruments(ScopeName).Client.RecordSet(cc.ctx, httpattrs.Seconds(cc.start), attribute.NewSet(attrs...))
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
