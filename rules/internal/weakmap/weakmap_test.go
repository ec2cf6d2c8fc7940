package weakmap

import (
	"database/sql"
	"runtime"
	"testing"
	"time"
)

type info struct{ query string }

func TestWeakMapForgets(t *testing.T) {
	var m Map[sql.Stmt, *info]
	for i := 0; i < 100; i++ {
		m.Store(new(sql.Stmt), &info{query: "x"})
	}
	kept := new(sql.Stmt)
	m.Store(kept, &info{query: "kept"})
	deadline := time.Now().Add(5 * time.Second)
	for m.Len() > 1 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if n := m.Len(); n != 1 {
		t.Fatalf("%d entries left, want 1", n)
	}
	if v, ok := m.Load(kept); !ok || v.query != "kept" {
		t.Fatalf("kept entry lost: %v %v", v, ok)
	}
	runtime.KeepAlive(kept)
	m.Remove(kept)
	if m.Len() != 0 {
		t.Fatal("remove left the entry")
	}
}
