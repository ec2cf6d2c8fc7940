// Package gqlgen holds the hooks otelgo splices into
// github.com/99designs/gqlgen: every server made by handler.New (and so by
// handler.NewDefaultServer) gets an extension of this package that makes a
// span per GraphQL operation it executes, following the GraphQL semantic
// conventions of go.opentelemetry.io/otel/semconv/v1.39.0: kind SERVER,
// named after graphql.operation.type ("query", "mutation", "subscription";
// the client-chosen operation name is not in the name, as the conventions
// advise), with graphql.operation.type, graphql.operation.name and
// graphql.document sanitized: every literal value the client wrote into the
// document (strings, block strings, numbers) becomes "?", comments and
// commas are dropped and the tokens are written out again with single
// spaces, so `query Find { book(id: "1") { title } }` is recorded as
// `query Find { book(id: ?) { title } }`. Values sent as variables are not
// in the document; enum values, booleans and null are kept. A document
// longer than 16 KiB is not recorded.
//
// gqlgen serves through net/http, whose hooks (otelgo.dev/rules/nethttp)
// make the request's SERVER span; the operation's span is its child (a
// websocket carries several operations), and the resolvers run
// with the operation's span in their context. A query or mutation's span
// ends once its response is made; a subscription's when its stream ends.
// A response with errors marks the span as failed, with the first error's
// message and error.type from its extensions' "code"
// (GRAPHQL_VALIDATION_FAILED...) or "_OTHER". Documents that do not parse
// or validate are answered before any operation starts: they get no span
// (the HTTP span has the 422).
//
// The rules are in gqlgen.json beside this file; the hooks are reached from
// gqlgen through //go:linkname, so their signatures follow the convention
// of otelgo.dev/rules/api exactly.
package gqlgen

import (
	"context"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/lexer"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	semconv "otelgo.dev/rules/internal/semconv"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/goroutine"
	"otelgo.dev/rules/internal/telemetry"
)

// ScopeName is the instrumentation scope of the spans made here.
const ScopeName = "otelgo.dev/rules/gqlgen"

// NewOnExit is the OnExit hook of
//
//	func New(es graphql.ExecutableSchema) *Server
//
// in gqlgen's graphql/handler (server.go): the new server gets the tracing
// extension.
func NewOnExit(_ api.CallContext, srv *handler.Server) {
	if srv != nil {
		srv.Use(tracer{})
	}
}

// tracer is the gqlgen extension that traces operations.
type tracer struct{}

var (
	_ graphql.HandlerExtension     = tracer{}
	_ graphql.OperationInterceptor = tracer{}
)

func (tracer) ExtensionName() string                   { return "OtelgoTracing" }
func (tracer) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation starts the operation's span and ends it with the last
// response the operation makes.
func (tracer) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	spanCtx, op := start(ctx)
	if op == nil {
		return next(ctx)
	}
	h := next(spanCtx)
	if h == nil {
		op.end(nil)
		return h
	}
	return func(ctx context.Context) *graphql.Response {
		resp := h(ctx)
		op.respond(resp)
		return resp
	}
}

// operation is one operation being traced.
type operation struct {
	span         trace.Span
	subscription bool
	once         sync.Once
}

func start(ctx context.Context) (_ context.Context, op *operation) {
	defer func() {
		if recover() != nil {
			op = nil
		}
	}()
	if !graphql.HasOperationContext(ctx) {
		return ctx, nil
	}
	oc := graphql.GetOperationContext(ctx)
	name := "GraphQL Operation"
	var attrs []attribute.KeyValue
	sub := false
	if oc.Operation != nil {
		switch oc.Operation.Operation {
		case ast.Query:
			attrs = append(attrs, semconv.GraphQLOperationTypeQuery)
		case ast.Mutation:
			attrs = append(attrs, semconv.GraphQLOperationTypeMutation)
		case ast.Subscription:
			attrs = append(attrs, semconv.GraphQLOperationTypeSubscription)
			sub = true
		}
		if len(attrs) > 0 {
			name = string(oc.Operation.Operation)
		}
	}
	opName := oc.OperationName
	if opName == "" && oc.Operation != nil {
		opName = oc.Operation.Name
	}
	if opName != "" {
		attrs = append(attrs, semconv.GraphQLOperationName(opName))
	}
	if doc := sanitize(oc.RawQuery); doc != "" {
		attrs = append(attrs, semconv.GraphQLDocument(doc))
	}
	spanCtx, span := telemetry.Tracer(ScopeName).Start(goroutine.Context(ctx), name,
		trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(attrs...))
	return spanCtx, &operation{span: span, subscription: sub}
}

// respond sees each response of the operation: nil ends a subscription's
// stream; a query or mutation makes one.
func (op *operation) respond(resp *graphql.Response) {
	if op.subscription && resp != nil && len(resp.Errors) == 0 {
		return
	}
	op.end(resp)
}

func (op *operation) end(resp *graphql.Response) {
	op.once.Do(func() {
		defer func() { _ = recover() }()
		if resp != nil && len(resp.Errors) > 0 {
			first := resp.Errors[0]
			errType := "_OTHER"
			if code, ok := first.Extensions["code"].(string); ok && code != "" {
				errType = code
			}
			op.span.SetAttributes(semconv.ErrorTypeKey.String(errType))
			op.span.SetStatus(codes.Error, first.Message)
		}
		op.span.End()
	})
}

// maxDocument bounds the documents recorded as graphql.document.
const maxDocument = 16 << 10

// sanitize returns doc with its literal values replaced by "?" and its
// comments and commas (insignificant in GraphQL) dropped, tokens separated
// by one space (none inside parentheses and brackets, after $, @ and ...,
// before : and !); "" for a document too long or that does not lex.
func sanitize(doc string) string {
	if doc == "" || len(doc) > maxDocument {
		return ""
	}
	lx := lexer.New(&ast.Source{Input: doc})
	var b strings.Builder
	b.Grow(len(doc))
	prev := lexer.Invalid
	for {
		tok, err := lx.ReadToken()
		if err != nil {
			return ""
		}
		switch tok.Kind {
		case lexer.EOF:
			return b.String()
		case lexer.Comment:
			continue
		}
		text := tok.Value
		switch tok.Kind {
		case lexer.String, lexer.BlockString, lexer.Int, lexer.Float:
			text = "?"
		case lexer.Name:
		default:
			if text = punctuators[tok.Kind]; text == "" {
				return ""
			}
		}
		if prev != lexer.Invalid && spaced(prev, tok.Kind) {
			b.WriteByte(' ')
		}
		b.WriteString(text)
		prev = tok.Kind
	}
}

// punctuators spells the lexer's punctuation tokens (whose Value is empty).
var punctuators = map[lexer.Type]string{
	lexer.Bang: "!", lexer.Dollar: "$", lexer.Amp: "&", lexer.ParenL: "(", lexer.ParenR: ")",
	lexer.Spread: "...", lexer.Colon: ":", lexer.Equals: "=", lexer.At: "@", lexer.BracketL: "[",
	lexer.BracketR: "]", lexer.BraceL: "{", lexer.BraceR: "}", lexer.Pipe: "|",
}

// spaced reports whether a space goes between tokens of kinds a and b.
func spaced(a, b lexer.Type) bool {
	switch a {
	case lexer.ParenL, lexer.BracketL, lexer.Dollar, lexer.At, lexer.Spread:
		return false
	}
	switch b {
	case lexer.ParenL, lexer.ParenR, lexer.BracketR, lexer.Colon, lexer.Bang:
		return false
	}
	return true
}
