package main

import (
	"net/http"

	"github.com/labstack/echo"
)

func echov3Router() http.Handler {
	e := echo.New()
	e.HideBanner = true
	e.GET("/users/:id", func(c echo.Context) error {
		return c.String(http.StatusOK, user(c.Param("id")))
	})
	e.GET("/users/:id/fail", func(c echo.Context) error {
		return errFailed
	})
	e.GET("/users/:id/panic", func(c echo.Context) error {
		panic("handler failed for user " + c.Param("id"))
	})
	api := e.Group("/api")
	api.GET("/items/:id", func(c echo.Context) error {
		return c.String(http.StatusOK, item(c.Param("id")))
	})
	admin := e.Group("/admin", func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			return echo.NewHTTPError(http.StatusForbidden, "forbidden")
		}
	})
	admin.GET("/:section", func(c echo.Context) error {
		return c.String(http.StatusOK, "admin "+c.Param("section"))
	})
	return e
}
