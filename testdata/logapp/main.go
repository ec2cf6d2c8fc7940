// logapp serves GET /log?req=N, whose handler writes the same set of records
// through log/slog, logrus, zap, the standard log package, zerolog, logr
// (zapr, stdr and funcr sinks), klog and glog as the program does at
// start-up and at shutdown, outside any request. Every record is a line on
// stdout (JSON, or text for the log package, slog's default logger and
// stdr), or on stderr for klog and glog, with a "case" naming the call and
// a "where" naming the moment.
// It contains no OpenTelemetry code.
package main

import (
	"context"
	"errors"
	"log"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/sirupsen/logrus"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

var (
	slogger = slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{AddSource: true}))
	zlogger = zap.New(zapcore.NewCore(
		zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()),
		zapcore.Lock(os.Stdout),
		zapcore.InfoLevel,
	), zap.AddCaller())
	lr = logrus.New()
)

// extraZap logs the cases that need a newer zap than the lowest tested
// (latest.go); nil when built with -tags lowest.
var extraZap func(ctx context.Context, where string)

// logAll writes one record per case, all with ctx and where.
func logAll(ctx context.Context, where string) {
	slogger.InfoContext(ctx, "slog ctx", "case", "slog.ctx", "where", where)
	slogger.Log(ctx, slog.LevelWarn, "slog log", "case", "slog.log", "where", where)
	slogger.LogAttrs(ctx, slog.LevelInfo, "slog attrs", slog.String("case", "slog.attrs"), slog.String("where", where))
	slogger.WithGroup("g").InfoContext(ctx, "slog group", "case", "slog.group", "where", where)
	slogger.DebugContext(ctx, "slog debug (disabled)", "case", "slog.debug", "where", where)
	slog.InfoContext(ctx, "slog default", "case", "slog.default", "where", where)
	slogger.Info("slog no ctx", "case", "slog.noctx", "where", where)
	slog.Info("slog default no ctx", "case", "slog.defaultnoctx", "where", where)

	lr.WithContext(ctx).WithField("case", "logrus.ctx").WithField("where", where).Info("logrus ctx")
	lr.WithContext(ctx).WithFields(logrus.Fields{"case": "logrus.warnf", "where": where}).Warnf("logrus %s", "warnf")
	lr.WithFields(logrus.Fields{"case": "logrus.noctx", "where": where}).Info("logrus no ctx")

	zlogger.Info("zap ctx field", zap.String("case", "zap.field"), zap.String("where", where), zap.Any("context", ctx))
	zlogger.Sugar().Infow("zap sugar", "case", "zap.sugar", "where", where, "context", ctx)
	zlogger.With(zap.Any("context", ctx)).Info("zap with", zap.String("case", "zap.with"), zap.String("where", where))
	if extraZap != nil {
		extraZap(ctx, where)
	}
	zlogger.Info("zap no ctx", zap.String("case", "zap.noctx"), zap.String("where", where))
	zlogger.Sugar().Infow("zap sugar no ctx", "case", "zap.sugarnoctx", "where", where)
	zlogger.With(zap.String("with", "x")).Info("zap with no ctx", zap.String("case", "zap.withnoctx"), zap.String("where", where))

	log.Printf("std log case=log.printf where=%s", where)
	log.Println("std log case=log.println where=" + where)
	logPanic(where)

	logMore(ctx, where)
}

// logPanic writes a record through log.Panicf, recovers, and writes whether
// the panic value is the message as written (without anything appended).
func logPanic(where string) {
	want := "std log case=log.panic where=" + where
	defer func() {
		r := recover()
		log.Printf("std log recovered case=log.recovered where=%s intact=%t", where, r == want)
	}()
	log.Panicf("std log case=log.panic where=%s", where)
}

func main() {
	log.SetOutput(os.Stdout)
	log.SetFlags(0)
	log.SetPrefix("stdlog: ")
	lr.SetOutput(os.Stdout)
	lr.SetFormatter(&logrus.JSONFormatter{})
	lr.SetReportCaller(true)
	setupMore()

	logAll(context.Background(), "startup")

	mux := http.NewServeMux()
	mux.HandleFunc("GET /log", func(w http.ResponseWriter, r *http.Request) {
		where := "request-" + r.URL.Query().Get("req")
		logAll(r.Context(), where)
		// A context without the request's span, inside the request.
		logAll(context.Background(), where+"-background")
		_, _ = w.Write([]byte("logged\n"))
	})
	srv := &http.Server{Addr: os.Getenv("ADDR"), Handler: mux}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		_ = srv.Shutdown(context.Background())
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
	logAll(context.Background(), "shutdown")
}
