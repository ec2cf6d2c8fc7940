package genaihttp

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	semconv "otelgo.dev/rules/internal/semconv"
)

// OpenAI is the wire format of OpenAI's API (and of the APIs that copy it):
// POST .../chat/completions and .../responses (chat), .../completions
// (text_completion) and .../embeddings (embeddings).
var OpenAI API = openAI{}

type openAI struct{}

func (openAI) operation(req *http.Request) (attribute.KeyValue, string, bool) {
	p := strings.TrimSuffix(req.URL.Path, "/")
	switch {
	case strings.HasSuffix(p, "/chat/completions"):
		return semconv.GenAIOperationNameChat, "", true
	case strings.HasSuffix(p, "/responses"):
		return semconv.GenAIOperationNameChat, "", true
	case strings.HasSuffix(p, "/completions"):
		return semconv.GenAIOperationNameTextCompletion, "", true
	case strings.HasSuffix(p, "/embeddings"):
		return semconv.GenAIOperationNameEmbeddings, "", true
	}
	return attribute.KeyValue{}, "", false
}

// provider: OpenAI's API as Azure serves it is azure.ai.openai.
func (openAI) provider(req *http.Request) (attribute.KeyValue, bool) {
	if strings.HasSuffix(req.URL.Hostname(), ".openai.azure.com") {
		return semconv.GenAIProviderNameAzureAIOpenAI, true
	}
	return attribute.KeyValue{}, false
}

type openAIRequest struct {
	Model               string          `json:"model"`
	Stream              bool            `json:"stream"`
	Temperature         *float64        `json:"temperature"`
	TopP                *float64        `json:"top_p"`
	MaxTokens           *int            `json:"max_tokens"`
	MaxCompletionTokens *int            `json:"max_completion_tokens"`
	FrequencyPenalty    *float64        `json:"frequency_penalty"`
	PresencePenalty     *float64        `json:"presence_penalty"`
	Seed                *int            `json:"seed"`
	N                   *int            `json:"n"`
	Stop                json.RawMessage `json:"stop"`
	EncodingFormat      string          `json:"encoding_format"`
	ResponseFormat      *struct {
		Type string `json:"type"`
	} `json:"response_format"`
	Messages []openAIMessage `json:"messages"`
}

type openAIMessage struct {
	Role       string           `json:"role"`
	Content    json.RawMessage  `json:"content"`
	ToolCallID string           `json:"tool_call_id"`
	ToolCalls  []openAIToolCall `json:"tool_calls"`
}

type openAIToolCall struct {
	Index    int    `json:"index"`
	ID       string `json:"id"`
	Function struct {
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
	} `json:"function"`
}

func (a openAI) request(body []byte, c *call) {
	var r openAIRequest
	if json.Unmarshal(body, &r) != nil {
		return
	}
	if c.responses {
		a.responsesRequest(body, &r, c)
	}
	c.model = r.Model
	c.stream = r.Stream
	if r.Temperature != nil {
		c.attrs = append(c.attrs, semconv.GenAIRequestTemperature(*r.Temperature))
	}
	if r.TopP != nil {
		c.attrs = append(c.attrs, semconv.GenAIRequestTopP(*r.TopP))
	}
	if r.MaxCompletionTokens != nil {
		c.attrs = append(c.attrs, semconv.GenAIRequestMaxTokens(*r.MaxCompletionTokens))
	} else if r.MaxTokens != nil {
		c.attrs = append(c.attrs, semconv.GenAIRequestMaxTokens(*r.MaxTokens))
	}
	if r.FrequencyPenalty != nil {
		c.attrs = append(c.attrs, semconv.GenAIRequestFrequencyPenalty(*r.FrequencyPenalty))
	}
	if r.PresencePenalty != nil {
		c.attrs = append(c.attrs, semconv.GenAIRequestPresencePenalty(*r.PresencePenalty))
	}
	if r.Seed != nil {
		c.attrs = append(c.attrs, semconv.GenAIRequestSeed(*r.Seed))
	}
	if r.N != nil && *r.N != 1 {
		c.attrs = append(c.attrs, semconv.GenAIRequestChoiceCount(*r.N))
	}
	if stop := stringList(r.Stop); len(stop) > 0 {
		c.attrs = append(c.attrs, semconv.GenAIRequestStopSequences(stop...))
	}
	if r.EncodingFormat != "" {
		c.attrs = append(c.attrs, semconv.GenAIRequestEncodingFormats(r.EncodingFormat))
	}
	if r.ResponseFormat != nil {
		switch r.ResponseFormat.Type {
		case "json_object", "json_schema":
			c.attrs = append(c.attrs, semconv.GenAIOutputTypeJSON)
		case "text":
			c.attrs = append(c.attrs, semconv.GenAIOutputTypeText)
		}
	}
	if c.capture && len(r.Messages) > 0 {
		msgs := make([]message, 0, len(r.Messages))
		for _, m := range r.Messages {
			msg := message{Role: m.Role}
			if m.Role == "tool" {
				msg.Parts = append(msg.Parts, part{Type: "tool_call_response", ID: m.ToolCallID, Response: contentJSON(m.Content)})
			} else {
				for _, t := range openAIText(m.Content) {
					msg.Parts = append(msg.Parts, textPart(t))
				}
			}
			for _, tc := range m.ToolCalls {
				msg.Parts = append(msg.Parts, toolCall(tc.ID, tc.Function.Name, tc.Function.Arguments))
			}
			if msg.Parts == nil {
				msg.Parts = []part{}
			}
			msgs = append(msgs, msg)
		}
		c.attrs = append(c.attrs, semconv.GenAIInputMessagesKey.String(marshal(msgs)))
	}
}

