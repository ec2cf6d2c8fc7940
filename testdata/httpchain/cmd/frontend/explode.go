package main

// explode panics. The tests look for this file and the line of the panic
// call in the stack trace that net/http logs, so keep the call on a line of
// its own.
func explode() {
	panic("explode: deliberate panic in a handler")
}
