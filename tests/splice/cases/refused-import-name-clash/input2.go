// The second file of refused-import-name-clash.

package jobs

import "context"

// Stop stops a job.
func Stop(ctx context.Context, name string) error { return ctx.Err() }
