package databasesql

import "sync/atomic"

// ready is set once this package is initialised. A package whose import
// path sorts before otelgo.dev is initialised first and may run queries
// from its init (a schema made in the same package as its *sql.DB): those
// run untraced, with no SDK set up yet, and the hooks do not reach for a
// tracer or instruments this package has not made. Open's hooks, which
// only note the driver and its address, work from the start: a *sql.DB
// made in a package variable is traced once main runs.
var ready atomic.Bool

func init() { ready.Store(true) }
