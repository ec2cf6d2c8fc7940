// back serves what front calls: a fiber v2 app on ADDR, a fiber v3 app on
// V3_ADDR, a hertz server on HERTZ_ADDR, and on HTTP_ADDR (net/http) the
// connect Books service and a gqlgen GraphQL endpoint.
package main

import (
	"context"
	"errors"
	"log"
	"net"
	"net/http"
	"os"

	"connectrpc.com/connect"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/cloudwego/hertz/pkg/app"
	"github.com/cloudwego/hertz/pkg/app/server"
	"github.com/gofiber/fiber/v2"
	fiberv3 "github.com/gofiber/fiber/v3"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"example.com/fastweb/shop"
)

func main() {
	v3ln := listen(os.Getenv("V3_ADDR"))
	httpln := listen(os.Getenv("HTTP_ADDR"))

	app3 := fiberv3.New()
	app3.Use(func(c fiberv3.Ctx) error { return c.Next() })
	app3.Get("/items/:sku", func(c fiberv3.Ctx) error {
		return c.SendString("item " + c.Params("sku"))
	})
	app3.Get("/fail", func(c fiberv3.Ctx) error { return errors.New("v3 handler failed") })
	go func() { log.Fatal(app3.Listener(v3ln, fiberv3.ListenConfig{DisableStartupMessage: true})) }()

	h := server.Default(server.WithHostPorts(os.Getenv("HERTZ_ADDR")), server.WithDisablePrintRoute(true))
	h.GET("/orders/:id", func(_ context.Context, c *app.RequestContext) {
		c.String(http.StatusOK, "order "+c.Param("id"))
	})
	h.GET("/crash", func(context.Context, *app.RequestContext) { panic("hertz handler crashed") })
	go func() { log.Fatal(h.Run()) }()

	mux := http.NewServeMux()
	mux.Handle(shop.GetProcedure, connect.NewUnaryHandler(shop.GetProcedure, getBook, connect.WithCodec(shop.JSONCodec{})))
	mux.Handle(shop.ListProcedure, connect.NewServerStreamHandler(shop.ListProcedure, listBooks, connect.WithCodec(shop.JSONCodec{})))
	mux.Handle("/query", handler.NewDefaultServer(schema()))
	go func() { log.Fatal(http.Serve(httpln, mux)) }()

	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Use(func(c *fiber.Ctx) error { return c.Next() })
	api := app.Group("/api")
	api.Get("/users/:id", func(c *fiber.Ctx) error {
		return c.SendString("user " + c.Params("id"))
	})
	app.Get("/fail", func(c *fiber.Ctx) error { return errors.New("v2 handler failed") })
	log.Fatal(app.Listener(listen(os.Getenv("ADDR"))))
}

func listen(addr string) net.Listener {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		log.Fatal(err)
	}
	return ln
}

var books = map[string]string{"1": "Dune", "2": "Emma", "3": "Ulysses"}

func getBook(_ context.Context, req *connect.Request[shop.BookRequest]) (*connect.Response[shop.Book], error) {
	title, ok := books[req.Msg.ID]
	if !ok {
		return nil, connect.NewError(connect.CodeNotFound, errors.New("no book "+req.Msg.ID))
	}
	return connect.NewResponse(&shop.Book{ID: req.Msg.ID, Title: title}), nil
}

func listBooks(_ context.Context, _ *connect.Request[shop.BookRequest], stream *connect.ServerStream[shop.Book]) error {
	for _, id := range []string{"1", "2", "3"} {
		if err := stream.Send(&shop.Book{ID: id, Title: books[id]}); err != nil {
			return err
		}
	}
	return nil
}

const schemaSource = `
type Query { book(id: ID!): Book  shelf: [Book!] }
type Mutation { addBook(title: String!): Book }
type Book { id: ID!  title: String! }
`

// schema is a hand-written executable schema (no generated code, so that
// one program builds with every gqlgen release tested): it answers the
// operation's first field.
func schema() graphql.ExecutableSchema {
	parsed := gqlparser.MustLoadSchema(&ast.Source{Name: "schema.graphql", Input: schemaSource})
	return &graphql.ExecutableSchemaMock{
		SchemaFunc: func() *ast.Schema { return parsed },
		ExecFunc: func(ctx context.Context) graphql.ResponseHandler {
			op := graphql.GetOperationContext(ctx).Operation
			field := ""
			if len(op.SelectionSet) > 0 {
				if f, ok := op.SelectionSet[0].(*ast.Field); ok {
					field = f.Name
				}
			}
			switch field {
			case "book":
				return graphql.OneShot(&graphql.Response{Data: []byte(`{"book":{"id":"1","title":"Dune"}}`)})
			case "addBook":
				return graphql.OneShot(&graphql.Response{Data: []byte(`{"addBook":{"id":"4","title":"Middlemarch"}}`)})
			}
			return graphql.OneShot(&graphql.Response{
				Data:   []byte(`{"shelf":null}`),
				Errors: gqlerror.List{{Message: "the shelf is locked", Extensions: map[string]any{"code": "SHELF_LOCKED"}}},
			})
		},
	}
}
