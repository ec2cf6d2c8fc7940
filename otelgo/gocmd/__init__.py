"""The go command: the command line a user typed, `go env` and `go list`."""
