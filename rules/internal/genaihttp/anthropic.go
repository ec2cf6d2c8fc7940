package genaihttp

import (
	"encoding/json"
	"net/http"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	semconv "otelgo.dev/rules/internal/semconv"
)

// Anthropic is the wire format of Anthropic's Messages API: POST
// .../v1/messages (chat), streamed or not.
var Anthropic API = anthropic{}

type anthropic struct{}

func (anthropic) operation(req *http.Request) (attribute.KeyValue, string, bool) {
	if strings.HasSuffix(strings.TrimSuffix(req.URL.Path, "/"), "/messages") {
		return semconv.GenAIOperationNameChat, "", true
	}
	return attribute.KeyValue{}, "", false
}

type anthropicBlock struct {
	Type      string          `json:"type"`
	Text      string          `json:"text"`
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Input     json.RawMessage `json:"input"`
	ToolUseID string          `json:"tool_use_id"`
	Content   json.RawMessage `json:"content"`
}

type anthropicRequest struct {
	Model         string          `json:"model"`
	Stream        bool            `json:"stream"`
	MaxTokens     *int            `json:"max_tokens"`
	Temperature   *float64        `json:"temperature"`
	TopP          *float64        `json:"top_p"`
	TopK          *float64        `json:"top_k"`
	StopSequences []string        `json:"stop_sequences"`
	System        json.RawMessage `json:"system"`
	Messages      []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	} `json:"messages"`
}

// anthropicBlocks reads content: a string or an array of blocks.
func anthropicBlocks(raw json.RawMessage) []anthropicBlock {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []anthropicBlock{{Type: "text", Text: s}}
	}
	var b []anthropicBlock
	_ = json.Unmarshal(raw, &b)
	return b
}

func anthropicParts(blocks []anthropicBlock) []part {
	parts := []part{}
	for _, b := range blocks {
		switch b.Type {
		case "text":
			parts = append(parts, textPart(b.Text))
		case "tool_use":
			parts = append(parts, toolCall(b.ID, b.Name, b.Input))
		case "tool_result":
			parts = append(parts, part{Type: "tool_call_response", ID: b.ToolUseID, Response: validJSON(b.Content)})
		}
	}
	return parts
}

func (anthropic) request(body []byte, c *call) {
	var r anthropicRequest
	if json.Unmarshal(body, &r) != nil {
		return
	}
	c.model = r.Model
	c.stream = r.Stream
	if r.MaxTokens != nil {
		c.attrs = append(c.attrs, semconv.GenAIRequestMaxTokens(*r.MaxTokens))
	}
	if r.Temperature != nil {
		c.attrs = append(c.attrs, semconv.GenAIRequestTemperature(*r.Temperature))
	}
	if r.TopP != nil {
		c.attrs = append(c.attrs, semconv.GenAIRequestTopP(*r.TopP))
	}
	if r.TopK != nil {
		c.attrs = append(c.attrs, semconv.GenAIRequestTopK(*r.TopK))
	}
	if len(r.StopSequences) > 0 {
		c.attrs = append(c.attrs, semconv.GenAIRequestStopSequences(r.StopSequences...))
	}
	if !c.capture {
		return
	}
	if len(r.System) > 0 {
		c.attrs = append(c.attrs, semconv.GenAISystemInstructionsKey.String(marshal(anthropicParts(anthropicBlocks(r.System)))))
	}
	msgs := make([]message, 0, len(r.Messages))
	for _, m := range r.Messages {
		msgs = append(msgs, message{Role: m.Role, Parts: anthropicParts(anthropicBlocks(m.Content))})
	}
	c.attrs = append(c.attrs, semconv.GenAIInputMessagesKey.String(marshal(msgs)))
}

type anthropicUsage struct {
	InputTokens              *int `json:"input_tokens"`
	OutputTokens             *int `json:"output_tokens"`
	CacheCreationInputTokens *int `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     *int `json:"cache_read_input_tokens"`
}

type anthropicMessage struct {
	ID         string           `json:"id"`
	Model      string           `json:"model"`
	Role       string           `json:"role"`
	StopReason *string          `json:"stop_reason"`
	Content    []anthropicBlock `json:"content"`
	Usage      *anthropicUsage  `json:"usage"`
}

// usage takes a usage object: gen_ai.usage.input_tokens counts the cached
// input tokens too, which Anthropic reports apart.
func (u *anthropicUsage) into(c *call) {
	if u == nil {
		return
	}
	if u.InputTokens != nil {
		c.inputTokens, c.hasInput = *u.InputTokens, true
		if u.CacheCreationInputTokens != nil {
			c.inputTokens += *u.CacheCreationInputTokens
		}
		if u.CacheReadInputTokens != nil {
			c.inputTokens += *u.CacheReadInputTokens
		}
	}
	if u.OutputTokens != nil {
		c.outputTokens, c.hasOutput = *u.OutputTokens, true
	}
}

func (anthropic) message(m *anthropicMessage, c *call) {
	if m.ID != "" {
		c.responseID = m.ID
	}
	if m.Model != "" {
		c.responseModel = m.Model
	}
	if m.StopReason != nil && *m.StopReason != "" {
		c.finish = []string{*m.StopReason}
	}
	m.Usage.into(c)
	if c.output != nil {
		out := c.output.at(0)
		out.role = m.Role
		if m.StopReason != nil {
			out.finish = *m.StopReason
		}
		out.parts = append(out.parts, anthropicParts(m.Content)...)
	}
}

func (a anthropic) response(body []byte, c *call) {
	var m anthropicMessage
	if json.Unmarshal(body, &m) == nil {
		a.message(&m, c)
	}
}

func (a anthropic) event(name string, data []byte, c *call) bool {
	var ev struct {
		Type    string           `json:"type"`
		Message anthropicMessage `json:"message"`
		Delta   struct {
			Type       string  `json:"type"`
			Text       string  `json:"text"`
			StopReason *string `json:"stop_reason"`
		} `json:"delta"`
		Usage *anthropicUsage `json:"usage"`
	}
	if json.Unmarshal(data, &ev) != nil {
		return false
	}
	if ev.Type == "" {
		ev.Type = name
	}
	switch ev.Type {
	case "message_start":
		a.message(&ev.Message, c)
	case "content_block_delta":
		if c.output != nil && ev.Delta.Type == "text_delta" {
			c.output.at(0).text.WriteString(ev.Delta.Text)
		}
	case "message_delta":
		if ev.Delta.StopReason != nil && *ev.Delta.StopReason != "" {
			c.finish = []string{*ev.Delta.StopReason}
			if c.output != nil {
				c.output.at(0).finish = *ev.Delta.StopReason
			}
		}
		if ev.Usage != nil {
			// The counts so far: output_tokens grows; input_tokens, when
			// given again, is the whole.
			if ev.Usage.InputTokens == nil {
				if ev.Usage.OutputTokens != nil {
					c.outputTokens, c.hasOutput = *ev.Usage.OutputTokens, true
				}
			} else {
				ev.Usage.into(c)
			}
		}
	case "message_stop":
		return true
	case "error":
		var e struct {
			Error struct {
				Type    string `json:"type"`
				Message string `json:"message"`
			} `json:"error"`
		}
		if json.Unmarshal(data, &e) == nil && e.Error.Type != "" {
			c.failed(0, e.Error.Type, e.Error.Message)
		}
		return true
	}
	return false
}

func (anthropic) apiError(body []byte) (string, string) {
	var e struct {
		Error struct {
			Type    string `json:"type"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return "", ""
	}
	return e.Error.Type, e.Error.Message
}
