// Package redisconv is what the Redis client hooks (go-redis, redigo) share:
// the OpenTelemetry semantic conventions for Redis client spans
// (https://opentelemetry.io/docs/specs/semconv/db/redis/), independent of
// the client library.
//
//   - db.system.name is "redis"; the span kind is CLIENT.
//   - db.operation.name is the command name as the application (or the
//     library) sent it, without case normalization; for the container
//     commands (CLIENT, CONFIG, CLUSTER, ...) the subcommand is part of it:
//     "CLIENT SETNAME". The span name is db.operation.name: db.namespace is
//     never part of a Redis span name, and a key would make it high-cardinality.
//   - db.query.text is the command in Redis CLI syntax with every argument
//     replaced by "?": "SET ? ? ? ?", "HSET ? ? ?", "CLIENT SETNAME ?". The
//     conventions keep the key in their example ("HMSET myhash field1 ?
//     field2 ?") but also ask that query text be sanitized of sensitive
//     data by default, and in Redis a key is user data as much as a value
//     is: applications put session tokens, e-mail addresses and user ids in
//     keys ("session:<token>", "reset:<email>"). So nothing the application
//     sent is recorded but the command's name (and a container command's
//     subcommand, which is part of db.operation.name) and how many
//     arguments it had.
//   - A pipeline is one span, db.operation.name "PIPELINE" (or "PIPELINE SET"
//     when every command is a SET), a MULTI ... EXEC transaction "MULTI"
//     (or "MULTI INCR"); db.operation.batch.size is the number of commands
//     (without MULTI and EXEC), set only from two on; a one-command pipeline
//     is a plain command span. db.query.text joins the commands with "; ".
//   - db.namespace is the database index as a string.
//   - Errors: the span status is Error with the error's text. For an error
//     reply of the server, db.response.status_code and error.type are its
//     prefix ("ERR", "WRONGTYPE"); otherwise error.type is "timeout" for a
//     timeout and the Go type of the error (semconv.ErrorType) for anything
//     else. The "nil" reply of a missing key is not an error.
package redisconv

import (
	"context"
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	semconv "otelgo.dev/rules/internal/semconv"

	"otelgo.dev/rules/internal/telemetry"
)

// MaxQueryText bounds db.query.text in bytes: a pipeline of thousands of
// commands must not make a span of megabytes. A longer text is cut at a
// word boundary and ends in "...".
const MaxQueryText = 2048

// Server is where the commands of one client or connection go.
type Server struct {
	Address   string // server.address: host name, IP or unix socket path; "" if unknown
	Port      int    // server.port; 0 for a unix socket or when unknown
	Namespace string // db.namespace: the database index, "" if unknown
}

// ParseAddress makes a Server from a network ("tcp", "unix", ...) and an
// address as a client was configured with ("host:port", "[::1]:6379",
// "/tmp/redis.sock"). A tcp address without a port gets Redis' 6379.
func ParseAddress(network, address string) Server {
	if address == "" {
		return Server{}
	}
	if network == "unix" || network == "unixpacket" || strings.HasPrefix(address, "/") {
		return Server{Address: address}
	}
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return Server{Address: strings.TrimSuffix(strings.TrimPrefix(address, "["), "]"), Port: 6379}
	}
	n, err := strconv.Atoi(port)
	if err != nil || n <= 0 || n > 65535 {
		n = 0
	}
	return Server{Address: host, Port: n}
}

// Attributes are the connection-level attributes: db.system.name,
// server.address, server.port, db.namespace (those known).
func (s Server) Attributes(attrs []attribute.KeyValue) []attribute.KeyValue {
	attrs = append(attrs, semconv.DBSystemNameRedis)
	if s.Address != "" {
		attrs = append(attrs, semconv.ServerAddress(s.Address))
		if s.Port > 0 {
			attrs = append(attrs, semconv.ServerPort(s.Port))
		}
	}
	if s.Namespace != "" {
		attrs = append(attrs, semconv.DBNamespace(s.Namespace))
	}
	return attrs
}

// Command is one Redis command as spans describe it.
type Command struct {
	Name string // db.operation.name: "GET", "CLIENT SETNAME"
	Text string // db.query.text, every argument a "?": "SET ? ?"
}

