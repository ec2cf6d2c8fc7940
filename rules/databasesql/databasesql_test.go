package databasesql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"testing"

	"go.opentelemetry.io/otel/codes"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/internal/calltest"
	"otelgo.dev/rules/internal/spanrec"
)

// The hooks must fit the api convention for their targets exactly.
var (
	_ func(api.CallContext, *sql.DB, context.Context, string, []any)                                    = DBQueryOnEnter
	_ func(api.CallContext, *sql.Rows, error)                                                           = DBQueryOnExit
	_ func(api.CallContext, *sql.DB, context.Context, string, []any)                                    = DBExecOnEnter
	_ func(api.CallContext, sql.Result, error)                                                          = DBExecOnExit
	_ func(api.CallContext, *sql.DB, context.Context, string)                                           = DBPrepareOnEnter
	_ func(api.CallContext, *sql.Stmt, error)                                                           = DBPrepareOnExit
	_ func(api.CallContext, *sql.DB, context.Context, *sql.TxOptions)                                   = DBBeginOnEnter
	_ func(api.CallContext, *sql.Tx, error)                                                             = DBBeginOnExit
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
	_ func(api.CallContext, any, func(error), any, error)                                               = StmtConnOnExit
)

// A connector that never connects: a *sql.DB for the hooks to be handed.
type idleConnector struct{}

func (idleConnector) Connect(context.Context) (driver.Conn, error) { return nil, errors.New("idle") }
func (idleConnector) Driver() driver.Driver                        { return idleDriver{} }

type idleDriver struct{}

func (idleDriver) Open(string) (driver.Conn, error) { return nil, errors.New("idle") }

// queryAttempt runs the queryDC hook of one attempt of db's QueryContext,
// whose hook handed down ctx, and returns the release function the hook
// gives the attempt in place of release.
func queryAttempt(db *sql.DB, ctx context.Context, release func(error)) func(error) {
	c := &calltest.Call{Params: []any{ctx, nil, nil, release, "SELECT 1", []any(nil)}}
	QueryDCOnEnter(c, db, ctx, nil, nil, release, "SELECT 1", nil)
	return c.Params[3].(func(error))
}

func TestQuerySpanEndsWhenTheConnectionIsBack(t *testing.T) {
	rec := spanrec.Install(t)
	db := sql.OpenDB(idleConnector{})
	defer db.Close()
	released := 0
	release := func(error) { released++ }

	enter := &calltest.Call{Params: []any{context.Background(), "SELECT 1", []any(nil)}}
	DBQueryOnEnter(enter, db, context.Background(), "SELECT 1", nil)
	ctx := enter.Params[0].(context.Context)

	// A bad connection while the call runs: database/sql tries another.
	queryAttempt(db, ctx, release)(driver.ErrBadConn)
	if n := len(rec.Ended()); n != 0 || released != 1 {
		t.Fatalf("after a bad connection: %d spans ended, %d releases; want 0, 1", n, released)
	}
	// The next attempt returns the *Rows: the span stays open while they hold the connection.
	closeRows := queryAttempt(db, ctx, release)
	DBQueryOnExit(enter, nil, nil)
	if n := len(rec.Ended()); n != 0 {
		t.Fatalf("%d spans ended while the rows hold the connection", n)
	}
	// Closing them gives the connection back, whatever the driver says of it.
	closeRows(driver.ErrBadConn)
	if n := len(rec.Ended()); n != 1 || released != 2 {
		t.Fatalf("after the rows closed: %d spans ended, %d releases; want 1, 2", n, released)
	}
}

func TestFailedQuerySpanEndsOnce(t *testing.T) {
	rec := spanrec.Install(t)
	db := sql.OpenDB(idleConnector{})
	defer db.Close()
	failure := errors.New("no such table")

	enter := &calltest.Call{Params: []any{context.Background(), "SELECT 1", []any(nil)}}
	DBQueryOnEnter(enter, db, context.Background(), "SELECT 1", nil)
	queryAttempt(db, enter.Params[0].(context.Context), func(error) {})(failure)
	DBQueryOnExit(enter, nil, failure)
	ended := rec.Ended()
	if len(ended) != 1 || ended[0].Status().Code != codes.Error {
		t.Fatalf("want one span with an error status, got %d: %v", len(ended), ended)
	}
}
