package awssdk

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	semconv "otelgo.dev/rules/internal/semconv"

	"otelgo.dev/rules/goroutine"
	"otelgo.dev/rules/internal/telemetry"
)

// awsAPI is the value of rpc.system.name for AWS SDK calls.
const awsAPI = "aws-api"

// spanMiddleware starts and ends the call's span, around everything after
// the operation's input validation (the Initialize step, last).
type spanMiddleware struct{}

func (spanMiddleware) ID() string { return spanID }

func (spanMiddleware) HandleInitialize(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (
	out middleware.InitializeOutput, metadata middleware.Metadata, err error,
) {
	service, operation := awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx)
	if service == "" || operation == "" {
		return next.HandleInitialize(ctx, in)
	}
	call, ok := startCall(ctx, service, operation, in.Parameters)
	if !ok {
		return next.HandleInitialize(ctx, in)
	}
	defer call.end()
	in.Parameters = call.input
	out, metadata, err = next.HandleInitialize(call.ctx, in)
	call.finish(out.Result, metadata, err)
	return out, metadata, err
}

// call is one traced AWS API call.
type call struct {
	ctx     context.Context
	span    trace.Span
	service string
	op      string
	input   any
	sqs     *sqsCall
}

func startCall(ctx context.Context, service, operation string, input any) (c *call, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			c, ok = nil, false
		}
	}()
	c = &call{service: service, op: operation, input: input}
	attrs := []attribute.KeyValue{
		semconv.RPCSystemNameKey.String(awsAPI),
		semconv.RPCMethod(service + "/" + operation),
	}
	if region := awsmiddleware.GetRegion(ctx); region != "" {
		attrs = append(attrs, semconv.CloudRegion(region))
	}
	kind := trace.SpanKindClient
	switch service {
	case "S3":
		attrs = append(attrs, s3Attributes(input)...)
	case "DynamoDB":
		attrs = append(attrs, dynamoDBAttributes(input)...)
	case "SQS":
		c.sqs = newSQSCall(operation, input)
		attrs = append(attrs, c.sqs.attrs...)
		kind = c.sqs.kind
	}
	c.ctx, c.span = telemetry.Tracer(ScopeName).Start(goroutine.Context(ctx), service+"."+operation,
		trace.WithSpanKind(kind), trace.WithAttributes(attrs...))
	if c.sqs != nil {
		c.input = c.sqs.prepare(c.ctx, input)
	}
	return c, true
}

// finish records what the call returned on its span.
func (c *call) finish(result any, metadata middleware.Metadata, err error) {
	defer func() { _ = recover() }()
	if id, ok := awsmiddleware.GetRequestIDMetadata(metadata); ok && id != "" {
		c.span.SetAttributes(semconv.AWSRequestID(id))
	}
	if c.sqs != nil && err == nil {
		c.sqs.finish(c.span, result)
	}
	if c.service == "DynamoDB" && err == nil {
		c.span.SetAttributes(dynamoDBResultAttributes(result)...)
	}
	if err != nil {
		c.span.SetAttributes(semconv.ErrorTypeKey.String(errorType(err)))
		c.span.SetStatus(codes.Error, err.Error())
	}
}

func (c *call) end() { c.span.End() }

// errorType is the API's error code, else the error's Go type.
func errorType(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() != "" {
		return apiErr.ErrorCode()
	}
	var opErr *smithy.OperationError
	if errors.As(err, &opErr) && opErr.Err != nil {
		err = opErr.Err
	}
	return fmt.Sprintf("%T", err)
}

// requestMiddleware records the endpoint the request goes to, once it is
// resolved (the Finalize step, last: after retries are set up, once per
// attempt).
type requestMiddleware struct{}

func (requestMiddleware) ID() string { return requestID }

func (requestMiddleware) HandleFinalize(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (
	middleware.FinalizeOutput, middleware.Metadata, error,
) {
	if req, ok := in.Request.(*smithyhttp.Request); ok && req.URL != nil {
		span := trace.SpanFromContext(ctx)
		if span.IsRecording() {
			host, port := req.URL.Hostname(), req.URL.Port()
			attrs := []attribute.KeyValue{semconv.ServerAddress(host)}
			if p, err := strconv.Atoi(port); err == nil {
				attrs = append(attrs, semconv.ServerPort(p))
			} else if port == "" && req.URL.Scheme == "https" {
				attrs = append(attrs, semconv.ServerPort(443))
			} else if port == "" && req.URL.Scheme == "http" {
				attrs = append(attrs, semconv.ServerPort(80))
			}
			span.SetAttributes(attrs...)
		}
	}
	return next.HandleFinalize(ctx, in)
}

// responseMiddleware records the HTTP status of the response (the
// Deserialize step, first: it sees the raw response of the last attempt).
type responseMiddleware struct{}

func (responseMiddleware) ID() string { return responseID }

func (responseMiddleware) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (
	out middleware.DeserializeOutput, metadata middleware.Metadata, err error,
) {
	out, metadata, err = next.HandleDeserialize(ctx, in)
	if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && resp != nil && resp.Response != nil {
		trace.SpanFromContext(ctx).SetAttributes(semconv.HTTPResponseStatusCode(resp.StatusCode))
	}
	return out, metadata, err
}
