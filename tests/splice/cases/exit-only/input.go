// exit-only: a rule with OnExit alone, on a function whose results are
// unnamed. The splice names them (otelgoR0, otelgoR1) so that the exit
// trampoline can read and replace them; no enter hook is called.

package config

import "strconv"

// Port parses a TCP port number.
func Port(s string) (int, error) {
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		return 0, err
	}
	return int(n), nil
}