// openAIText returns the texts of a message's content: a string, or an
// array of parts of which the "text" ones count.
func openAIText(raw json.RawMessage) []string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []string{s}
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if json.Unmarshal(raw, &parts) != nil {
		return nil
	}
	var out []string
	for _, p := range parts {
		if p.Type == "text" {
			out = append(out, p.Text)
		}
	}
	return out
}

// contentJSON returns a tool result's content: JSON when the string holds
// JSON, else the string itself.
func contentJSON(raw json.RawMessage) json.RawMessage {
	var s string
	if json.Unmarshal(raw, &s) == nil && json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	return raw
}

// stringList reads a string or an array of strings.
func stringList(raw json.RawMessage) []string {
	if len(raw) == 0 {
		return nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if s == "" {
			return nil
		}
		return []string{s}
	}
	var l []string
	_ = json.Unmarshal(raw, &l)
	return l
}

type openAIUsage struct {
	PromptTokens     *int `json:"prompt_tokens"`
	CompletionTokens *int `json:"completion_tokens"`
}

type openAIResponse struct {
	ID      string       `json:"id"`
	Model   string       `json:"model"`
	Usage   *openAIUsage `json:"usage"`
	Choices []struct {
		Index        int            `json:"index"`
		FinishReason *string        `json:"finish_reason"`
		Text         string         `json:"text"` // completions
		Message      *openAIMessage `json:"message"`
		Delta        *openAIMessage `json:"delta"`
	} `json:"choices"`
	Data []struct {
		Embedding json.RawMessage `json:"embedding"`
	} `json:"data"`
}

func (a openAI) response(body []byte, c *call) {
	if c.responses {
		var r responsesResponse
		if json.Unmarshal(body, &r) == nil {
			r.into(c)
		}
		return
	}
	var r openAIResponse
	if json.Unmarshal(body, &r) != nil {
		return
	}
	a.take(&r, c)
	if len(r.Data) > 0 {
		c.dimensions = embeddingSize(r.Data[0].Embedding)
	}
}

// take reads a response, or one chunk of a stream, into c.
func (openAI) take(r *openAIResponse, c *call) {
	if r.ID != "" {
		c.responseID = r.ID
	}
	if r.Model != "" {
		c.responseModel = r.Model
	}
	if r.Usage != nil {
		if r.Usage.PromptTokens != nil {
			c.inputTokens, c.hasInput = *r.Usage.PromptTokens, true
		}
		if r.Usage.CompletionTokens != nil {
			c.outputTokens, c.hasOutput = *r.Usage.CompletionTokens, true
		}
	}
	for _, ch := range r.Choices {
		if ch.FinishReason != nil && *ch.FinishReason != "" {
			c.finish = append(c.finish, *ch.FinishReason)
		}
		if c.output == nil {
			continue
		}
		out := c.output.at(ch.Index)
		if ch.FinishReason != nil {
			out.finish = *ch.FinishReason
		}
		out.text.WriteString(ch.Text)
		m := ch.Message
		if m == nil {
			m = ch.Delta
		}
		if m == nil {
			continue
		}
		if m.Role != "" {
			out.role = m.Role
		}
		for _, t := range openAIText(m.Content) {
			out.text.WriteString(t)
		}
		for _, tc := range m.ToolCalls {
			if ch.Delta != nil {
				// Streamed tool calls come in pieces: the first names it.
				if tc.ID != "" || len(out.parts) == 0 {
					out.parts = append(out.parts, toolCall(tc.ID, tc.Function.Name, nil))
				}
				last := &out.parts[len(out.parts)-1]
				var s string
				if json.Unmarshal(tc.Function.Arguments, &s) == nil {
					prev := ""
					_ = json.Unmarshal(last.Arguments, &prev)
					last.Arguments, _ = json.Marshal(prev + s)
				}
				continue
			}
			out.parts = append(out.parts, toolCall(tc.ID, tc.Function.Name, tc.Function.Arguments))
		}
	}
}

// embeddingSize is the number of dimensions of an embedding: an array of
// floats, or (encoding_format "base64") little-endian float32s in base64.
func embeddingSize(raw json.RawMessage) int {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return 0
		}
		return len(b) / 4
	}
	var f []json.RawMessage
	if json.Unmarshal(raw, &f) == nil {
		return len(f)
	}
	return 0
}

func (a openAI) event(name string, data []byte, c *call) bool {
	if string(data) == "[DONE]" {
		return true
	}
	if c.responses {
		return responsesEvent(name, data, c)
	}
	var r openAIResponse
	if json.Unmarshal(data, &r) == nil {
		a.take(&r, c)
	}
	return false
}

func (openAI) apiError(body []byte) (string, string) {
	var e struct {
		Error struct {
			Type    string `json:"type"`
			Code    any    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return "", ""
	}
	typ := e.Error.Type
	if code, ok := e.Error.Code.(string); ok && typ == "" {
		typ = code
	}
	return typ, e.Error.Message
}
