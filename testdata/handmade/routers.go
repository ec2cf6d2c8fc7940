package main

import (
	"log"
	"net/http"
	"os"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/mux"
	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin"
	"go.opentelemetry.io/contrib/instrumentation/github.com/gorilla/mux/otelmux"
	"go.opentelemetry.io/contrib/instrumentation/github.com/labstack/echo/otelecho"
)

// serveRouters serves GET /items/{id} with gin, echo and gorilla/mux, each
// traced by its own contrib middleware, on $GIN_ADDR, $ECHO_ADDR and $MUX_ADDR.
func serveRouters() {
	gin.SetMode(gin.ReleaseMode)
	g := gin.New()
	g.Use(otelgin.Middleware("handmade"))
	g.GET("/items/:id", func(c *gin.Context) { c.String(http.StatusOK, "gin %s", c.Param("id")) })
	go serve("GIN_ADDR", g)

	e := echo.New()
	e.Use(otelecho.Middleware("handmade"))
	e.GET("/items/:id", func(c echo.Context) error { return c.String(http.StatusOK, "echo "+c.Param("id")) })
	go serve("ECHO_ADDR", e)

	m := mux.NewRouter()
	m.Use(otelmux.Middleware("handmade"))
	m.HandleFunc("/items/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("mux " + mux.Vars(r)["id"]))
	}).Methods(http.MethodGet)
	go serve("MUX_ADDR", m)
}

// routersBehind are routers with their own middleware that the program
// serves behind its ServeMux and a middleware, not as the server's handler:
// GET {prefix}items/{id}, by prefix.
func routersBehind() map[string]http.Handler {
	g := gin.New()
	g.Use(otelgin.Middleware("handmade"))
	g.GET("/gin/items/:id", func(c *gin.Context) { c.String(http.StatusOK, "gin behind %s", c.Param("id")) })

	e := echo.New()
	e.Use(otelecho.Middleware("handmade"))
	e.GET("/echo/items/:id", func(c echo.Context) error { return c.String(http.StatusOK, "echo behind "+c.Param("id")) })

	m := mux.NewRouter()
	m.Use(otelmux.Middleware("handmade"))
	m.HandleFunc("/mux/items/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("mux behind " + mux.Vars(r)["id"]))
	}).Methods(http.MethodGet)
	return map[string]http.Handler{"/gin/": g, "/echo/": e, "/mux/": m}
}

func serve(env string, h http.Handler) {
	log.Fatal(http.ListenAndServe(os.Getenv(env), h))
}
