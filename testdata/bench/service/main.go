// Command service is otelgo's realistic benchmark service: a gin HTTP API
// over SQLite (database/sql), a Redis cache (go-redis; off when REDIS_ADDR
// is unset), a gRPC health backend on loopback and slog logging. It has no
// OpenTelemetry code: `otel go build` instruments it. testdata/bench/twin is
// the same service instrumented by hand.
//
// Configuration: ADDR (default 127.0.0.1:8080), DB_DRIVER (sqlite, the
// default, or pgx: PostgreSQL through pgx's database/sql driver), DB_DSN
// (default an in-memory SQLite database), DB_POOL (connections PostgreSQL
// may have open, default 8; SQLite has one), REDIS_ADDR, LOG_LEVEL (debug,
// info, warn, error), BENCH_STATS_ADDR (see internal/benchstats).
package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"example.com/benchservice/internal/api"
	"example.com/benchservice/internal/benchstats"
	"example.com/benchservice/internal/cache"
	"example.com/benchservice/internal/health"
	"example.com/benchservice/internal/store"
)

// version is reported by /version. bench/build.py edits this line for the
// warm-rebuild benchmark.
const version = "bench-0"

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel()})))
	if err := run(); err != nil {
		slog.Error("service failed", "error", err)
		os.Exit(1)
	}
}

func run() error {
	benchstats.Start()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	pool, err := strconv.Atoi(env("DB_POOL", "8"))
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, env("DB_DRIVER", "sqlite"), env("DB_DSN", ":memory:"), pool, 100)
	if err != nil {
		return err
	}
	defer db.Close()

	c := cache.New(os.Getenv("REDIS_ADDR"))
	defer c.Close()

	hs, err := health.Start("127.0.0.1:0")
	if err != nil {
		return err
	}
	defer hs.Stop()
	hc, err := health.Dial(hs.Addr())
	if err != nil {
		return err
	}
	defer hc.Close()

	lis, err := net.Listen("tcp", env("ADDR", "127.0.0.1:8080"))
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler: api.New(api.Deps{
			Store:   db,
			Cache:   c,
			Health:  hc,
			Client:  &http.Client{Timeout: 5 * time.Second},
			SelfURL: "http://" + lis.Addr().String(),
			Version: version,
		}),
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown) //nolint:errcheck // exiting anyway
	}()
	slog.Info("listening", "addr", lis.Addr().String(), "version", version, "cache", c.Enabled())
	if err := srv.Serve(lis); err != nil && !errors.Is(err, http.ErrServerClosed) {
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

func logLevel() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(env("LOG_LEVEL", "info")))); err != nil {
		return slog.LevelInfo
	}
	return l
}
