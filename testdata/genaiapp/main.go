// genaiapp calls model providers through their Go SDKs, one route per
// call: openai-go (v1, v2, v3), go-openai, anthropic-sdk-go (v1, v2) and
// the Google Gen AI SDK, against the provider API at LLM_URL (in the tests,
// testdata/genaiserver, a recorded stand-in). It has no OpenTelemetry code:
// otelgo adds it. ADDR is where it listens.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"

	anthropic "github.com/anthropics/anthropic-sdk-go"
	anthropicopt "github.com/anthropics/anthropic-sdk-go/option"
	anthropic2 "github.com/anthropics/anthropic-sdk-go/v2"
	anthropic2opt "github.com/anthropics/anthropic-sdk-go/v2/option"
	openai1 "github.com/openai/openai-go"
	openai1opt "github.com/openai/openai-go/option"
	openai2 "github.com/openai/openai-go/v2"
	openai2opt "github.com/openai/openai-go/v2/option"
	openai "github.com/openai/openai-go/v3"
	openaiopt "github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	goopenai "github.com/sashabaranov/go-openai"
	"google.golang.org/genai"
)

const missing = "missing-model"

var llm = os.Getenv("LLM_URL")

type route func(ctx context.Context) (string, error)

func main() {
	routes := map[string]route{}
	openAIRoutes(routes)
	goOpenAIRoutes(routes)
	anthropicRoutes(routes)
	genaiRoutes(routes)

	mux := http.NewServeMux()
	for path, fn := range routes {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			out, err := fn(r.Context())
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			fmt.Fprintln(w, out)
		})
	}
	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	log.Printf("listening on %s", addr)
	log.Fatal(http.ListenAndServe(addr, mux))
}

// openAIRoutes: openai-go v3, and the chat routes of v1 and v2.
func openAIRoutes(routes map[string]route) {
	client := openai.NewClient(openaiopt.WithBaseURL(llm+"/v1/"), openaiopt.WithAPIKey("sk-test"), openaiopt.WithMaxRetries(0))
	chat := func(model string) openai.ChatCompletionNewParams {
		return openai.ChatCompletionNewParams{
			Model:       model,
			Messages:    []openai.ChatCompletionMessageParamUnion{openai.SystemMessage("You are terse."), openai.UserMessage("Say hello.")},
			Temperature: openai.Float(0.2),
			MaxTokens:   openai.Int(64),
			Seed:        openai.Int(7),
		}
	}
	routes["/openai/chat"] = func(ctx context.Context) (string, error) {
		resp, err := client.Chat.Completions.New(ctx, chat("gpt-4o-mini"))
		if err != nil {
			return "", err
		}
		return resp.Choices[0].Message.Content, nil
	}
	routes["/openai/stream"] = func(ctx context.Context) (string, error) {
		params := chat("gpt-4o-mini")
		params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
		stream := client.Chat.Completions.NewStreaming(ctx, params)
		text := ""
		for stream.Next() {
			if c := stream.Current(); len(c.Choices) > 0 {
				text += c.Choices[0].Delta.Content
			}
		}
		return text, stream.Err()
	}
	routes["/openai/embeddings"] = func(ctx context.Context) (string, error) {
		resp, err := client.Embeddings.New(ctx, openai.EmbeddingNewParams{
			Model: "text-embedding-3-small",
			Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("The food was delicious.")},
		})
		if err != nil {
			return "", err
		}
		return fmt.Sprint(len(resp.Data[0].Embedding)), nil
	}
	respond := responses.ResponseNewParams{
		Model:           "gpt-4o-mini",
		Instructions:    openai.String("You are terse."),
		Input:           responses.ResponseNewParamsInputUnion{OfString: openai.String("Say hello.")},
		MaxOutputTokens: openai.Int(64),
	}
	routes["/openai/responses"] = func(ctx context.Context) (string, error) {
		resp, err := client.Responses.New(ctx, respond)
		if err != nil {
			return "", err
		}
		return resp.OutputText(), nil
	}
	routes["/openai/responses-stream"] = func(ctx context.Context) (string, error) {
		stream := client.Responses.NewStreaming(ctx, respond)
		text := ""
		for stream.Next() {
			if ev := stream.Current(); ev.Type == "response.output_text.delta" {
				text += ev.Delta
			}
		}
		return text, stream.Err()
	}
	routes["/openai/error"] = func(ctx context.Context) (string, error) {
		_, err := client.Chat.Completions.New(ctx, chat(missing))
		return "", err
	}

	v1 := openai1.NewClient(openai1opt.WithBaseURL(llm+"/v1/"), openai1opt.WithAPIKey("sk-test"), openai1opt.WithMaxRetries(0))
	routes["/openaiv1/chat"] = func(ctx context.Context) (string, error) {
		resp, err := v1.Chat.Completions.New(ctx, openai1.ChatCompletionNewParams{
			Model:    "gpt-4o-mini",
			Messages: []openai1.ChatCompletionMessageParamUnion{openai1.UserMessage("Say hello.")},
		})
		if err != nil {
			return "", err
		}
		return resp.Choices[0].Message.Content, nil
	}
	v2 := openai2.NewClient(openai2opt.WithBaseURL(llm+"/v1/"), openai2opt.WithAPIKey("sk-test"), openai2opt.WithMaxRetries(0))
	routes["/openaiv2/stream"] = func(ctx context.Context) (string, error) {
		stream := v2.Chat.Completions.NewStreaming(ctx, openai2.ChatCompletionNewParams{
			Model:         "gpt-4o-mini",
			Messages:      []openai2.ChatCompletionMessageParamUnion{openai2.UserMessage("Say hello.")},
			StreamOptions: openai2.ChatCompletionStreamOptionsParam{IncludeUsage: openai2.Bool(true)},
		})
		text := ""
		for stream.Next() {
			if c := stream.Current(); len(c.Choices) > 0 {
				text += c.Choices[0].Delta.Content
			}
		}
		return text, stream.Err()
	}
}

