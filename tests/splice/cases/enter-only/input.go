// enter-only: a rule with OnEnter alone, on a function without results. The
// exit trampoline is still deferred; it calls no hook.

package audit

import "fmt"

// Record appends an audit line.
func Record(log *[]string, user, action string) {
	*log = append(*log, fmt.Sprintf("%s: %s", user, action))
}
