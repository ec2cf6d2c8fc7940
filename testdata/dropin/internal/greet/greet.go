// Package greet is a plain dependency, not matched by any rule.
package greet

func Hello(name string) string { return "hello, " + name }
