// Command echo serves, on $ADDR, with echo:
//
//	GET /users/:id        200 "user ID"
//	GET /users/:id/panic  the handler panics (no Recover middleware: net/http recovers)
//	GET /api/items/:id    200 "item ID" (a route group)
//	GET /admin/:section   403 from a middleware that refuses before the handler
//	anything else         echo's 404
package main

import (
	"log"
	"net/http"
	"os"

	"github.com/labstack/echo/v4"
)

func main() {
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.GET("/users/:id", func(c echo.Context) error {
		return c.String(http.StatusOK, "user "+c.Param("id"))
	})
	e.GET("/users/:id/panic", func(c echo.Context) error {
		panic("handler failed for user " + c.Param("id"))
	})
	api := e.Group("/api")
	api.GET("/items/:id", func(c echo.Context) error {
		return c.String(http.StatusOK, "item "+c.Param("id"))
	})
	admin := e.Group("/admin", func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			return echo.NewHTTPError(http.StatusForbidden)
		}
	})
	admin.GET("/:section", func(c echo.Context) error {
		return c.String(http.StatusOK, "admin "+c.Param("section"))
	})
	log.Fatal(e.Start(os.Getenv("ADDR")))
}
