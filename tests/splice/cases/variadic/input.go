// variadic: a variadic parameter ...T is a []T to the trampolines and the
// hook; an anonymous one is named like any unnamed parameter.

package logx

import (
	"fmt"
	"io"
)

// Printf has a named variadic parameter: the hook gets args as []any.
func Printf(w io.Writer, format string, args ...any) (int, error) {
	return fmt.Fprintf(w, format, args...)
}

// Discard ignores its anonymous variadic parameter.
func Discard(...int) {}
