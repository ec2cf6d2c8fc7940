// Package greeting is a module of its own, replaced by a directory in the
// main module's go.mod: vendor/modules.txt records that replacement.
package greeting

// For says hello.
func For(name string) string { return "hello " + name }
