// Package words uses a dot import, which otelgo's splicer does not handle:
// a rule on Shout must leave the package compiled as it is, with a warning.
package words

import . "strings"

// Shout returns word in capitals with an exclamation mark.
func Shout(word string) string {
	return ToUpper(word) + "!"
}
