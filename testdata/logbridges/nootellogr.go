//go:build !otellogr

package main

import "context"

func otellogrLoggers() []func(ctx context.Context) { return nil }
