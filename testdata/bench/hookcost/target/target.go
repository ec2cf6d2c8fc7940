// Package target has identical functions for bench/hookcost: Plain is never
// hooked; otelhooks/rules.json hooks Noop, Gated and Traced (OnEnter and
// OnExit), each with hooks that do a different amount of work. PlainCtx and
// Spanned are another such pair: Spanned has an //otel:span comment. None of
// them is inlined, so that every call is a real call in every case.
package target

import (
	"context"
	"errors"
)

// Plain is not hooked: the baseline.
//
//go:noinline
func Plain(a, b int) int { return a + b }

// Noop is hooked by hooks with empty bodies: the cost of the trampolines.
//
//go:noinline
func Noop(a, b int) int { return a + b }

// Gated is hooked by hooks that return at once when HOOKCOST_DISABLED is
// set (read once at start-up): instrumentation disabled at run time.
//
//go:noinline
func Gated(a, b int) int { return a + b }

// Traced is hooked by hooks that start and end a span from the global
// TracerProvider: with OTEL_SDK_DISABLED=true that is the no-op provider.
//
//go:noinline
func Traced(a, b int) int { return a + b }

// PlainCtx is not instrumented: the baseline of Spanned.
//
//go:noinline
func PlainCtx(ctx context.Context, a, b int) (int, error) {
	if ctx == nil {
		return 0, errNoContext
	}
	return a + b, nil
}

// Spanned gets a span from otelgo's //otel:span support;
// OTELGO_SPANS_DISABLED=true turns that span off at run time.
//
//otel:span
//go:noinline
func Spanned(ctx context.Context, a, b int) (int, error) {
	if ctx == nil {
		return 0, errNoContext
	}
	return a + b, nil
}

var errNoContext = errors.New("no context")
