//go:build !nozap

package main

import (
	"context"
	"os"

	"go.opentelemetry.io/contrib/bridges/otelzap"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

func zapLoggers() loggers {
	var ls loggers
	// zap: a tee of a JSON core and the bridge's core.
	tee := zap.New(zapcore.NewTee(jsonCore(), otelzap.NewCore("app/zap")))
	ls = append(ls, func(ctx context.Context) { tee.Info("zap-tee", zap.String("k", "v"), ctxField(ctx)) })
	ls = append(ls, func(context.Context) { tee.Warn("zap-tee-noctx", zap.String("k", "v")) })
	// zap: the bridge's core alone.
	only := zap.New(otelzap.NewCore("app/zap-only"))
	ls = append(ls, func(context.Context) { only.Info("zap-bridge", zap.String("k", "v")) })
	// zap: the bridge's core teed in by an option.
	wrapped := zap.New(jsonCore(), zap.WrapCore(func(c zapcore.Core) zapcore.Core {
		return zapcore.NewTee(c, otelzap.NewCore("app/zap-wrapcore"))
	}))
	ls = append(ls, func(ctx context.Context) { wrapped.Info("zap-wrapcore", ctxField(ctx)) })
	// zap without a bridge.
	plainZap := zap.New(jsonCore())
	ls = append(ls, func(context.Context) { plainZap.Info("zap-plain", zap.String("k", "v")) })
	return ls
}

func jsonCore() zapcore.Core {
	cfg := zap.NewProductionEncoderConfig()
	cfg.TimeKey, cfg.CallerKey = "", ""
	return zapcore.NewCore(zapcore.NewJSONEncoder(cfg), zapcore.Lock(os.Stdout), zapcore.DebugLevel)
}

// ctxField hands zap the request's context for otelzap, without writing it
// to the JSON line (zapcore.SkipType).
func ctxField(ctx context.Context) zap.Field {
	return zap.Field{Key: "context", Type: zapcore.SkipType, Interface: ctx}
}
