package nethttp

import "sync/atomic"

// ready is set once this package is initialised, and the OpenTelemetry
// packages and helpers it uses with it. A package initialised before it
// (the go command initialises packages whose import paths sort first
// first) may serve or send HTTP requests from its init: its hooks then leave
// those untraced, as no SDK is set up before main's init anyway, rather than
// use what is not made yet.
var ready atomic.Bool

func init() { ready.Store(true) }
