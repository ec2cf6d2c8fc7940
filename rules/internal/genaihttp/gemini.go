package genaihttp

import (
	"encoding/json"
	"net/http"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	semconv "otelgo.dev/rules/internal/semconv"
)

// Gemini is the wire format of the Gemini API and of Vertex AI's Gemini
// models: POST .../models/{model}:generateContent and
// :streamGenerateContent (generate_content), :embedContent,
// :batchEmbedContents (embeddings).
var Gemini API = gemini{}

type gemini struct{}

func (gemini) operation(req *http.Request) (attribute.KeyValue, string, bool) {
	p := req.URL.Path
	i := strings.LastIndex(p, "/models/")
	if i < 0 {
		return attribute.KeyValue{}, "", false
	}
	model, method, ok := strings.Cut(p[i+len("/models/"):], ":")
	if !ok {
		return attribute.KeyValue{}, "", false
	}
	switch method {
	case "generateContent", "streamGenerateContent":
		return semconv.GenAIOperationNameGenerateContent, model, true
	case "embedContent", "batchEmbedContents":
		return semconv.GenAIOperationNameEmbeddings, model, true
	}
	return attribute.KeyValue{}, "", false
}

type geminiPart struct {
	Text         string `json:"text"`
	Thought      bool   `json:"thought"`
	FunctionCall *struct {
		ID   string          `json:"id"`
		Name string          `json:"name"`
		Args json.RawMessage `json:"args"`
	} `json:"functionCall"`
	FunctionResponse *struct {
		ID       string          `json:"id"`
		Name     string          `json:"name"`
		Response json.RawMessage `json:"response"`
	} `json:"functionResponse"`
}

type geminiContent struct {
	Role  string       `json:"role"`
	Parts []geminiPart `json:"parts"`
}

func geminiParts(ps []geminiPart) []part {
	parts := []part{}
	for _, p := range ps {
		switch {
		case p.FunctionCall != nil:
			parts = append(parts, toolCall(p.FunctionCall.ID, p.FunctionCall.Name, p.FunctionCall.Args))
		case p.FunctionResponse != nil:
			parts = append(parts, part{Type: "tool_call_response", ID: p.FunctionResponse.ID, Response: p.FunctionResponse.Response})
		case p.Thought:
			parts = append(parts, part{Type: "reasoning", Content: p.Text})
		case p.Text != "":
			parts = append(parts, textPart(p.Text))
		}
	}
	return parts
}

// geminiRole maps Gemini's roles to the conventions': "model" is the
// assistant.
func geminiRole(r string) string {
	if r == "model" {
		return "assistant"
	}
	if r == "" {
		return "user"
	}
	return r
}

func (gemini) request(body []byte, c *call) {
	var r struct {
		Contents          []geminiContent `json:"contents"`
		SystemInstruction *geminiContent  `json:"systemInstruction"`
		GenerationConfig  *struct {
			Temperature      *float64 `json:"temperature"`
			TopP             *float64 `json:"topP"`
			TopK             *float64 `json:"topK"`
			MaxOutputTokens  *int     `json:"maxOutputTokens"`
			StopSequences    []string `json:"stopSequences"`
			CandidateCount   *int     `json:"candidateCount"`
			Seed             *int     `json:"seed"`
			PresencePenalty  *float64 `json:"presencePenalty"`
			FrequencyPenalty *float64 `json:"frequencyPenalty"`
			ResponseMimeType string   `json:"responseMimeType"`
		} `json:"generationConfig"`
	}
	if json.Unmarshal(body, &r) != nil {
		return
	}
	if g := r.GenerationConfig; g != nil {
		if g.Temperature != nil {
			c.attrs = append(c.attrs, semconv.GenAIRequestTemperature(*g.Temperature))
		}
		if g.TopP != nil {
			c.attrs = append(c.attrs, semconv.GenAIRequestTopP(*g.TopP))
		}
		if g.TopK != nil {
			c.attrs = append(c.attrs, semconv.GenAIRequestTopK(*g.TopK))
		}
		if g.MaxOutputTokens != nil {
			c.attrs = append(c.attrs, semconv.GenAIRequestMaxTokens(*g.MaxOutputTokens))
		}
		if len(g.StopSequences) > 0 {
			c.attrs = append(c.attrs, semconv.GenAIRequestStopSequences(g.StopSequences...))
		}
		if g.CandidateCount != nil && *g.CandidateCount != 1 {
			c.attrs = append(c.attrs, semconv.GenAIRequestChoiceCount(*g.CandidateCount))
		}
		if g.Seed != nil {
			c.attrs = append(c.attrs, semconv.GenAIRequestSeed(*g.Seed))
		}
		if g.PresencePenalty != nil {
			c.attrs = append(c.attrs, semconv.GenAIRequestPresencePenalty(*g.PresencePenalty))
		}
		if g.FrequencyPenalty != nil {
			c.attrs = append(c.attrs, semconv.GenAIRequestFrequencyPenalty(*g.FrequencyPenalty))
		}
		switch g.ResponseMimeType {
		case "application/json":
			c.attrs = append(c.attrs, semconv.GenAIOutputTypeJSON)
		case "text/plain":
			c.attrs = append(c.attrs, semconv.GenAIOutputTypeText)
		}
	}
	if !c.capture {
		return
	}
	if r.SystemInstruction != nil {
		c.attrs = append(c.attrs, semconv.GenAISystemInstructionsKey.String(marshal(geminiParts(r.SystemInstruction.Parts))))
	}
	if len(r.Contents) > 0 {
		msgs := make([]message, 0, len(r.Contents))
		for _, m := range r.Contents {
			msgs = append(msgs, message{Role: geminiRole(m.Role), Parts: geminiParts(m.Parts)})
		}
		c.attrs = append(c.attrs, semconv.GenAIInputMessagesKey.String(marshal(msgs)))
	}
}

