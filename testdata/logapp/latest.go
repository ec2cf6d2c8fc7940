//go:build !lowest

package main

import (
	"context"

	"github.com/golang/glog"
	"go.uber.org/zap"
)

// The cases that need a newer library than the lowest tested: zap's
// Logger.WithLazy (v1.27.0), zerolog's Event.Ctx (v1.31.0), glog's
// InfoContextf (v1.2.0).
func init() {
	extraZap = func(ctx context.Context, where string) {
		zlogger.WithLazy(zap.Any("context", ctx)).Info("zap withlazy", zap.String("case", "zap.withlazy"), zap.String("where", where))
	}
	extraMore = func(ctx context.Context, where string) {
		zl.Info().Ctx(ctx).Str("case", "zerolog.ctx").Str("where", where).Msg("zerolog ctx")
		glog.InfoContextf(ctx, "glog ctx case=glog.ctx where=%s", where)
	}
}
