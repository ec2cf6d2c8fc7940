package databasesql

import (
	"context"
	"database/sql"
	"runtime"
	"testing"
	"time"

	"otelgo.dev/rules/api"
)

// The hooks must fit the api convention for their targets exactly.
var (
	_ func(api.CallContext, *sql.DB)                                                                    = OpenDBOnExit
	_ func(api.CallContext, *sql.DB, error)                                                             = OpenOnExit
	_ func(api.CallContext, *sql.DB, context.Context, context.Context, any, func(error), string, []any) = QueryDCOnEnter
	_ func(api.CallContext, *sql.Rows, error)                                                           = QueryDCOnExit
	_ func(api.CallContext, *sql.DB, context.Context, any, func(error), string, []any)                  = ExecDCOnEnter
	_ func(api.CallContext, sql.Result, error)                                                          = ExecDCOnExit
	_ func(api.CallContext, *sql.DB, context.Context, any, func(error), any, string)                    = PrepareDCOnEnter
	_ func(api.CallContext, *sql.Stmt, error)                                                           = PrepareDCOnExit
	_ func(api.CallContext, *sql.DB, context.Context, any, func(error), *sql.TxOptions)                 = BeginDCOnEnter
	_ func(api.CallContext, *sql.Tx, error)                                                             = BeginDCOnExit
	_ func(api.CallContext, *sql.Tx)                                                                    = TxCommitOnEnter
	_ func(api.CallContext, error)                                                                      = TxCommitOnExit
	_ func(api.CallContext, *sql.Tx, bool)                                                              = TxRollbackOnEnter
	_ func(api.CallContext, error)                                                                      = TxRollbackOnExit
	_ func(api.CallContext, *sql.Stmt)                                                                  = TxStmtOnExit
	_ func(api.CallContext, *sql.Stmt, context.Context, []any)                                          = StmtExecOnEnter
	_ func(api.CallContext, sql.Result, error)                                                          = StmtExecOnExit
	_ func(api.CallContext, *sql.Stmt, context.Context, []any)                                          = StmtQueryOnEnter
	_ func(api.CallContext, *sql.Rows, error)                                                           = StmtQueryOnExit
)

func TestWeakMapForgets(t *testing.T) {
	var m weakMap[sql.Stmt, *stmtInfo]
	for i := 0; i < 100; i++ {
		m.store(new(sql.Stmt), &stmtInfo{query: "x"})
	}
	kept := new(sql.Stmt)
	m.store(kept, &stmtInfo{query: "kept"})
	deadline := time.Now().Add(5 * time.Second)
	for m.len() > 1 && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if n := m.len(); n != 1 {
		t.Fatalf("%d entries left, want 1", n)
	}
	if v, ok := m.load(kept); !ok || v.query != "kept" {
		t.Fatalf("kept entry lost: %v %v", v, ok)
	}
	runtime.KeepAlive(kept)
	m.remove(kept)
	if m.len() != 0 {
		t.Fatal("remove left the entry")
	}
}
