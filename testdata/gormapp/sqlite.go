//go:build !nosqlite

package main

import "github.com/glebarez/sqlite"

func init() { dialects["sqlite"] = sqlite.Open }