type geminiResponse struct {
	ResponseID   string `json:"responseId"`
	ModelVersion string `json:"modelVersion"`
	Candidates   []struct {
		Index        int            `json:"index"`
		FinishReason string         `json:"finishReason"`
		Content      *geminiContent `json:"content"`
	} `json:"candidates"`
	UsageMetadata *struct {
		PromptTokenCount     *int `json:"promptTokenCount"`
		CandidatesTokenCount *int `json:"candidatesTokenCount"`
		ThoughtsTokenCount   *int `json:"thoughtsTokenCount"`
	} `json:"usageMetadata"`
	Embedding *struct {
		Values []json.RawMessage `json:"values"`
	} `json:"embedding"`
	Embeddings []struct {
		Values []json.RawMessage `json:"values"`
	} `json:"embeddings"`
}

// take reads a response, or one chunk of a stream (each chunk is a whole
// GenerateContentResponse: the last has the finish reasons and the usage).
func (gemini) take(r *geminiResponse, c *call, chunk bool) {
	if r.ResponseID != "" {
		c.responseID = r.ResponseID
	}
	if r.ModelVersion != "" {
		c.responseModel = r.ModelVersion
	}
	if u := r.UsageMetadata; u != nil {
		if u.PromptTokenCount != nil {
			c.inputTokens, c.hasInput = *u.PromptTokenCount, true
		}
		if u.CandidatesTokenCount != nil || u.ThoughtsTokenCount != nil {
			n := 0
			if u.CandidatesTokenCount != nil {
				n += *u.CandidatesTokenCount
			}
			if u.ThoughtsTokenCount != nil {
				n += *u.ThoughtsTokenCount
			}
			c.outputTokens, c.hasOutput = n, true
		}
	}
	for _, cand := range r.Candidates {
		if cand.FinishReason != "" {
			c.finish = append(c.finish, cand.FinishReason)
		}
		if c.output == nil {
			continue
		}
		out := c.output.at(cand.Index)
		out.role = "assistant"
		if cand.FinishReason != "" {
			out.finish = cand.FinishReason
		}
		if cand.Content == nil {
			continue
		}
		for _, p := range geminiParts(cand.Content.Parts) {
			if chunk && p.Type == "text" {
				out.text.WriteString(p.Content)
				continue
			}
			out.parts = append(out.parts, p)
		}
	}
	switch {
	case r.Embedding != nil:
		c.dimensions = len(r.Embedding.Values)
	case len(r.Embeddings) > 0:
		c.dimensions = len(r.Embeddings[0].Values)
	}
}

func (g gemini) response(body []byte, c *call) {
	var r geminiResponse
	if json.Unmarshal(body, &r) == nil {
		g.take(&r, c, false)
	}
}

func (g gemini) event(_ string, data []byte, c *call) bool {
	var r geminiResponse
	if json.Unmarshal(data, &r) == nil {
		g.take(&r, c, true)
	}
	return false
}

func (gemini) apiError(body []byte) (string, string) {
	var e struct {
		Error struct {
			Status  string `json:"status"`
			Message string `json:"message"`
		} `json:"error"`
	}
	// A list of errors ([{"error": ...}]) comes from some endpoints.
	if json.Unmarshal(body, &e) != nil {
		var l []json.RawMessage
		if json.Unmarshal(body, &l) != nil || len(l) == 0 || json.Unmarshal(l[0], &e) != nil {
			return "", ""
		}
	}
	return e.Error.Status, e.Error.Message
}
