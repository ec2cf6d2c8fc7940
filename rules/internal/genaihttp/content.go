package genaihttp

import (
	"encoding/json"
	"sort"
	"strings"
)

// The structures of gen_ai.input.messages, gen_ai.output.messages and
// gen_ai.system_instructions, recorded as JSON strings when the user opted
// in to message contents (see captureContent).
type message struct {
	Role         string `json:"role"`
	Parts        []part `json:"parts"`
	FinishReason string `json:"finish_reason,omitempty"`
}

type part struct {
	Type      string          `json:"type"`
	Content   string          `json:"content,omitempty"`
	ID        string          `json:"id,omitempty"`
	Name      string          `json:"name,omitempty"`
	Arguments json.RawMessage `json:"arguments,omitempty"`
	Response  json.RawMessage `json:"response,omitempty"`
}

func textPart(s string) part { return part{Type: "text", Content: s} }

func toolCall(id, name string, args json.RawMessage) part {
	return part{Type: "tool_call", ID: id, Name: name, Arguments: validJSON(args)}
}

// validJSON returns raw when it is JSON, else raw as a JSON string (tool
// arguments arrive as a string holding JSON, which may be cut short).
func validJSON(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if json.Valid([]byte(s)) {
			return json.RawMessage(s)
		}
		return raw
	}
	if json.Valid(raw) {
		return raw
	}
	b, _ := json.Marshal(string(raw))
	return b
}

func marshal(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// outputs gathers the output messages of a response, choice by choice, also
// from the deltas of a stream.
type outputs struct {
	choices map[int]*choice
}

type choice struct {
	role   string
	text   strings.Builder
	parts  []part
	finish string
}

func (o *outputs) at(i int) *choice {
	if o.choices == nil {
		o.choices = map[int]*choice{}
	}
	c := o.choices[i]
	if c == nil {
		c = &choice{}
		o.choices[i] = c
	}
	return c
}

// json renders the outputs as gen_ai.output.messages; finish is used for
// choices that have no finish reason of their own.
func (o *outputs) json(finish []string) string {
	if len(o.choices) == 0 {
		return ""
	}
	idx := make([]int, 0, len(o.choices))
	for i := range o.choices {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	msgs := make([]message, 0, len(idx))
	for n, i := range idx {
		c := o.choices[i]
		m := message{Role: c.role, FinishReason: c.finish}
		if m.Role == "" {
			m.Role = "assistant"
		}
		if c.text.Len() > 0 {
			m.Parts = append(m.Parts, textPart(c.text.String()))
		}
		m.Parts = append(m.Parts, c.parts...)
		if m.Parts == nil {
			m.Parts = []part{}
		}
		if m.FinishReason == "" && n < len(finish) {
			m.FinishReason = finish[n]
		}
		msgs = append(msgs, m)
	}
	return marshal(msgs)
}
