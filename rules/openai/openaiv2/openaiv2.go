// Package openaiv2 holds the hooks otelgo splices into github.com/openai/openai-go/v2
// (openai-go v2): every client made by NewClient gets a middleware
// (option.WithMiddleware) that traces each chat completion, Responses API
// request ("chat" too, with instructions, max_output_tokens, the output
// items, the status as finish reason), legacy completion and embeddings
// request with a CLIENT span and the
// gen_ai.client.* metrics of the GenAI semantic conventions
// (otelgo.dev/rules/internal/genaihttp reads the request's and the
// response's JSON). The span is the parent of the request's net/http
// CLIENT span; a streamed response's span ends with the stream's last
// event (or when the stream is closed), with the usage the stream reported
// (stream_options.include_usage). The middleware runs once per attempt, so
// a request the SDK retries has one span per attempt.
//
// gen_ai.provider.name is "openai", "azure.ai.openai" for an Azure OpenAI
// endpoint (*.openai.azure.com). Message contents are recorded only with
// OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true. The Assistants,
// Realtime, audio and image APIs are not traced yet.
//
// The rules are in openaiv2.json beside this file.
package openaiv2

import (
	"github.com/openai/openai-go/v2/option"
	semconv "otelgo.dev/rules/internal/semconv"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/genaihttp"
)

// ScopeName is the instrumentation scope of the spans and metrics made here.
const ScopeName = "otelgo.dev/rules/openai/openaiv2"

var client = genaihttp.New(ScopeName, semconv.GenAIProviderNameOpenAI, genaihttp.OpenAI)

// NewClientOnEnter is the OnEnter hook of
//
//	func NewClient(opts ...option.RequestOption) (r Client)
//
// in github.com/openai/openai-go/v2 (client.go). It appends the tracing middleware to a
// copy of the options: the SDK runs the middlewares in the order given, so
// those of the program run first, around it.
func NewClientOnEnter(call api.CallContext, opts []option.RequestOption) {
	call.SetParam(0, append(opts[:len(opts):len(opts)], option.WithMiddleware(client.Do)))
}
