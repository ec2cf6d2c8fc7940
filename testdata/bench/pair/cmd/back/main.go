// Command back is the second service of testdata/bench/pair: an echo v4
// API over MySQL (go-sql-driver/mysql through database/sql) that
// cmd/front calls over HTTP. It has no OpenTelemetry code. bench/build.py
// builds both commands of the module in one `go build` (plain, with
// `otel go build`, and with the SDK set up by hand added) to measure the
// build cost on a program of two services.
//
// Configuration: ADDR (default 127.0.0.1:8081), MYSQL_DSN (default
// otelgo@tcp(127.0.0.1:3306)/otelgo).
package main

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	_ "github.com/go-sql-driver/mysql" // registers the "mysql" driver
	"github.com/labstack/echo/v4"
)

// version is reported by /version. bench/build.py edits this line for the
// one-line-edit rebuild.
const version = "bench-0"

type order struct {
	ID     int64  `json:"id"`
	Item   string `json:"item"`
	Amount int64  `json:"amount"`
}

func main() {
	if err := run(); err != nil {
		slog.Error("back failed", "error", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	db, err := sql.Open("mysql", env("MYSQL_DSN", "otelgo@tcp(127.0.0.1:3306)/otelgo"))
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(8)

	e := echo.New()
	e.HideBanner = true
	e.GET("/version", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"version": version})
	})
	e.GET("/orders/:id", func(c echo.Context) error {
		id, err := strconv.ParseInt(c.Param("id"), 10, 64)
		if err != nil {
			return c.JSON(http.StatusBadRequest, map[string]string{"error": "bad id"})
		}
		var o order
		err = db.QueryRowContext(c.Request().Context(),
			"SELECT id, item, amount FROM orders WHERE id = ?", id).Scan(&o.ID, &o.Item, &o.Amount)
		if errors.Is(err, sql.ErrNoRows) {
			return c.JSON(http.StatusNotFound, map[string]string{"error": "no such order"})
		}
		if err != nil {
			slog.ErrorContext(c.Request().Context(), "query failed", "error", err)
			return c.JSON(http.StatusInternalServerError, map[string]string{"error": "database"})
		}
		return c.JSON(http.StatusOK, o)
	})
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		e.Shutdown(shutdown) //nolint:errcheck // exiting anyway
	}()
	if err := e.Start(env("ADDR", "127.0.0.1:8081")); err != nil && !errors.Is(err, http.ErrServerClosed) {
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
