//go:build nologrus

package main

func logrusLoggers() loggers { return nil }
