// refused-import-name-clash: the trampolines file imports each package under
// one name, but context is stdctx here and context in input2.go, and both
// files have a target with a context parameter.

package jobs

import stdctx "context"

// Start starts a job.
func Start(ctx stdctx.Context, name string) error { return ctx.Err() }