// goOpenAIRoutes: sashabaranov/go-openai.
func goOpenAIRoutes(routes map[string]route) {
	config := goopenai.DefaultConfig("sk-test")
	config.BaseURL = llm + "/v1"
	client := goopenai.NewClientWithConfig(config)
	chat := func(model string) goopenai.ChatCompletionRequest {
		return goopenai.ChatCompletionRequest{
			Model:       model,
			Messages:    []goopenai.ChatCompletionMessage{{Role: goopenai.ChatMessageRoleUser, Content: "Say hello."}},
			MaxTokens:   64,
			Temperature: 0.5,
		}
	}
	routes["/goopenai/chat"] = func(ctx context.Context) (string, error) {
		resp, err := client.CreateChatCompletion(ctx, chat("gpt-4o-mini"))
		if err != nil {
			return "", err
		}
		return resp.Choices[0].Message.Content, nil
	}
	routes["/goopenai/stream"] = func(ctx context.Context) (string, error) {
		req := chat("gpt-4o-mini")
		req.Stream = true
		stream, err := client.CreateChatCompletionStream(ctx, req)
		if err != nil {
			return "", err
		}
		defer stream.Close()
		text := ""
		for {
			resp, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				return text, nil
			}
			if err != nil {
				return text, err
			}
			if len(resp.Choices) > 0 {
				text += resp.Choices[0].Delta.Content
			}
		}
	}
	routes["/goopenai/embeddings"] = func(ctx context.Context) (string, error) {
		resp, err := client.CreateEmbeddings(ctx, goopenai.EmbeddingRequest{
			Input: []string{"The food was delicious."},
			Model: goopenai.EmbeddingModel("text-embedding-3-small"),
		})
		if err != nil {
			return "", err
		}
		return fmt.Sprint(len(resp.Data[0].Embedding)), nil
	}
	routes["/goopenai/error"] = func(ctx context.Context) (string, error) {
		_, err := client.CreateChatCompletion(ctx, chat(missing))
		return "", err
	}
}

