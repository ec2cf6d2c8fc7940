// Package langchaingo holds the hooks otelgo splices into
// github.com/tmc/langchaingo: its OpenAI LLM (llms/openai) talks to the
// OpenAI API with a client of its own (llms/openai/internal/openaiclient,
// not openai-go nor go-openai), whose HTTP client (a Doer) the hook wraps
// when openaiclient.New makes it, so that each chat completion (streamed or
// not) and embeddings request is a CLIENT span with the gen_ai.client.*
// metrics of the GenAI semantic conventions
// (otelgo.dev/rules/internal/genaihttp reads the request's and the
// response's JSON), above the request's net/http CLIENT span, as for the
// SDKs. langchaingo's other LLMs (anthropic, googleai, ollama...) and its
// chains and agents (which the conventions would make invoke_agent or
// execute_tool spans) are not traced.
//
// gen_ai.provider.name is "openai", "azure.ai.openai" for the AZURE and
// AZURE_AD API types. Message contents are recorded only with
// OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true.
//
// The rules are in langchaingo.json beside this file.
package langchaingo

import (
	"net/http"
	"reflect"

	// The package whose client is hooked (it is in every program the rule
	// applies to): this module then requires langchaingo.
	_ "github.com/tmc/langchaingo/llms/openai"
	semconv "otelgo.dev/rules/internal/semconv"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/genaihttp"
)

// ScopeName is the instrumentation scope of the spans and metrics made here.
const ScopeName = "otelgo.dev/rules/langchaingo"

var (
	openAIClient = genaihttp.New(ScopeName, semconv.GenAIProviderNameOpenAI, genaihttp.OpenAI)
	azureClient  = genaihttp.New(ScopeName, semconv.GenAIProviderNameAzureAIOpenAI, genaihttp.OpenAI)
)

type doer interface {
	Do(*http.Request) (*http.Response, error)
}

// tracing is the Doer the client gets: it traces, then sends with the
// program's Doer (http.DefaultClient when it gave none).
type tracing struct {
	client *genaihttp.Client
	inner  doer
}

func (t *tracing) Do(req *http.Request) (*http.Response, error) {
	return t.client.Do(req, t.inner.Do)
}

// NewOnEnter is the OnEnter hook of
//
//	func New(token string, model string, baseURL string, organization string,
//		apiType APIType, apiVersion string, httpClient Doer, embeddingModel string,
//		responseFormat *ResponseFormat, opts ...Option) (*Client, error)
//
// in langchaingo's llms/openai/internal/openaiclient (openaiclient.go); the
// types of an internal package are any here.
func NewOnEnter(call api.CallContext, _, _, _, _ string, apiType any, _ string, httpClient any, _ string, _ any, _ any) {
	c := openAIClient
	if v := reflect.ValueOf(apiType); v.Kind() == reflect.String {
		switch v.String() {
		case "AZURE", "AZURE_AD":
			c = azureClient
		}
	}
	var inner doer = http.DefaultClient
	switch d := httpClient.(type) {
	case *tracing:
		return // traced already
	case doer:
		if v := reflect.ValueOf(d); !(v.Kind() == reflect.Pointer && v.IsNil()) {
			inner = d
		}
	}
	call.SetParam(6, &tracing{client: c, inner: inner})
}
