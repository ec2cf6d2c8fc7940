// Package anthropic holds the hooks otelgo splices into github.com/anthropics/anthropic-sdk-go
// (anthropic-sdk-go v1): every client made by NewClient gets a middleware
// (option.WithMiddleware) that traces each Messages API request
// (POST /v1/messages) with a CLIENT span "chat {model}" and the
// gen_ai.client.* metrics of the GenAI semantic conventions
// (otelgo.dev/rules/internal/genaihttp reads the request's and the
// response's JSON). The span is the parent of the request's net/http
// CLIENT span; a streamed response's span ends with its message_stop event
// (or when the stream is closed), with the usage of its message_start and
// message_delta events. gen_ai.usage.input_tokens counts the cached input
// tokens too (cache_creation_input_tokens, cache_read_input_tokens), as the
// conventions ask. The middleware runs once per attempt, so a request the
// SDK retries has one span per attempt.
//
// Versions since v1.81.0 make an OpenTelemetry span of their own for each
// API call ("anthropic.messages.create", scope com.anthropic.sdk.go, with the
// GenAI attributes), on unless ANTHROPIC_OPEN_TELEMETRY=false or
// option.WithoutOpenTelemetry: inside such a span the middleware makes no
// second span and only records the gen_ai.client.* metrics, which the SDK
// does not.
//
// Message contents are recorded only with
// OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true. Requests through
// Amazon Bedrock or Vertex AI (other paths), token counting and the batch
// API are not traced.
//
// The rules are in anthropic.json beside this file.
package anthropic

import (
	"github.com/anthropics/anthropic-sdk-go/option"
	semconv "otelgo.dev/rules/internal/semconv"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/genaihttp"
)

// ScopeName is the instrumentation scope of the spans and metrics made here.
const ScopeName = "otelgo.dev/rules/anthropic"

// sdkScope is the instrumentation scope of the spans the SDK makes itself
// (since v1.81.0).
const sdkScope = "com.anthropic.sdk.go"

var client = genaihttp.New(ScopeName, semconv.GenAIProviderNameAnthropic, genaihttp.Anthropic).StandingAsideFor(sdkScope)

// NewClientOnEnter is the OnEnter hook of
//
//	func NewClient(opts ...option.RequestOption) (r Client)
//
// in github.com/anthropics/anthropic-sdk-go (client.go). It appends the tracing middleware to a
// copy of the options: the SDK runs the middlewares in the order given, so
// those of the program run first, around it.
func NewClientOnEnter(call api.CallContext, opts []option.RequestOption) {
	call.SetParam(0, append(opts[:len(opts):len(opts)], option.WithMiddleware(client.Do)))
}
