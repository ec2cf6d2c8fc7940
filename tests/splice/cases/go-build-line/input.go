//go:build !otelgo_never

// go-build-line: a //go:build line must stay at the start of its line, so the
// /*line*/ directive goes right before `package`, not at the top of the file.

package env

import "os"

// Lookup reads an environment variable.
func Lookup(name string) (string, bool) { return os.LookupEnv(name) }