// Describe describes the command whose name is name and whose arguments
// (after the name) are args: every argument becomes "?".
func Describe(name string, args []any) Command {
	var b strings.Builder
	b.WriteString(name)
	op := name
	rest := args
	if containerCommands[strings.ToUpper(name)] && len(rest) > 0 {
		if sub, ok := plain(rest[0]); ok && sub != "" {
			op = name + " " + sub
			b.WriteByte(' ')
			writeWord(&b, sub)
			rest = rest[1:]
		}
	}
	for range rest {
		if b.Len() > MaxQueryText {
			b.WriteString(" ...")
			break
		}
		b.WriteString(" ?")
	}
	return Command{Name: op, Text: clip(b.String())}
}

// DescribeArgs describes a command given as one argument list whose first
// element is the command name (go-redis' Cmder.Args()).
func DescribeArgs(args []any) Command {
	if len(args) == 0 {
		return Command{}
	}
	name, _ := plain(args[0])
	return Describe(name, args[1:])
}

// Arg renders one argument of a command when it is a scalar (string,
// []byte, number, bool); ok is false for anything else.
func Arg(a any) (s string, ok bool) {
	return plain(a)
}

// SelectedDB returns the database index a SELECT command switches to, ""
// when name is not SELECT or its argument is no index.
func SelectedDB(name string, args []any) string {
	if !strings.EqualFold(name, "SELECT") || len(args) != 1 {
		return ""
	}
	s, ok := plain(args[0])
	if !ok {
		return ""
	}
	if _, err := strconv.Atoi(s); err != nil {
		return ""
	}
	return s
}

// containerCommands take a subcommand as their first argument, which is
// part of the operation's name ("CONFIG SET ? ?", "CLIENT SETNAME ?").
var containerCommands = set("ACL", "CLIENT", "CLUSTER", "COMMAND", "CONFIG", "DEBUG", "FUNCTION", "LATENCY",
	"MEMORY", "MODULE", "OBJECT", "PUBSUB", "SCRIPT", "SLOWLOG", "XGROUP", "XINFO")

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// plain renders a and reports whether it is a scalar that can be shown:
// strings, byte slices, numbers and booleans.
func plain(a any) (string, bool) {
	switch v := a.(type) {
	case string:
		return v, true
	case []byte:
		return string(v), true
	case int:
		return strconv.Itoa(v), true
	case int64:
		return strconv.FormatInt(v, 10), true
	case int32:
		return strconv.FormatInt(int64(v), 10), true
	case int16:
		return strconv.FormatInt(int64(v), 10), true
	case int8:
		return strconv.FormatInt(int64(v), 10), true
	case uint:
		return strconv.FormatUint(uint64(v), 10), true
	case uint64:
		return strconv.FormatUint(v, 10), true
	case uint32:
		return strconv.FormatUint(uint64(v), 10), true
	case uint16:
		return strconv.FormatUint(uint64(v), 10), true
	case uint8:
		return strconv.FormatUint(uint64(v), 10), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case float32:
		return strconv.FormatFloat(float64(v), 'f', -1, 32), true
	case bool:
		if v {
			return "1", true
		}
		return "0", true
	case time.Duration:
		return strconv.FormatInt(int64(v/time.Second), 10), true
	}
	return "", false
}

// maxWord bounds a shown subcommand in bytes.
const maxWord = 256

// writeWord writes s as redis-cli shows an argument: as it is when it is
// a plain word, double-quoted with escapes otherwise.
func writeWord(b *strings.Builder, s string) {
	if len(s) > maxWord {
		cut := maxWord
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	if needsQuotes(s) {
		b.WriteString(strconv.Quote(s))
		return
	}
	b.WriteString(s)
}

func needsQuotes(s string) bool {
	if s == "" {
		return true
	}
	for _, r := range s {
		if r == '"' || r == '\'' || r == '\\' || r == ';' || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return true
		}
	}
	return false
}

// clip cuts text to MaxQueryText bytes at a space and marks the cut.
func clip(text string) string {
	if len(text) <= MaxQueryText+len(" ...") {
		return text
	}
	cut := strings.LastIndexByte(text[:MaxQueryText], ' ')
	if cut <= 0 {
		cut = MaxQueryText
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
	}
	return text[:cut] + " ..."
}

