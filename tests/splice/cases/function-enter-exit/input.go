// function-enter-exit: a function rule with OnEnter and OnExit. The enter
// hook gets the parameters, the exit hook the results; the call site sits on
// the line of the body's opening brace, so no line of the file moves.

package kv

import "strings"

// Lookup returns the value of key in a list like "a=1;b=2".
func Lookup(list, key string) (value string, ok bool) {
	for _, kv := range strings.Split(list, ";") {
		if k, v, found := strings.Cut(kv, "="); found && k == key {
			return v, true
		}
	}
	return "", false
}
