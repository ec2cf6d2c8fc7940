// Package goopenai holds the hooks otelgo splices into
// github.com/sashabaranov/go-openai: every client made by
// NewClientWithConfig (and so by NewClient, NewOrgClient) sends its requests
// through an HTTP client whose transport traces each chat completion,
// legacy completion and embeddings request with a CLIENT span and the
// gen_ai.client.* metrics of the GenAI semantic conventions
// (otelgo.dev/rules/internal/genaihttp reads the request's and the
// response's JSON). The span is the parent of the request's net/http CLIENT
// span; a streamed response's span ends with the stream's "[DONE]" event
// (or when the stream is closed), with the usage the stream reported
// (StreamOptions.IncludeUsage, on the versions that have it).
//
// ClientConfig.HTTPClient is an *http.Client up to v1.31 and an HTTPDoer
// since: the hook sets a copy of the program's *http.Client with a tracing
// Transport, or wraps the program's own HTTPDoer; the program's
// ClientConfig is not changed.
//
// gen_ai.provider.name follows ClientConfig.APIType: "openai",
// "azure.ai.openai" (AZURE, AZURE_AD, CLOUDFLARE_AZURE) or "anthropic"
// (Anthropic's OpenAI-compatible API). Message contents are recorded only
// with OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true. Audio,
// image, assistant and file requests are not traced.
//
// The rules are in goopenai.json beside this file.
package goopenai

import (
	"net/http"
	"reflect"

	openai "github.com/sashabaranov/go-openai"
	semconv "otelgo.dev/rules/internal/semconv"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/genaihttp"
)

// ScopeName is the instrumentation scope of the spans and metrics made here.
const ScopeName = "otelgo.dev/rules/goopenai"

var (
	openAIClient    = genaihttp.New(ScopeName, semconv.GenAIProviderNameOpenAI, genaihttp.OpenAI)
	azureClient     = genaihttp.New(ScopeName, semconv.GenAIProviderNameAzureAIOpenAI, genaihttp.OpenAI)
	anthropicClient = genaihttp.New(ScopeName, semconv.GenAIProviderNameAnthropic, genaihttp.OpenAI)
)

// clientFor returns the tracing client of an APIType.
func clientFor(apiType string) *genaihttp.Client {
	switch apiType {
	case "AZURE", "AZURE_AD", "CLOUDFLARE_AZURE":
		return azureClient
	case "ANTHROPIC":
		return anthropicClient
	}
	return openAIClient
}

// doer wraps a program's HTTPDoer.
type doer struct {
	client *genaihttp.Client
	inner  interface {
		Do(*http.Request) (*http.Response, error)
	}
}

func (d *doer) Do(req *http.Request) (*http.Response, error) {
	return d.client.Do(req, d.inner.Do)
}

// NewClientWithConfigOnEnter is the OnEnter hook of
//
//	func NewClientWithConfig(config ClientConfig) *Client
//
// in go-openai (client.go). The config is passed by value: its HTTPClient
// is replaced in the copy the function gets.
func NewClientWithConfigOnEnter(call api.CallContext, config openai.ClientConfig) {
	c := clientFor(string(config.APIType))
	field := reflect.ValueOf(&config).Elem().FieldByName("HTTPClient")
	if !field.IsValid() || !field.CanSet() {
		return
	}
	var traced any
	switch hc := field.Interface().(type) {
	case nil:
		traced = c.HTTPClient(nil)
	case *http.Client:
		traced = c.HTTPClient(hc)
	case *doer:
		return // traced already
	case interface {
		Do(*http.Request) (*http.Response, error)
	}:
		traced = &doer{client: c, inner: hc}
	default:
		return
	}
	v := reflect.ValueOf(traced)
	if !v.Type().AssignableTo(field.Type()) {
		return
	}
	field.Set(v)
	call.SetParam(0, config)
}