// anthropicRoutes: anthropic-sdk-go v1, and v2's stream.
func anthropicRoutes(routes map[string]route) {
	client := anthropic.NewClient(anthropicopt.WithBaseURL(llm), anthropicopt.WithAPIKey("sk-ant-test"), anthropicopt.WithMaxRetries(0))
	params := func(model string) anthropic.MessageNewParams {
		return anthropic.MessageNewParams{
			Model:       model,
			MaxTokens:   256,
			Temperature: anthropic.Float(0.3),
			TopK:        anthropic.Int(40),
			System:      []anthropic.TextBlockParam{{Text: "You are terse."}},
			Messages:    []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Say hello."))},
		}
	}
	routes["/anthropic/chat"] = func(ctx context.Context) (string, error) {
		msg, err := client.Messages.New(ctx, params("claude-sonnet-4-20250514"))
		if err != nil {
			return "", err
		}
		return msg.Content[0].Text, nil
	}
	routes["/anthropic/stream"] = func(ctx context.Context) (string, error) {
		stream := client.Messages.NewStreaming(ctx, params("claude-sonnet-4-20250514"))
		text := ""
		for stream.Next() {
			if ev := stream.Current(); ev.Type == "content_block_delta" {
				text += ev.Delta.Text
			}
		}
		return text, stream.Err()
	}
	routes["/anthropic/error"] = func(ctx context.Context) (string, error) {
		_, err := client.Messages.New(ctx, params(missing))
		return "", err
	}

	// v2 traces itself unless told not to: here it is, and otelgo traces it.
	v2 := anthropic2.NewClient(anthropic2opt.WithBaseURL(llm), anthropic2opt.WithAPIKey("sk-ant-test"), anthropic2opt.WithMaxRetries(0),
		anthropic2opt.WithoutOpenTelemetry())
	routes["/anthropicv2/chat"] = func(ctx context.Context) (string, error) {
		msg, err := v2.Messages.New(ctx, anthropic2.MessageNewParams{
			Model:     "claude-sonnet-4-20250514",
			MaxTokens: 256,
			Messages:  []anthropic2.MessageParam{anthropic2.NewUserMessage(anthropic2.NewTextBlock("Say hello."))},
		})
		if err != nil {
			return "", err
		}
		return msg.Content[0].Text, nil
	}
}

// genaiRoutes: google.golang.org/genai on the Gemini API.
func genaiRoutes(routes map[string]route) {
	client, err := genai.NewClient(context.Background(), &genai.ClientConfig{
		APIKey:      "gemini-test",
		Backend:     genai.BackendGeminiAPI,
		HTTPOptions: genai.HTTPOptions{BaseURL: llm + "/"},
	})
	if err != nil {
		log.Fatal(err)
	}
	temperature := float32(0.4)
	config := &genai.GenerateContentConfig{Temperature: &temperature, MaxOutputTokens: 128}
	routes["/genai/generate"] = func(ctx context.Context) (string, error) {
		resp, err := client.Models.GenerateContent(ctx, "gemini-2.0-flash", genai.Text("Say hello."), config)
		if err != nil {
			return "", err
		}
		return resp.Text(), nil
	}
	routes["/genai/stream"] = func(ctx context.Context) (string, error) {
		text := ""
		for resp, err := range client.Models.GenerateContentStream(ctx, "gemini-2.0-flash", genai.Text("Say hello."), config) {
			if err != nil {
				return text, err
			}
			text += resp.Text()
		}
		return text, nil
	}
	routes["/genai/embed"] = func(ctx context.Context) (string, error) {
		resp, err := client.Models.EmbedContent(ctx, "text-embedding-004", genai.Text("The food was delicious."), nil)
		if err != nil {
			return "", err
		}
		return fmt.Sprint(len(resp.Embeddings[0].Values)), nil
	}
	routes["/genai/error"] = func(ctx context.Context) (string, error) {
		_, err := client.Models.GenerateContent(ctx, missing, genai.Text("Say hello."), config)
		return "", err
	}
}
