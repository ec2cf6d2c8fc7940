// A file of the same package without the comment.

package svc

// Serve is traced.
func Serve(path string) int { return len(path) }
