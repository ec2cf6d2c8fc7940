// Package mongoconv is what the MongoDB driver hooks (mongo-driver v1 and
// v2) share: the database semantic conventions for MongoDB client spans
// (https://opentelemetry.io/docs/specs/semconv/db/mongodb/), independent of
// the driver's major version, fed from its command monitor's events.
//
//   - the span is named "{db.operation.name} {db.collection.name}" ("find
//     items"), or the command alone when it names no collection;
//   - db.system.name "mongodb", db.operation.name the command's name,
//     db.collection.name the collection the command names, db.namespace the
//     database;
//   - server.address and server.port of the connection the command went
//     over (the monitor's connection id, "host:port[-n]");
//   - db.query.text is the command as extended JSON with every value
//     replaced by "?" (field names and operators are kept; the collection
//     is kept; the session, cluster time and other driver fields are left
//     out), at most MaxQueryText bytes;
//   - a failed command sets the error status, error.type (the server's
//     code name, else its code, else the error's Go type) and
//     db.response.status_code (the server's code); a write error in an
//     acknowledged reply (a duplicate key) fails the span too.
package mongoconv

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	semconv "otelgo.dev/rules/internal/semconv"

	"otelgo.dev/rules/internal/dbconv"
)

// MaxQueryText bounds db.query.text in bytes.
const MaxQueryText = 2048

// Command is one command as the monitor's started event gives it.
type Command struct {
	Name         string // the command's name: "find", "insert"
	Database     string
	Collection   string // "" if it names none
	ConnectionID string // "host:port[-n]"
	RequestID    int64
	Text         string // db.query.text (QueryText)
}

// Outcome is what a finished event says.
type Outcome struct {
	Err      error  // nil on success
	Code     string // the server's error code, "" if none
	CodeName string // the server's code name, "" if none
}

type key struct {
	conn string
	id   int64
}

// Tracker keeps the operations of the commands in flight, from their
// started event to their finished one.
type Tracker struct {
	Scope string
	ops   sync.Map // key -> *dbconv.Operation
}

// Started starts the span of cmd as a child of the span in ctx.
func (t *Tracker) Started(ctx context.Context, cmd Command) {
	attrs := make([]attribute.KeyValue, 0, 8)
	attrs = append(attrs, semconv.DBSystemNameMongoDB)
	name := cmd.Name
	if cmd.Name != "" {
		attrs = append(attrs, semconv.DBOperationName(cmd.Name))
	} else {
		name = "mongodb"
	}
	if cmd.Collection != "" {
		attrs = append(attrs, semconv.DBCollectionName(cmd.Collection))
		name += " " + cmd.Collection
	}
	if cmd.Database != "" {
		attrs = append(attrs, semconv.DBNamespace(cmd.Database))
	}
	if host, port := ParseConnectionID(cmd.ConnectionID); host != "" {
		attrs = append(attrs, semconv.ServerAddress(host))
		if port > 0 {
			attrs = append(attrs, semconv.ServerPort(port))
		}
	}
	if cmd.Text != "" {
		attrs = append(attrs, semconv.DBQueryText(cmd.Text))
	}
	_, op := dbconv.Start(ctx, t.Scope, name, attrs)
	t.ops.Store(key{cmd.ConnectionID, cmd.RequestID}, op)
}

// Finished ends the span of the command sent as requestID over connID.
func (t *Tracker) Finished(connID string, requestID int64, out Outcome) {
	v, ok := t.ops.LoadAndDelete(key{connID, requestID})
	if !ok {
		return
	}
	op := v.(*dbconv.Operation)
	if out.Err == nil {
		op.End(nil)
		return
	}
	var attrs []attribute.KeyValue
	if out.Code != "" {
		attrs = append(attrs, semconv.DBResponseStatusCode(out.Code))
	}
	switch {
	case out.CodeName != "":
		attrs = append(attrs, semconv.ErrorTypeKey.String(out.CodeName))
	case out.Code != "":
		attrs = append(attrs, semconv.ErrorTypeKey.String(out.Code))
	default:
		attrs = append(attrs, semconv.ErrorType(out.Err))
	}
	op.EndWith(out.Err, attrs)
}

// ParseConnectionID reads host and port from a monitor's connection id,
// "localhost:27017[-4]".
func ParseConnectionID(id string) (string, int) {
	if i := strings.LastIndexByte(id, '['); i > 0 {
		id = id[:i]
	}
	host, port, err := net.SplitHostPort(id)
	if err != nil {
		return id, 0
	}
	p, _ := strconv.Atoi(port)
	return host, p
}

