//go:build !lowest

package main

import (
	"context"

	"github.com/go-logr/logr"
	"go.opentelemetry.io/contrib/bridges/otellogr"
)

// otellogrLoggers logs through otellogr's sink. Left out of the lowest
// build (-tags lowest): otellogr's first release here (v0.10.0) needs an
// OpenTelemetry log API (v0.11.0) the lowest otelslog and otelzap (v0.6.0)
// do not build with.
func otellogrLoggers() []func(ctx context.Context) {
	ownLogr := logr.New(otellogr.NewLogSink("app/logr"))
	return []func(ctx context.Context){
		func(ctx context.Context) { ownLogr.Info("logr-bridge", "k", "v", "ctx", ctx) },
	}
}
