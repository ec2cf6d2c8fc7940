// Package genai holds the hooks otelgo splices into google.golang.org/genai,
// the Google Gen AI SDK: every client made by NewClient sends its requests
// through an HTTP client whose transport traces each generateContent and
// streamGenerateContent request ("generate_content {model}") and each
// embedContent/batchEmbedContents request ("embeddings {model}") with a
// CLIENT span and the gen_ai.client.* metrics of the GenAI semantic
// conventions (otelgo.dev/rules/internal/genaihttp reads the request's and
// the response's JSON). The span is the parent of the request's net/http
// CLIENT span; a streamed response's span ends at the stream's end, with
// the usage of its last chunk. gen_ai.usage.output_tokens counts the
// thinking tokens too (candidatesTokenCount + thoughtsTokenCount). The
// transport sees each attempt: a request the SDK retries (HTTPOptions'
// retry options) has one span per attempt.
//
// NewClient settles the HTTP client (the program's ClientConfig.HTTPClient,
// or one it makes, with the credentials for Vertex AI) and keeps the
// ClientConfig it was given: when NewClient returns, the hook sets that
// ClientConfig's HTTPClient to a copy of it with a tracing Transport (the
// program's http.Client itself is not changed). Client.ClientConfig()
// still returns the client before the copy.
//
// gen_ai.provider.name is "gcp.gemini" for the Gemini API and
// "gcp.vertex_ai" for Vertex AI. Message contents are recorded only with
// OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true. The Live
// (WebSocket) API, the Interactions API, files, caches and tunings are not
// traced.
//
// The rules are in genai.json beside this file.
package genai

import (
	"context"

	"google.golang.org/genai"
	semconv "otelgo.dev/rules/internal/semconv"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/genaihttp"
)

// ScopeName is the instrumentation scope of the spans and metrics made here.
const ScopeName = "otelgo.dev/rules/genai"

var (
	gemini   = genaihttp.New(ScopeName, semconv.GenAIProviderNameGCPGemini, genaihttp.Gemini)
	vertexAI = genaihttp.New(ScopeName, semconv.GenAIProviderNameGCPVertexAI, genaihttp.Gemini)
)

// NewClientOnEnter is the OnEnter hook of
//
//	func NewClient(ctx context.Context, cc *ClientConfig) (*Client, error)
//
// in genai (client.go). A nil config becomes an empty one (what NewClient
// does itself), so that the hook on its exit finds the config the client
// keeps.
func NewClientOnEnter(call api.CallContext, _ context.Context, cc *genai.ClientConfig) {
	if cc == nil {
		cc = &genai.ClientConfig{}
		call.SetParam(1, cc)
	}
	call.SetData(cc)
}

// NewClientOnExit is the OnExit hook of NewClient: the client's HTTP client
// gets a tracing Transport.
func NewClientOnExit(call api.CallContext, c *genai.Client, err error) {
	cc, _ := call.Data().(*genai.ClientConfig)
	if cc == nil || err != nil || c == nil || cc.HTTPClient == nil {
		return
	}
	t := gemini
	if cc.Backend == genai.BackendVertexAI {
		t = vertexAI
	}
	cc.HTTPClient = t.HTTPClient(cc.HTTPClient)
}
