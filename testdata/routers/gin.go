package main

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func ginRouter() http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/users/:id", func(c *gin.Context) {
		c.String(http.StatusOK, user(c.Param("id")))
	})
	r.GET("/users/:id/fail", func(c *gin.Context) {
		_ = c.AbortWithError(http.StatusInternalServerError, errFailed)
	})
	r.GET("/users/:id/panic", func(c *gin.Context) {
		panic("handler failed for user " + c.Param("id"))
	})
	api := r.Group("/api")
	api.GET("/items/:id", func(c *gin.Context) {
		c.String(http.StatusOK, item(c.Param("id")))
	})
	admin := r.Group("/admin", func(c *gin.Context) {
		c.AbortWithStatus(http.StatusForbidden)
	})
	admin.GET("/:section", func(c *gin.Context) {
		c.String(http.StatusOK, "admin "+c.Param("section"))
	})
	return r
}
