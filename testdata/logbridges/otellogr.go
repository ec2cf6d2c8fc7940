//go:build otellogr

package main

import (
	"context"

	"github.com/go-logr/logr"
	"go.opentelemetry.io/contrib/bridges/otellogr"
)

// otellogrLoggers logs through otellogr's sink. Built with -tags otellogr
// and otellogr.mod only: the newest otellogr the module proxy serves here
// (v0.18.0) does not build with the OpenTelemetry log API of the newest
// otelslog, otelzap and otellogrus (v1.47.0, go.mod), nor its first
// release (v0.10.0, log API v0.11.0) with the lowest of those (v0.6.0,
// oldest.mod).
func otellogrLoggers() []func(ctx context.Context) {
	ownLogr := logr.New(otellogr.NewLogSink("app/logr"))
	return []func(ctx context.Context){
		func(ctx context.Context) { ownLogr.Info("logr-bridge", "k", "v", "ctx", ctx) },
	}
}