// ParseFailure reads the code name from a driver error's text, "(Name)
// message", as mongo-driver v1's failed event gives it.
func ParseFailure(msg string) (codeName string) {
	if !strings.HasPrefix(msg, "(") {
		return ""
	}
	end := strings.IndexByte(msg, ')')
	if end <= 1 {
		return ""
	}
	name := msg[1:end]
	for _, r := range name {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return ""
		}
	}
	return name
}

// driverFields are the fields the driver adds to every command; they say
// nothing of the operation.
var driverFields = map[string]bool{
	"$db": true, "lsid": true, "$clusterTime": true, "txnNumber": true, "autocommit": true,
	"startTransaction": true, "$readPreference": true, "readConcern": true, "writeConcern": true,
	"signature": true, "apiVersion": true, "apiStrict": true, "apiDeprecationErrors": true,
	"recoveryToken": true, "$audit": true,
}

// wrappers are extended JSON's type wrappers: {"$numberInt": "1"} is one value.
var wrappers = map[string]bool{
	"$numberInt": true, "$numberLong": true, "$numberDouble": true, "$numberDecimal": true, "$oid": true,
	"$date": true, "$binary": true, "$timestamp": true, "$regularExpression": true, "$symbol": true,
	"$code": true, "$minKey": true, "$maxKey": true, "$undefined": true, "$dbPointer": true, "$uuid": true,
	"$regex": true, "$options": true, "$scope": true,
}

// QueryText is db.query.text of a command given as extended JSON: every
// value replaced by "?" except the command's own (the collection), the
// driver's fields left out.
func QueryText(extJSON string) string {
	dec := json.NewDecoder(strings.NewReader(extJSON))
	dec.UseNumber()
	var b strings.Builder
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return ""
	}
	b.WriteByte('{')
	first := true
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return ""
		}
		name, _ := k.(string)
		if driverFields[name] {
			if err := skip(dec); err != nil {
				return ""
			}
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		writeString(&b, name)
		b.WriteByte(':')
		if first {
			// The command's own value: the collection (or 1).
			v, err := dec.Token()
			if err != nil {
				return ""
			}
			if s, ok := v.(string); ok {
				writeString(&b, s)
			} else if _, ok := v.(json.Delim); ok {
				b.WriteString(`"?"`)
				if err := skipRest(dec); err != nil {
					return ""
				}
			} else {
				b.WriteString(`"?"`)
			}
		} else if err := value(dec, &b); err != nil {
			return ""
		}
		first = false
		if b.Len() > MaxQueryText {
			return clip(b.String())
		}
	}
	b.WriteByte('}')
	return clip(b.String())
}

func clip(s string) string {
	if len(s) <= MaxQueryText {
		return s
	}
	return s[:MaxQueryText] + " ..."
}

func writeString(b *strings.Builder, s string) {
	q, _ := json.Marshal(s)
	b.Write(q)
}

// value writes one value with its scalars masked.
func value(dec *json.Decoder, b *strings.Builder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	d, ok := tok.(json.Delim)
	if !ok {
		b.WriteString(`"?"`)
		return nil
	}
	switch d {
	case '[':
		b.WriteByte('[')
		n := 0
		for dec.More() {
			if n > 0 {
				b.WriteByte(',')
			}
			if err := value(dec, b); err != nil {
				return err
			}
			n++
			if b.Len() > MaxQueryText {
				return io.EOF
			}
		}
		_, err := dec.Token()
		b.WriteByte(']')
		return err
	case '{':
		n := 0
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return err
			}
			name, _ := k.(string)
			if n == 0 && wrappers[name] {
				b.WriteString(`"?"`)
				if err := skip(dec); err != nil {
					return err
				}
				return skipRest(dec)
			}
			if n == 0 {
				b.WriteByte('{')
			} else {
				b.WriteByte(',')
			}
			writeString(b, name)
			b.WriteByte(':')
			if err := value(dec, b); err != nil {
				return err
			}
			n++
		}
		if n == 0 {
			b.WriteByte('{')
		}
		_, err := dec.Token()
		b.WriteByte('}')
		return err
	}
	return nil
}

// skip reads one value.
func skip(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if _, ok := tok.(json.Delim); ok {
		return skipRest(dec)
	}
	return nil
}

// skipRest reads to the end of the object or array just opened.
func skipRest(dec *json.Decoder) error {
	depth := 1
	for depth > 0 {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
	return nil
}
