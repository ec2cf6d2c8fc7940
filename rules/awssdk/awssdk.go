// Package awssdk holds the hook otelgo splices into the AWS SDK for Go v2
// (github.com/aws/aws-sdk-go-v2): every API call of every service client
// gets a span, named Service.Operation ("S3.PutObject",
// "DynamoDB.GetItem", "SQS.SendMessage") as the semantic conventions for
// the AWS SDK ask, with
//
//   - rpc.system.name "aws-api" and rpc.method "Service/Operation" (the RPC
//     conventions of semconv v1.39, where rpc.service was merged into
//     rpc.method), cloud.region, aws.request_id, http.response.status_code,
//     server.address and server.port;
//   - S3: aws.s3.bucket and aws.s3.key;
//   - DynamoDB: aws.dynamodb.table_names (TableName, or the tables of a
//     batch's RequestItems), and where the call has them .consistent_read,
//     .projection, .index_name, .select, .limit, .scan_forward, .segment,
//     .total_segments, and a Query's or Scan's .count and .scanned_count;
//   - SQS: the messaging conventions, messaging.system "aws_sqs",
//     aws.sqs.queue.url, messaging.destination.name (the queue's name),
//     messaging.operation.name (the operation) and .type (send for
//     SendMessage and SendMessageBatch, whose spans are PRODUCER spans;
//     receive; settle for DeleteMessage and DeleteMessageBatch),
//     messaging.message.id of a sent message, messaging.batch.message_count
//     of a batch sent or received;
//   - an error: the status Error with the message, error.type the API's
//     error code ("NoSuchKey", "ResourceNotFoundException") or the Go type.
//
// A span nests under the span of the context the call was given, else under
// the span current on the calling goroutine (otelgo.dev/rules/goroutine).
// The SDK's HTTP request is a net/http CLIENT span under it
// (otelgo.dev/rules/nethttp), which also carries the W3C headers.
//
// SQS carries no HTTP headers from sender to receiver: SendMessage and
// SendMessageBatch add the trace context of their PRODUCER span to each
// message's attributes (traceparent, and tracestate and baggage when set, as
// the configured propagator writes them; left out of a message that would
// exceed SQS's 10 attributes), on a copy of the program's input. A
// ReceiveMessage call asks for those attributes too (unless it asks for all)
// and removes them from what it returns unless the program asked for them;
// its span gets a link to the creation context of each message received
// that carries one: the receiving side continues the sender's trace through
// those links, as the messaging conventions do for a batch receive. The
// receive span's parent is the receiving side's own (a program processes
// the messages after ReceiveMessage returns, out of the SDK's sight).
//
// The hook is on smithy-go's middleware.DecorateHandler, which every
// service client's invokeOperation calls once per call with the
// operation's finished middleware stack (the program's own APIOptions
// applied): it adds three middlewares to that stack, so whichever way the
// client was made (config.LoadDefaultConfig, aws.Config literal, New with
// Options) it is traced. A stack that already has the official contrib
// instrumentation's middlewares (otelaws.AppendMiddlewares, the program
// traces the SDK itself) is left alone: no call gets two spans. Presign
// stacks, which send nothing, are left alone too. The SDK's own tracing
// (Options.TracerProvider, off by default) is not otelaws and would add its
// own spans.
//
// The contrib instrumentation is not installed instead: at the version for
// OpenTelemetry v1.41 (otelaws v0.65.0) it requires the dynamodb, sqs, sns
// and route53 service modules and aws-sdk-go-v2 v1.41.1 (joining a build
// would raise or add them), records no S3 attributes, gives an SQS queue's
// URL as server.address, and carries no trace context in SQS messages.
//
// The Version range is smithy-go's (the module of the hooked function); the
// module requires aws-sdk-go-v2 v1.24.1 and smithy-go v1.19.0, the versions
// the lowest tested program has. The rule is in awssdk.json beside this
// file. The hook is reached through //go:linkname, so its signature follows
// the convention of otelgo.dev/rules/api exactly.
package awssdk

import (
	"github.com/aws/smithy-go/middleware"

	"otelgo.dev/rules/api"
)

// ScopeName is the instrumentation scope of the spans.
const ScopeName = "otelgo.dev/rules/awssdk"

// The IDs of the middlewares this package adds, and of those of the
// official contrib instrumentation and of presigning.
const (
	spanID     = "otelgo.AWSSpan"
	requestID  = "otelgo.AWSRequest"
	responseID = "otelgo.AWSResponse"
	otelawsID  = "OTelInitializeMiddlewareAfter"
	presignID  = "PresignHTTPRequest"
)

// DecorateHandlerOnEnter is the OnEnter hook of
//
//	func DecorateHandler(h Handler, with ...Middleware) Handler
//
// in github.com/aws/smithy-go/middleware (middleware.go).
func DecorateHandlerOnEnter(_ api.CallContext, _ middleware.Handler, with []middleware.Middleware) {
	for _, m := range with {
		if stack, ok := m.(*middleware.Stack); ok && stack != nil {
			instrument(stack)
		}
	}
}

func instrument(stack *middleware.Stack) {
	if stack.Initialize == nil || stack.Finalize == nil || stack.Deserialize == nil {
		return
	}
	for _, id := range []string{spanID, otelawsID} {
		if _, ok := stack.Initialize.Get(id); ok {
			return
		}
	}
	if _, ok := stack.Finalize.Get(presignID); ok {
		return
	}
	if stack.Initialize.Add(spanMiddleware{}, middleware.After) != nil {
		return
	}
	_ = stack.Finalize.Add(requestMiddleware{}, middleware.After)
	_ = stack.Deserialize.Add(responseMiddleware{}, middleware.Before)
}
