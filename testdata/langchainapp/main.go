// langchainapp calls the OpenAI API at LLM_URL through LangChainGo's OpenAI
// LLM (github.com/tmc/langchaingo/llms/openai), one route per call: a chat,
// a streamed chat and embeddings (in the tests, LLM_URL is
// testdata/genaiserver, a recorded stand-in). It has no OpenTelemetry code:
// otelgo adds it. ADDR is where it listens.
package main

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/openai"
)

func main() {
	llm, err := openai.New(
		openai.WithBaseURL(os.Getenv("LLM_URL")+"/v1"),
		openai.WithToken("sk-test"),
		openai.WithModel("gpt-4o-mini"),
		openai.WithEmbeddingModel("text-embedding-3-small"),
	)
	if err != nil {
		log.Fatal(err)
	}
	routes := map[string]func(context.Context) (string, error){
		"/langchain/chat": func(ctx context.Context) (string, error) {
			return llms.GenerateFromSinglePrompt(ctx, llm, "Say hello.", llms.WithTemperature(0.7), llms.WithMaxTokens(32))
		},
		"/langchain/stream": func(ctx context.Context) (string, error) {
			text := ""
			_, err := llms.GenerateFromSinglePrompt(ctx, llm, "Say hello.",
				llms.WithStreamingFunc(func(ctx context.Context, chunk []byte) error {
					text += string(chunk)
					return nil
				}))
			return text, err
		},
		"/langchain/embed": func(ctx context.Context) (string, error) {
			vectors, err := llm.CreateEmbedding(ctx, []string{"The food was delicious."})
			if err != nil {
				return "", err
			}
			return fmt.Sprint(len(vectors[0])), nil
		},
	}
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
