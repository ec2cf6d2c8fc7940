// two-rules-order: two rules on one function, from two hook packages. The
// enter hooks run in Order (audit 1, metrics 2), the exit hooks in reverse
// Order; each hook package has its own switch.

package store

// Put sets m[key] and reports whether it replaced a value.
func Put(m map[string]string, key, value string) (replaced bool) {
	_, replaced = m[key]
	m[key] = value
	return replaced
}
