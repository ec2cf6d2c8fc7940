// refused-dot-import: a file the splice would edit may not dot-import a
// package (a hook's types could not be told from the package's own); the
// package is compiled without instrumentation.

package text

import . "strings"

// Shout upper-cases s.
func Shout(s string) string { return ToUpper(s) + "!" }
