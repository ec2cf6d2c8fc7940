// named-and-unnamed-results: results are named so that the exit trampoline
// can read them: a single unnamed result is wrapped, (otelgoR0 int); several
// unnamed ones are named in place; a blank one is renamed, named ones stay.

package words

import "strings"

// Count has a single unnamed result.
func Count(s string) int { return len(strings.Fields(s)) }

// Split has several unnamed results.
func Split(s, sep string) (string, string, bool) {
	return strings.Cut(s, sep)
}

// Head has a blank result beside a named one.
func Head(s string) (_ string, rest []string) {
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return "", nil
	}
	return fields[0], fields[1:]
}
