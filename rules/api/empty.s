// The runtime's environment is reached through //go:linkname (api.go):
// an assembly file, even empty, lets a Go function have no body.
