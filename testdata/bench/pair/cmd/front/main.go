// Command front is the first service of testdata/bench/pair: a gin API
// that caches in Redis (redigo) and asks cmd/back over HTTP for what it
// does not have. It has no OpenTelemetry code; see cmd/back.
//
// Configuration: ADDR (default 127.0.0.1:8080), BACK_URL (default
// http://127.0.0.1:8081), REDIS_ADDR (default 127.0.0.1:6379).
package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gomodule/redigo/redis"
)

// version is reported by /version. bench/build.py edits this line for the
// one-line-edit rebuild.
const version = "bench-0"

func main() {
	if err := run(); err != nil {
		slog.Error("front failed", "error", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	pool := &redis.Pool{
		MaxIdle:     8,
		IdleTimeout: time.Minute,
		DialContext: func(ctx context.Context) (redis.Conn, error) {
			return redis.DialContext(ctx, "tcp", env("REDIS_ADDR", "127.0.0.1:6379"))
		},
	}
	defer pool.Close()
	back := env("BACK_URL", "http://127.0.0.1:8081")
	client := &http.Client{Timeout: 5 * time.Second}

	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.Recovery())
	r.GET("/version", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"version": version}) })
	r.GET("/orders/:id", func(c *gin.Context) {
		ctx := c.Request.Context()
		key := "order:" + c.Param("id")
		conn, err := pool.GetContext(ctx)
		if err == nil {
			defer conn.Close()
			if body, err := redis.Bytes(conn.Do("GET", key)); err == nil {
				c.Data(http.StatusOK, "application/json", body)
				return
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, back+"/orders/"+c.Param("id"), nil)
		if err != nil {
			c.JSON(http.StatusInternalServerError, gin.H{"error": err.Error()})
			return
		}
		resp, err := client.Do(req)
		if err != nil {
			slog.ErrorContext(ctx, "back failed", "error", err)
			c.JSON(http.StatusBadGateway, gin.H{"error": "back failed"})
			return
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			c.JSON(http.StatusBadGateway, gin.H{"error": "back failed"})
			return
		}
		if resp.StatusCode == http.StatusOK && conn != nil {
			conn.Do("SET", key, body, "EX", 60) //nolint:errcheck // a cache
		}
		c.Data(resp.StatusCode, "application/json", body)
	})
	srv := &http.Server{Addr: env("ADDR", "127.0.0.1:8080"), Handler: r, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown) //nolint:errcheck // exiting anyway
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
