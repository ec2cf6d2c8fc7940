// Package benchstats lets bench/runtime.py read the Go runtime's own
// counters of this process: when BENCH_STATS_ADDR is set, every connection
// to that TCP address gets one line of JSON and is closed. It is plain TCP,
// not net/http, so that no instrumentation (otelgo's or the twin's) sees
// it. testdata/bench/service and testdata/bench/twin hold the same file.
//
// The fields come from runtime.ReadMemStats, which stops the world and
// flushes every P's allocation cache first, so Mallocs counts every heap
// allocation made up to the call exactly (runtime/metrics'
// /gc/heap/allocs:objects leaves out those of spans still cached by a P).
package benchstats

import (
	"encoding/json"
	"log/slog"
	"net"
	"os"
	"runtime"
)

// Stats is one reading.
type Stats struct {
	Mallocs    uint64 `json:"mallocs"`     // heap objects allocated so far
	TotalAlloc uint64 `json:"total_alloc"` // bytes allocated so far
	HeapInuse  uint64 `json:"heap_inuse"`  // bytes in in-use spans
	HeapAlloc  uint64 `json:"heap_alloc"`  // bytes of live and not yet swept objects
	Sys        uint64 `json:"sys"`         // bytes obtained from the OS
	NumGC      uint32 `json:"num_gc"`
	Goroutines int    `json:"goroutines"`
}

// Read takes a reading.
func Read() Stats {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return Stats{
		Mallocs:    m.Mallocs,
		TotalAlloc: m.TotalAlloc,
		HeapInuse:  m.HeapInuse,
		HeapAlloc:  m.HeapAlloc,
		Sys:        m.Sys,
		NumGC:      m.NumGC,
		Goroutines: runtime.NumGoroutine(),
	}
}

// Start serves readings on $BENCH_STATS_ADDR, if set.
func Start() {
	addr := os.Getenv("BENCH_STATS_ADDR")
	if addr == "" {
		return
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		slog.Error("bench stats", "error", err)
		return
	}
	slog.Info("bench stats", "addr", lis.Addr().String())
	go func() {
		for {
			conn, err := lis.Accept()
			if err != nil {
				return
			}
			json.NewEncoder(conn).Encode(Read()) //nolint:errcheck // the reader sees a short line
			conn.Close()
		}
	}()
}
