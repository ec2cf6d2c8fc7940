//go:build !zaplowest

package main

import (
	"context"

	"go.uber.org/zap"
)

// Logger.WithLazy is in zap since v1.27.0.
func init() {
	extraZap = func(ctx context.Context, where string) {
		zlogger.WithLazy(zap.Any("context", ctx)).Info("zap withlazy", zap.String("case", "zap.withlazy"), zap.String("where", where))
	}
}
