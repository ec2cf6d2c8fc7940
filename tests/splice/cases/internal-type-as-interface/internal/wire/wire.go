// Package wire is the internal package of internal-type-as-interface.
package wire

// Frame is one frame on the wire.
type Frame struct{ Length int }
