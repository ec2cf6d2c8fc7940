//go:build nozap

package main

func zapLoggers() loggers { return nil }