// Batch describes commands sent together (a pipeline, or a MULTI ... EXEC
// transaction when the first is MULTI and the last EXEC). It returns the
// operation name, the query text and the batch size (0: not a batch). A
// pipeline of one command is that command.
func Batch(cmds []Command) (name, text string, size int) {
	if len(cmds) == 0 {
		return "PIPELINE", "", 0
	}
	inner, prefix := cmds, "PIPELINE"
	if len(cmds) >= 2 && strings.EqualFold(cmds[0].Name, "MULTI") && strings.EqualFold(cmds[len(cmds)-1].Name, "EXEC") {
		inner, prefix = cmds[1:len(cmds)-1], "MULTI"
	}
	if prefix == "PIPELINE" && len(inner) == 1 {
		return inner[0].Name, inner[0].Text, 0
	}
	name = prefix
	if len(inner) > 0 {
		same := true
		for _, c := range inner[1:] {
			if c.Name != inner[0].Name {
				same = false
				break
			}
		}
		if same {
			name = prefix + " " + inner[0].Name
		}
	}
	if len(inner) >= 2 {
		size = len(inner)
	}
	return name, joinTexts(cmds), size
}

// joinTexts is the query text of a batch: the commands' texts joined by
// "; ", or the one text when all are the same.
func joinTexts(cmds []Command) string {
	same := true
	for _, c := range cmds[1:] {
		if c.Text != cmds[0].Text {
			same = false
			break
		}
	}
	if same {
		return cmds[0].Text
	}
	var b strings.Builder
	for i, c := range cmds {
		if b.Len() > MaxQueryText {
			b.WriteString(" ...")
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(c.Text)
	}
	return clip(b.String())
}

// Start starts the CLIENT span of one command or batch as a child of the
// span in ctx. batchSize 0 means not a batch. Ending the span records the
// command's db.client.operation.duration.
func Start(ctx context.Context, scope string, server Server, name, text string, batchSize int,
	opts ...trace.SpanStartOption) (context.Context, trace.Span) {
	attrs := make([]attribute.KeyValue, 0, 8)
	attrs = server.Attributes(attrs)
	if name != "" {
		attrs = append(attrs, semconv.DBOperationName(name))
	} else {
		name = "redis"
	}
	if text != "" {
		attrs = append(attrs, semconv.DBQueryText(text))
	}
	if batchSize > 0 {
		attrs = append(attrs, semconv.DBOperationBatchSize(batchSize))
	}
	opts = append(opts, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	cfg := trace.NewSpanStartConfig(opts...)
	start := cfg.Timestamp()
	ctx, span := telemetry.Tracer(scope).Start(ctx, name, opts...)
	return ctx, measure(ctx, span, scope, start, attrs)
}

// End records err on span (serverError: err is an error reply of the
// server, whose text starts with its prefix) and ends it.
func End(span trace.Span, err error, serverError bool, opts ...trace.SpanEndOption) {
	if err != nil {
		RecordError(span, err, serverError)
	}
	span.End(opts...)
}

// RecordError sets the error status and attributes of err on span.
func RecordError(span trace.Span, err error, serverError bool) {
	if serverError {
		if prefix := ErrorPrefix(err.Error()); prefix != "" {
			span.SetAttributes(semconv.DBResponseStatusCode(prefix), semconv.ErrorTypeKey.String(prefix))
			span.SetStatus(codes.Error, err.Error())
			return
		}
	}
	if IsTimeout(err) {
		span.SetAttributes(semconv.ErrorTypeKey.String("timeout"))
	} else {
		span.SetAttributes(semconv.ErrorType(err))
	}
	span.SetStatus(codes.Error, err.Error())
}

// ErrorPrefix is the prefix of a Redis error reply: its first word when
// that is in capitals ("ERR", "WRONGTYPE", "NOSCRIPT"), "" otherwise.
func ErrorPrefix(msg string) string {
	word, _, _ := strings.Cut(msg, " ")
	if word == "" || len(word) > 32 {
		return ""
	}
	for _, r := range word {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return ""
		}
	}
	return word
}

// IsTimeout reports whether err is a deadline or network timeout.
func IsTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
