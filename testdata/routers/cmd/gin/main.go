// Command gin serves, on $ADDR, with gin:
//
//	GET /users/:id        200 "user ID"
//	GET /users/:id/panic  the handler panics (no gin.Recovery: net/http recovers)
//	GET /api/items/:id    200 "item ID" (a route group)
//	GET /admin/:section   403 from a middleware that aborts before the handler
//	anything else         gin's 404
package main

import (
	"log"
	"net/http"
	"os"

	"github.com/gin-gonic/gin"
)

func main() {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/users/:id", func(c *gin.Context) {
		c.String(http.StatusOK, "user %s", c.Param("id"))
	})
	r.GET("/users/:id/panic", func(c *gin.Context) {
		panic("handler failed for user " + c.Param("id"))
	})
	api := r.Group("/api")
	api.GET("/items/:id", func(c *gin.Context) {
		c.String(http.StatusOK, "item %s", c.Param("id"))
	})
	admin := r.Group("/admin", func(c *gin.Context) {
		c.AbortWithStatus(http.StatusForbidden)
	})
	admin.GET("/:section", func(c *gin.Context) {
		c.String(http.StatusOK, "admin %s", c.Param("section"))
	})
	log.Fatal(http.ListenAndServe(os.Getenv("ADDR"), r))
}
