package genaihttp

import (
	"encoding/json"

	semconv "otelgo.dev/rules/internal/semconv"
)

// OpenAI's Responses API (POST .../responses): a chat whose request has
// input and instructions, max_output_tokens, and whose response has output
// items and usage.input_tokens/output_tokens. Its finish reason is the
// response's status ("completed"), or why it is incomplete
// ("max_output_tokens", "content_filter").

type responsesRequest struct {
	MaxOutputTokens *int            `json:"max_output_tokens"`
	Instructions    *string         `json:"instructions"`
	Input           json.RawMessage `json:"input"`
	Text            *struct {
		Format *struct {
			Type string `json:"type"`
		} `json:"format"`
	} `json:"text"`
}

func (openAI) responsesRequest(body []byte, r *openAIRequest, c *call) {
	var rr responsesRequest
	if json.Unmarshal(body, &rr) != nil {
		return
	}
	if rr.MaxOutputTokens != nil {
		r.MaxTokens = rr.MaxOutputTokens
	}
	if rr.Text != nil && rr.Text.Format != nil {
		switch rr.Text.Format.Type {
		case "json_object", "json_schema":
			c.attrs = append(c.attrs, semconv.GenAIOutputTypeJSON)
		case "text":
			c.attrs = append(c.attrs, semconv.GenAIOutputTypeText)
		}
	}
	if !c.capture {
		return
	}
	if rr.Instructions != nil {
		c.attrs = append(c.attrs, semconv.GenAISystemInstructionsKey.String(marshal([]part{textPart(*rr.Instructions)})))
	}
	var text string
	if json.Unmarshal(rr.Input, &text) == nil {
		c.attrs = append(c.attrs, semconv.GenAIInputMessagesKey.String(marshal([]message{{Role: "user", Parts: []part{textPart(text)}}})))
		return
	}
	var items []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	}
	if json.Unmarshal(rr.Input, &items) != nil {
		return
	}
	msgs := make([]message, 0, len(items))
	for _, it := range items {
		if it.Role == "" {
			continue // function call outputs and other items
		}
		msg := message{Role: it.Role, Parts: []part{}}
		for _, t := range responsesText(it.Content) {
			msg.Parts = append(msg.Parts, textPart(t))
		}
		msgs = append(msgs, msg)
	}
	c.attrs = append(c.attrs, semconv.GenAIInputMessagesKey.String(marshal(msgs)))
}

// responsesText returns the texts of an input or output item's content: a
// string, or parts of type input_text/output_text.
func responsesText(raw json.RawMessage) []string {
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
		if p.Type == "input_text" || p.Type == "output_text" || p.Type == "text" {
			out = append(out, p.Text)
		}
	}
	return out
}

type responsesResponse struct {
	ID                string `json:"id"`
	Model             string `json:"model"`
	Status            string `json:"status"`
	IncompleteDetails *struct {
		Reason string `json:"reason"`
	} `json:"incomplete_details"`
	Output []struct {
		Type      string          `json:"type"`
		Role      string          `json:"role"`
		Content   json.RawMessage `json:"content"`
		CallID    string          `json:"call_id"`
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
	} `json:"output"`
	Usage *struct {
		InputTokens  *int `json:"input_tokens"`
		OutputTokens *int `json:"output_tokens"`
	} `json:"usage"`
	Error *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func (r *responsesResponse) into(c *call) {
	if r.ID != "" {
		c.responseID = r.ID
	}
	if r.Model != "" {
		c.responseModel = r.Model
	}
	switch {
	case r.IncompleteDetails != nil && r.IncompleteDetails.Reason != "":
		c.finish = []string{r.IncompleteDetails.Reason}
	case r.Status != "" && r.Status != "in_progress" && r.Status != "queued":
		c.finish = []string{r.Status}
	}
	if r.Usage != nil {
		if r.Usage.InputTokens != nil {
			c.inputTokens, c.hasInput = *r.Usage.InputTokens, true
		}
		if r.Usage.OutputTokens != nil {
			c.outputTokens, c.hasOutput = *r.Usage.OutputTokens, true
		}
	}
	if r.Error != nil && r.Error.Code != "" {
		c.failed(0, r.Error.Code, r.Error.Message)
	}
	if c.output == nil || len(r.Output) == 0 {
		return
	}
	out := c.output.at(0)
	out.role = "assistant"
	out.text.Reset()
	out.parts = nil
	for _, it := range r.Output {
		switch it.Type {
		case "message":
			for _, t := range responsesText(it.Content) {
				out.text.WriteString(t)
			}
		case "function_call":
			out.parts = append(out.parts, toolCall(it.CallID, it.Name, it.Arguments))
		}
	}
	if len(c.finish) > 0 {
		out.finish = c.finish[0]
	}
}

// responsesEvent reads one event of a streamed response: the last is
// response.completed, .incomplete or .failed, which holds the whole
// response.
func responsesEvent(name string, data []byte, c *call) bool {
	var ev struct {
		Type     string             `json:"type"`
		Response *responsesResponse `json:"response"`
		Delta    string             `json:"delta"`
	}
	if json.Unmarshal(data, &ev) != nil {
		return false
	}
	if ev.Type == "" {
		ev.Type = name
	}
	switch ev.Type {
	case "response.created", "response.in_progress":
		if ev.Response != nil {
			if ev.Response.ID != "" {
				c.responseID = ev.Response.ID
			}
			if ev.Response.Model != "" {
				c.responseModel = ev.Response.Model
			}
		}
	case "response.output_text.delta":
		if c.output != nil {
			c.output.at(0).text.WriteString(ev.Delta)
		}
	case "response.completed", "response.incomplete", "response.failed":
		if ev.Response != nil {
			ev.Response.into(c)
		}
		return true
	case "error":
		var e struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		if json.Unmarshal(data, &e) == nil {
			code := e.Code
			if code == "" {
				code = "error"
			}
			c.failed(0, code, e.Message)
		}
		return true
	}
	return false
}
