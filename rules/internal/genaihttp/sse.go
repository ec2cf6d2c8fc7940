package genaihttp

import "bytes"

// sseEvent is one server-sent event: its event name (empty for a plain
// "data:" event) and its data lines joined by newlines.
type sseEvent struct {
	name string
	data []byte
}

// sseParser splits a text/event-stream into events as its bytes arrive, in
// whatever pieces the reads return them.
type sseParser struct {
	line  []byte // a line not ended yet
	name  string
	data  []byte
	lines int // data lines in data
}

// maxLine bounds a line kept while it has not ended.
const maxLine = 8 << 20

// feed takes the next bytes of the stream and returns the events they
// completed.
func (p *sseParser) feed(b []byte) []sseEvent {
	var out []sseEvent
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			if len(p.line)+len(b) <= maxLine {
				p.line = append(p.line, b...)
			}
			return out
		}
		line := b[:i]
		if len(p.line) > 0 {
			line = append(p.line, line...)
			p.line = p.line[:0]
		}
		b = b[i+1:]
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if ev, ok := p.takeLine(line); ok {
			out = append(out, ev)
		}
	}
	return out
}

// takeLine handles one line; an empty line dispatches the event so far.
func (p *sseParser) takeLine(line []byte) (sseEvent, bool) {
	if len(line) == 0 {
		if p.lines == 0 && p.name == "" {
			return sseEvent{}, false
		}
		ev := sseEvent{name: p.name, data: p.data}
		p.name, p.data, p.lines = "", nil, 0
		return ev, true
	}
	if line[0] == ':' {
		return sseEvent{}, false // a comment
	}
	field, value, _ := bytes.Cut(line, []byte{':'})
	value = bytes.TrimPrefix(value, []byte{' '})
	switch string(field) {
	case "event":
		p.name = string(value)
	case "data":
		if p.lines > 0 {
			p.data = append(p.data, '\n')
		}
		p.data = append(p.data, value...)
		p.lines++
	}
	return sseEvent{}, false
}
