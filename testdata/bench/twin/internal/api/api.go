// Package api is the service's HTTP API, routed by gin.
package api

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin"

	"example.com/benchtwin/internal/cache"
	"example.com/benchtwin/internal/health"
	"example.com/benchtwin/internal/store"
)

// Deps is what the handlers use.
type Deps struct {
	Store   *store.Store
	Cache   *cache.Cache
	Health  *health.Client
	Client  *http.Client // for calls to other services
	SelfURL string       // this service's base URL, the "other service" of /proxy
	Version string
}

// New returns the routes.
func New(d Deps) *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(otelgin.Middleware("twin"), gin.Recovery(), accessLog)
	h := &handlers{d}
	r.GET("/hello", h.hello)
	r.GET("/version", h.version)
	r.GET("/items", h.list)
	r.GET("/items/:id", h.get)
	r.POST("/items", h.create)
	r.GET("/healthz", h.healthz)
	r.GET("/proxy/items/:id", h.proxy)
	return r
}

// accessLog logs every request at debug level.
func accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	slog.DebugContext(c.Request.Context(), "request",
		"method", c.Request.Method, "route", c.FullPath(),
		"status", c.Writer.Status(), "duration", time.Since(start))
}

type handlers struct{ Deps }

func (h *handlers) hello(c *gin.Context) {
	c.String(http.StatusOK, "hello\n")
}

func (h *handlers) version(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"version": h.Version, "cache": h.Cache.Enabled()})
}

func (h *handlers) list(c *gin.Context) {
	limit, err := strconv.Atoi(c.DefaultQuery("limit", "20"))
	if err != nil || limit < 1 || limit > 100 {
		c.JSON(http.StatusBadRequest, gin.H{"error": "limit must be 1..100"})
		return
	}
	items, err := h.Store.List(c.Request.Context(), limit)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, items)
}

func (h *handlers) get(c *gin.Context) {
	ctx := c.Request.Context()
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		c.JSON(http.StatusBadRequest, gin.H{"error": "bad id"})
		return
	}
	if it, ok := h.Cache.Item(ctx, id); ok {
		c.JSON(http.StatusOK, it)
		return
	}
	it, err := h.Store.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		c.JSON(http.StatusNotFound, gin.H{"error": err.Error()})
		return
	}
	if err != nil {
		h.fail(c, err)
		return
	}
	if err := h.Cache.SetItem(ctx, it); err != nil {
		slog.WarnContext(ctx, "cache store failed", "id", id, "error", err)
	}
	c.JSON(http.StatusOK, it)
}

type newItem struct {
	Name  string `json:"name" binding:"required"`
	Price int64  `json:"price" binding:"gte=0"`
}

func (h *handlers) create(c *gin.Context) {
	var in newItem
	if err := c.ShouldBindJSON(&in); err != nil {
		c.JSON(http.StatusBadRequest, gin.H{"error": err.Error()})
		return
	}
	it, err := h.Store.Insert(c.Request.Context(), in.Name, in.Price)
	if err != nil {
		h.fail(c, err)
		return
	}
	slog.InfoContext(c.Request.Context(), "item created", "id", it.ID, "name", it.Name)
	c.JSON(http.StatusCreated, it)
}

func (h *handlers) healthz(c *gin.Context) {
	ctx := c.Request.Context()
	status, err := h.Health.Check(ctx, health.Service)
	if err != nil {
		h.fail(c, err)
		return
	}
	if err := h.Cache.Ping(ctx); err != nil {
		h.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"grpc": status, "cache": h.Cache.Enabled()})
}

// proxy fetches an item from "another service" (this one) over HTTP.
func (h *handlers) proxy(c *gin.Context) {
	ctx := c.Request.Context()
	url := fmt.Sprintf("%s/items/%s", h.SelfURL, c.Param("id"))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		h.fail(c, err)
		return
	}
	resp, err := h.Client.Do(req)
	if err != nil {
		h.fail(c, err)
		return
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		h.fail(c, err)
		return
	}
	c.Data(resp.StatusCode, resp.Header.Get("Content-Type"), body)
}

func (h *handlers) fail(c *gin.Context, err error) {
	slog.ErrorContext(c.Request.Context(), "request failed", "path", c.Request.URL.Path, "error", err)
	c.JSON(http.StatusInternalServerError, gin.H{"error": "internal error"})
}
