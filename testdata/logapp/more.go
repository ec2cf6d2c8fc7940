package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"

	"github.com/go-logr/logr/funcr"
	"github.com/go-logr/stdr"
	"github.com/go-logr/zapr"
	"github.com/golang/glog"
	"github.com/rs/zerolog"
	"k8s.io/klog/v2"
)

// More loggers: zerolog (JSON on stdout), logr with three sinks (zapr onto
// the zap logger, stdr onto a log.Logger writing "stdr: " lines, funcr's
// JSON), klog and glog (their text lines on stderr).
var (
	zl         = zerolog.New(os.Stdout).With().Timestamp().Logger()
	zaprLogger = zapr.NewLogger(zlogger)
	stdrLogger = stdr.New(log.New(os.Stdout, "stdr: ", 0))
	funcrSink  = funcr.NewJSON(func(obj string) { fmt.Println(obj) }, funcr.Options{})
)

// extraMore logs the cases that need newer versions (latest.go).
var extraMore func(ctx context.Context, where string)

func setupMore() {
	// glog writes to files unless told otherwise.
	_ = flag.Set("logtostderr", "true")
}

func logMore(ctx context.Context, where string) {
	zl.Info().Str("case", "zerolog.info").Str("where", where).Msg("zerolog info")
	zl.Warn().Str("case", "zerolog.warnf").Str("where", where).Int("n", 7).Msgf("zerolog %s", "warnf")
	zlWith := zl.With().Str("case", "zerolog.with").Logger()
	zlWith.Info().Str("where", where).Msg("zerolog with")
	if extraMore != nil {
		extraMore(ctx, where)
	}

	zaprLogger.Info("logr zapr", "case", "logr.zapr", "where", where)
	zaprLogger.Info("logr zapr ctx", "case", "logr.zaprctx", "where", where, "context", ctx)
	stdrLogger.Info("logr stdr", "case", "logr.stdr", "where", where)
	funcrSink.Info("logr funcr", "case", "logr.funcr", "where", where)
	funcrSink.Error(errors.New("boom"), "logr funcr error", "case", "logr.funcrerror", "where", where)
	funcrSink.V(1).Info("logr funcr v1 (disabled)", "case", "logr.disabled", "where", where)

	klog.InfoS("klog infos", "case", "klog.infos", "where", where)
	klog.Infof("klog infof case=klog.infof where=%s", where)
	klog.Warningf("klog warningf case=klog.warningf where=%s", where)
	klog.ErrorS(errors.New("boom"), "klog errors", "case", "klog.errors", "where", where)
	klog.FromContext(ctx).Info("klog logr", "case", "klog.logr", "where", where)

	glog.Infof("glog infof case=glog.infof where=%s", where)
	glog.Warning("glog warning case=glog.warning where=", where)
}
