// Command logbridges is a program that exports some of its loggers' records
// itself, through the official contrib log bridges, and others not: built
// with `otel go build` and run with OTEL_LOGS_EXPORTER=otlp, each record
// must arrive once, from the program's bridge where it has one, from
// otelgo's hooks otherwise. It does not set up an SDK itself: the bridges
// use the global LoggerProvider, which otelgo's bootstrap sets.
//
// GET /log logs one record per logger, inside the request's SERVER span,
// each with a message of its own (the logger's name); every logger also
// writes a line to stdout (the bridges' loggers through a tee), except the
// loggers that write to the bridge alone.
//
// The zap and logrus loggers (zap.go, logrus.go) are left out with the
// build tags nozap and nologrus, for the lowest otelslog and otelzap,
// whose OpenTelemetry the other bridges' lowest do not build with; the
// otellogr one (otellogr.go) is only in with the tag otellogr.
package main

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	"go.opentelemetry.io/contrib/bridges/otelslog"
)

// loggers logs one record per logger with ctx, the request's.
type loggers []func(ctx context.Context)

func setup() loggers {
	var ls loggers

	// slog: the bridge's handler alone, with and without the context.
	own := slog.New(otelslog.NewHandler("app/slog"))
	ls = append(ls, func(ctx context.Context) { own.InfoContext(ctx, "slog-bridge", "k", "v") })
	ls = append(ls, func(context.Context) { own.Warn("slog-bridge-noctx", "k", "v") })
	ownLogger := otelslog.NewLogger("app/slog-newlogger")
	ls = append(ls, func(ctx context.Context) { ownLogger.InfoContext(ctx, "slog-newlogger") })
	// slog: the bridge's handler beside a JSON handler (slog.NewMultiHandler, Go 1.26).
	multi := slog.New(slog.NewMultiHandler(jsonHandler(), otelslog.NewHandler("app/slog-multi")))
	ls = append(ls, func(ctx context.Context) { multi.InfoContext(ctx, "slog-multi", "k", "v") })
	ls = append(ls, func(context.Context) { multi.Warn("slog-multi-noctx", "k", "v") })
	// slog without a bridge: otelgo exports it.
	plain := slog.New(jsonHandler())
	ls = append(ls, func(ctx context.Context) { plain.InfoContext(ctx, "slog-plain", "k", "v") })

	ls = append(ls, zapLoggers()...)
	ls = append(ls, logrusLoggers()...)

	// logr: the bridge's sink (otellogr.go), and slog's bridge handler behind logr.
	ls = append(ls, otellogrLoggers()...)
	slogLogr := logr.FromSlogHandler(otelslog.NewHandler("app/logr-slog"))
	ls = append(ls, func(context.Context) { slogLogr.Info("logr-slog-bridge", "k", "v") })
	// logr without a bridge (funcr writes to stdout).
	plainLogr := funcr.NewJSON(func(obj string) { fmt.Println(obj) }, funcr.Options{})
	ls = append(ls, func(context.Context) { plainLogr.Info("logr-plain", "k", "v") })
	return ls
}

func jsonHandler() slog.Handler {
	return slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	})
}

func main() {
	ls := setup()
	http.HandleFunc("/log", func(w http.ResponseWriter, r *http.Request) {
		for _, l := range ls {
			l(r.Context())
		}
		fmt.Fprintln(w, "ok")
	})
	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	log.Fatal(http.ListenAndServe(addr, nil))
}
