// unnamed-and-blank-params: the trampolines take the address of every
// receiver and parameter, so the splice names those that are unnamed or
// blank: otelgoRecv for the receiver, otelgoPN for the Nth parameter.

package handler

// Server ignores some of what it is given.
type Server struct{}

// Serve has an unnamed receiver and unnamed parameters.
func (Server) Serve(string, int) {}

// Reset has a blank receiver and blank parameters beside a named one.
func (_ *Server) Reset(_ bool, reason string, _ ...int) {
	println("reset:", reason)
}
