package gqlgen

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/calltest"
)

// The hook must fit the api convention for its target exactly.
var _ func(api.CallContext, *handler.Server) = NewOnExit

func TestOperationSpans(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	old := otel.GetTracerProvider()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec)))
	t.Cleanup(func() { otel.SetTracerProvider(old) })

	schema := gqlparser.MustLoadSchema(&ast.Source{Input: "type Query { a: String  b: String }"})
	var resolverSpan trace.Span
	srv := handler.New(&graphql.ExecutableSchemaMock{
		SchemaFunc: func() *ast.Schema { return schema },
		ExecFunc: func(ctx context.Context) graphql.ResponseHandler {
			resolverSpan = trace.SpanFromContext(ctx)
			if graphql.GetOperationContext(ctx).Operation.SelectionSet[0].(*ast.Field).Name == "b" {
				return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{Message: "no b"}}})
			}
			return graphql.OneShot(&graphql.Response{Data: []byte(`{"a":"x"}`)})
		},
	})
	srv.AddTransport(transport.POST{})
	NewOnExit(&calltest.Call{}, srv)
	hs := httptest.NewServer(srv)
	defer hs.Close()

	for _, q := range []string{`{"query":"query Q { a }"}`, `{"query":"{ b }"}`} {
		resp, err := http.Post(hs.URL, "application/json", strings.NewReader(q))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	spans := rec.Ended()
	if len(spans) != 2 {
		t.Fatalf("%d spans", len(spans))
	}
	a, b := spans[0], spans[1]
	if a.Name() != "query" || a.SpanKind() != trace.SpanKindServer || a.Status().Code != codes.Unset {
		t.Errorf("query span %s %v %v", a.Name(), a.SpanKind(), a.Status())
	}
	got := map[string]string{}
	for _, kv := range a.Attributes() {
		got[string(kv.Key)] = kv.Value.Emit()
	}
	if got["graphql.operation.type"] != "query" || got["graphql.operation.name"] != "Q" || got["graphql.document"] != "query Q { a }" || len(got) != 3 {
		t.Errorf("query span attributes %v", got)
	}
	if b.Status().Code != codes.Error || b.Status().Description != "no b" {
		t.Errorf("failed operation's status %v", b.Status())
	}
	if resolverSpan.SpanContext().SpanID() != b.SpanContext().SpanID() {
		t.Error("the resolvers did not run in the operation's span")
	}
}

func TestSanitize(t *testing.T) {
	for doc, want := range map[string]string{
		`query Find { book(id: "1") { title } }`: `query Find { book(id: ?) { title } }`,
		"query Q($id: ID! = 7, $f: [Float!]) {\n  # a comment\n  a(x: 1.5, s: \"\"\"secret\"\"\", e: RED, b: true, n: null) @include(if: $f) { ...F }\n}": "query Q($id: ID! = ? $f: [Float!]) { a(x: ? s: ? e: RED b: true n: null) @include(if: $f) { ...F } }",
		`{ a(list: ["x", "y"], obj: {k: "v"}) }`: `{ a(list: [? ?] obj: { k: ? }) }`,
		`{ a(s: "unterminated) }`:                ``,
	} {
		if got := sanitize(doc); got != want {
			t.Errorf("sanitize(%q)\n = %q\nwant %q", doc, got, want)
		}
	}
	if sanitize(strings.Repeat("{ a }", maxDocument)) != "" {
		t.Error("a document over the limit was kept")
	}
}
