// Package databasesql holds the hooks otelgo splices into database/sql: a
// CLIENT span for every statement a program runs through a *sql.DB, *sql.Conn,
// *sql.Tx or *sql.Stmt, whatever the driver, following the OpenTelemetry
// database semantic conventions. The rules are in databasesql.json.
//
// Where the hooks sit (database/sql's sql.go; the same in Go 1.24 to 1.26):
//
//   - (*DB).QueryContext, ExecContext, PrepareContext and BeginTx (and the
//     forms without ctx, which call them): one span per call, across
//     database/sql's retries, started before a connection is taken from the
//     pool and ended after it is back: the span's work never lengthens the
//     time a connection is held, which with a small pool is what requests
//     queue for. A query's connection is back when its *Rows are closed
//     (Row.Scan, Rows.Close, the end of Rows.Next, the end of ctx), so its
//     span ends there, through the release function database/sql hands
//     the *Rows. The spans carry a marker in the ctx they pass down, so
//     that the hooks below leave those calls alone.
//   - (*DB).queryDC and (*DB).execDC run one statement on one connection for
//     Conn and Tx (Query, QueryRow, Exec and their Context forms), including
//     the prepare-and-run fallback for drivers without Queryer/Execer.
//   - (*DB).prepareDC: Prepare on a Conn or Tx; a "PREPARE" span (and, for
//     a DB's, what the *Stmt's runs will need).
//   - (*Stmt).ExecContext and (*Stmt).QueryContext: a prepared statement
//     run (Exec, Query, QueryRow), one span across database/sql's retries;
//     (*Stmt).connStmt hands a query's release function over to its span.
//   - (*DB).beginDC (a Conn's BeginTx), (*Tx).Commit and (*Tx).rollback: BEGIN, COMMIT and
//     ROLLBACK spans; rollback also sees the rollback database/sql does
//     when a transaction's context ends.
//   - Open and OpenDB: the driver, DSN or connector of each *sql.DB, for
//     db.system.name, db.namespace, server.address and server.port.
//
// The span of a statement is a child of the span in the ctx the program
// passed, or else of the span current on the calling goroutine: the methods
// without ctx pass context.Background() inside database/sql, and still land
// under the request that made the call. The driver is called with
// a ctx holding the statement's span, so driver-level instrumentation
// nests under it.
//
// The hooks are reached from database/sql through //go:linkname, so their
// signatures follow the convention of otelgo.dev/rules/api exactly.
package databasesql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"reflect"
	"strings"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	semconv "otelgo.dev/rules/internal/semconv"

	"otelgo.dev/rules/api"
	"otelgo.dev/rules/goroutine"
	"otelgo.dev/rules/internal/dbconv"
	"otelgo.dev/rules/internal/weakmap"
)

// ScopeName is the instrumentation scope of the spans made here.
const ScopeName = "otelgo.dev/rules/databasesql"

var (
	stmts weakmap.Map[sql.Stmt, *stmtInfo]
	txs   weakmap.Map[sql.Tx, *txInfo]
)

type stmtInfo struct {
	db    *dbconv.Info
	query string
}

type txInfo struct {
	db  *dbconv.Info
	ctx context.Context // BeginTx's: the parent of COMMIT and ROLLBACK
}

// infoOf returns what is known of db; for a *DB made before the hooks could
// see it, what its driver's type says. nil: the program traces db itself.
func infoOf(db *sql.DB) *dbconv.Info {
	if info, ok := dbconv.Lookup(db); ok {
		return info
	}
	if db == nil {
		return dbconv.NewInfo("", "", "", 0)
	}
	var info *dbconv.Info
	if !handmade(db.Driver()) {
		info = dbconv.NewInfo(dbconv.DriverSystem(db.Driver()), "", "", 0)
	}
	dbconv.Register(db, info)
	return info
}

// Instrumentations of database/sql that a program may use itself: they wrap
// the driver, and make a span of their own for every statement. A *DB whose
// driver one of them wrapped gets no span from otelgo (one span per
// operation, the program's; its children and parents are in the same trace).
var instrumentedDrivers = []string{
	"github.com/XSAM/otelsql",
	"github.com/uptrace/opentelemetry-go-extra/otelsql",
	"go.nhat.io/otelsql",
	"github.com/signalfx/splunk-otel-go/instrumentation/database/sql/splunksql",
}

// handmade reports whether d is a driver wrapped by one of instrumentedDrivers.
func handmade(d driver.Driver) bool {
	if d == nil {
		return false
	}
	t := reflect.TypeOf(d)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	for _, prefix := range instrumentedDrivers {
		if pkg := t.PkgPath(); pkg == prefix || strings.HasPrefix(pkg, prefix+"/") {
			return true
		}
	}
	return false
}

// --- sql.Open and sql.OpenDB ----------------------------------------------------

// OpenDBOnExit is the OnExit hook of
//
//	func OpenDB(c driver.Connector) *DB
//
// It notes the DBMS (from the connector's driver) and the endpoint (from
// the connector's settings) of the new *DB.
func OpenDBOnExit(call api.CallContext, db *sql.DB) {
	c, _ := call.Param(0).(driver.Connector)
	if db == nil || c == nil {
		return
	}
	if handmade(c.Driver()) {
		dbconv.Register(db, nil)
		return
	}
	system := dbconv.DriverSystem(c.Driver())
	e := dbconv.ConnectorEndpoint(system, c)
	dbconv.Register(db, dbconv.NewInfo(system, e.Namespace, e.Address, e.Port))
}

// OpenOnExit is the OnExit hook of
//
//	func Open(driverName, dataSourceName string) (*DB, error)
//
// Open calls OpenDB, so the *DB is known already; the DSN, parsed the way
// the DBMS's drivers take it, and the driver's registered name (for
// drivers whose type says nothing) complete it.
func OpenOnExit(call api.CallContext, db *sql.DB, err error) {
	if db == nil || err != nil {
		return
	}
	if handmade(db.Driver()) {
		dbconv.Register(db, nil)
		return
	}
	name, _ := call.Param(0).(string)
	dsn, _ := call.Param(1).(string)
	prev, _ := dbconv.Lookup(db)
	system := dbconv.DriverSystem(db.Driver())
	if system == "" {
		system = dbconv.SystemName(name)
	}
	e := dbconv.ParseDSN(system, dsn)
	if prev != nil {
		p := prev.Endpoint()
		if e.Namespace == "" {
			e.Namespace = p.Namespace
		}
		if e.Address == "" {
			e.Address, e.Port = p.Address, p.Port
		}
	}
	dbconv.Register(db, dbconv.NewInfo(system, e.Namespace, e.Address, e.Port))
}

// --- statements --------------------------------------------------------------------

// statementSpan starts the span of one statement. Parameterized text (sent
// with arguments) is recorded as it is; text sent without arguments is
// recorded with its literals replaced by "?", as the conventions ask.
func statementSpan(ctx context.Context, info *dbconv.Info, query string, nargs int) (context.Context, trace.Span) {
	ctx = goroutine.Context(ctx) // db.Query without ctx: the goroutine's span is the parent
	return startMeasured(ctx, info.Describe(query, nargs > 0))
}

// operationSpan starts the span of an operation without text of its own
// (BEGIN, COMMIT, ROLLBACK, PREPARE).
func operationSpan(ctx context.Context, info *dbconv.Info, op string, extra ...attribute.KeyValue) (context.Context, trace.Span) {
	ctx = goroutine.Context(ctx)
	s := info.Operation(op)
	if len(extra) > 0 {
		s = dbconv.NewStatement(op, append(s.Attrs, extra...)) // s.Attrs is full: this copies
	}
	return startMeasured(ctx, s)
}

// dbCall marks the ctx a *DB method hands down: its hook made the span of
// the call, and parent is the ctx the program passed. query is the span of
// QueryContext's call, which ends when the connection is released.
type dbCall struct {
	db     *sql.DB
	parent context.Context
	query  *querySpan
}

// querySpan is the span of a query, which ends when database/sql takes the
// query's connection back: at once when the query fails, else when its
// *Rows are closed. Ending it when the *Rows are returned would put the
// span's end (the SDK's span snapshot, the duration measurement) inside the
// section that holds the connection.
type querySpan struct {
	span     trace.Span
	ended    atomic.Bool // the release and a failed call's OnExit may both end it
	returned atomic.Bool // the call returned its *Rows: every release is the last
}

func (q *querySpan) end(err error) {
	if q.ended.CompareAndSwap(false, true) {
		EndSpan(q.span, err)
	}
}

// releasing returns release followed by the end of the span. A connection
// given back as bad while the call runs leaves the span open: database/sql
// runs the query again on another connection, within the same call.
func (q *querySpan) releasing(release func(error)) func(error) {
	return func(err error) {
		release(err)
		if q.returned.Load() || !errors.Is(err, driver.ErrBadConn) {
			q.end(err)
		}
	}
}

// endQuery ends the span of a query that failed; one that returned its
// *Rows ends when they give their connection back. (*Rows never closed keep
// the connection and the span open: a leak the program has either way.)
func endQuery(call api.CallContext, err error) {
	q, ok := call.Data().(*querySpan)
	switch {
	case !ok:
	case err != nil:
		q.end(err)
	default:
		q.returned.Store(true)
	}
}

type dbCallKey struct{}

// outer returns the mark of db's own method in ctx, if the call came through one.
func outer(ctx context.Context, db *sql.DB) (*dbCall, bool) {
	if ctx == nil {
		return nil, false
	}
	c, ok := ctx.Value(dbCallKey{}).(*dbCall)
	return c, ok && c.db == db
}

// dbEnter starts the span of a *DB method's call and marks the ctx the
// method passes down; the mark, nil when db is not traced.
func dbEnter(call api.CallContext, db *sql.DB, ctx context.Context, start func(*dbconv.Info, context.Context) (context.Context, trace.Span)) *dbCall {
	if !ready.Load() {
		return nil
	}
	info := infoOf(db)
	if info == nil {
		return nil
	}
	spanCtx, span := start(info, ctx)
	mark := &dbCall{db, ctx, nil}
	call.SetParam(0, context.WithValue(spanCtx, dbCallKey{}, mark))
	call.SetData(span)
	return mark
}

// DBQueryOnEnter is the OnEnter hook of
//
//	func (db *DB) QueryContext(ctx context.Context, query string, args ...any) (*Rows, error)
//
// The queryDC hooks hand each attempt's release function to the span.
func DBQueryOnEnter(call api.CallContext, db *sql.DB, ctx context.Context, query string, args []any) {
	mark := dbEnter(call, db, ctx, func(info *dbconv.Info, ctx context.Context) (context.Context, trace.Span) {
		return statementSpan(ctx, info, query, len(args))
	})
	if mark != nil {
		mark.query = &querySpan{span: call.Data().(trace.Span)}
		call.SetData(mark.query)
	}
}

// DBQueryOnExit is the OnExit hook of (*DB).QueryContext.
func DBQueryOnExit(call api.CallContext, _ *sql.Rows, err error) {
	endQuery(call, err)
}

// DBExecOnEnter is the OnEnter hook of
//
//	func (db *DB) ExecContext(ctx context.Context, query string, args ...any) (Result, error)
func DBExecOnEnter(call api.CallContext, db *sql.DB, ctx context.Context, query string, args []any) {
	dbEnter(call, db, ctx, func(info *dbconv.Info, ctx context.Context) (context.Context, trace.Span) {
		return statementSpan(ctx, info, query, len(args))
	})
}

// DBExecOnExit is the OnExit hook of (*DB).ExecContext.
func DBExecOnExit(call api.CallContext, _ sql.Result, err error) {
	endWith(call, err)
}

// DBPrepareOnEnter is the OnEnter hook of
//
//	func (db *DB) PrepareContext(ctx context.Context, query string) (*Stmt, error)
func DBPrepareOnEnter(call api.CallContext, db *sql.DB, ctx context.Context, query string) {
	dbEnter(call, db, ctx, func(info *dbconv.Info, ctx context.Context) (context.Context, trace.Span) {
		return prepareSpan(ctx, info, query)
	})
}

// DBPrepareOnExit is the OnExit hook of (*DB).PrepareContext; the
// prepareDC hooks keep what the *Stmt's runs need.
func DBPrepareOnExit(call api.CallContext, _ *sql.Stmt, err error) {
	endWith(call, err)
}

// DBBeginOnEnter is the OnEnter hook of
//
//	func (db *DB) BeginTx(ctx context.Context, opts *TxOptions) (*Tx, error)
func DBBeginOnEnter(call api.CallContext, db *sql.DB, ctx context.Context, _ *sql.TxOptions) {
	dbEnter(call, db, ctx, func(info *dbconv.Info, ctx context.Context) (context.Context, trace.Span) {
		return operationSpan(ctx, info, "BEGIN")
	})
}

// DBBeginOnExit is the OnExit hook of (*DB).BeginTx; the beginDC hooks keep
// what COMMIT and ROLLBACK need.
func DBBeginOnExit(call api.CallContext, _ *sql.Tx, err error) {
	endWith(call, err)
}

func endWith(call api.CallContext, err error) {
	if span, ok := call.Data().(trace.Span); ok {
		EndSpan(span, err)
	}
}

// QueryDCOnEnter is the OnEnter hook of
//
//	func (db *DB) queryDC(ctx, txctx context.Context, dc *driverConn, releaseConn func(error), query string, args []any) (*Rows, error)
//
// It runs with the connection held, so it does no more than it must there:
// for (*DB).QueryContext's attempts, only the hand-over of the release.
func QueryDCOnEnter(call api.CallContext, db *sql.DB, ctx, _ context.Context, _ any, release func(error), query string, args []any) {
	if !ready.Load() {
		return
	}
	if c, ok := outer(ctx, db); ok {
		if c.query != nil && release != nil {
			call.SetParam(3, c.query.releasing(release))
		}
		return
	}
	info := infoOf(db)
	if info == nil || release == nil {
		return
	}
	ctx, span := statementSpan(ctx, info, query, len(args))
	q := &querySpan{span: span}
	call.SetParam(0, ctx)
	call.SetParam(3, q.releasing(release))
	call.SetData(q)
}

// QueryDCOnExit is the OnExit hook of (*DB).queryDC.
func QueryDCOnExit(call api.CallContext, _ *sql.Rows, err error) {
	endQuery(call, err)
}

// ExecDCOnEnter is the OnEnter hook of
//
//	func (db *DB) execDC(ctx context.Context, dc *driverConn, release func(error), query string, args []any) (res Result, err error)
func ExecDCOnEnter(call api.CallContext, db *sql.DB, ctx context.Context, _ any, _ func(error), query string, args []any) {
	if !ready.Load() {
		return
	}
	info := infoOf(db)
	if _, ok := outer(ctx, db); info == nil || ok {
		return
	}
	ctx, span := statementSpan(ctx, info, query, len(args))
	call.SetParam(0, ctx)
	call.SetData(span)
}

// ExecDCOnExit is the OnExit hook of (*DB).execDC.
func ExecDCOnExit(call api.CallContext, _ sql.Result, err error) {
	endWith(call, err)
}

// prepareCall carries PREPARE's span and what the *Stmt will need.
type prepareCall struct {
	span trace.Span
	info *stmtInfo
}

// PrepareDCOnEnter is the OnEnter hook of
//
//	func (db *DB) prepareDC(ctx context.Context, dc *driverConn, release func(error), cg stmtConnGrabber, query string) (*Stmt, error)
//
// used by Prepare on a DB, a Conn and a Tx. The span is "PREPARE" with the
// statement's text; the statement's runs get spans named after it.
func PrepareDCOnEnter(call api.CallContext, db *sql.DB, ctx context.Context, _ any, _ func(error), _ any, query string) {
	info := infoOf(db)
	if info == nil {
		return
	}
	if _, ok := outer(ctx, db); ok || !ready.Load() { // (*DB).PrepareContext's hook made the span, or none yet
		call.SetData(&prepareCall{nil, &stmtInfo{info, query}})
		return
	}
	ctx, span := prepareSpan(ctx, info, query)
	call.SetParam(0, ctx)
	call.SetData(&prepareCall{span, &stmtInfo{info, query}})
}

// prepareSpan starts the span of preparing query.
func prepareSpan(ctx context.Context, info *dbconv.Info, query string) (context.Context, trace.Span) {
	var extra []attribute.KeyValue
	if query != "" {
		extra = append(extra, semconv.DBQueryText(info.PreparedText(query)))
	}
	return operationSpan(ctx, info, "PREPARE", extra...)
}

// PrepareDCOnExit is the OnExit hook of (*DB).prepareDC.
func PrepareDCOnExit(call api.CallContext, stmt *sql.Stmt, err error) {
	p, ok := call.Data().(*prepareCall)
	if !ok {
		return
	}
	if stmt != nil {
		stmts.Store(stmt, p.info)
	}
	if p.span != nil {
		EndSpan(p.span, err)
	}
}

// TxStmtOnExit is the OnExit hook of
//
//	func (tx *Tx) StmtContext(ctx context.Context, stmt *Stmt) *Stmt
//
// The transaction's copy of a prepared statement runs the same text.
func TxStmtOnExit(call api.CallContext, txStmt *sql.Stmt) {
	orig, _ := call.Param(1).(*sql.Stmt)
	if info, ok := stmts.Load(orig); ok && txStmt != nil {
		stmts.Store(txStmt, info)
	}
}

func stmtEnter(call api.CallContext, s *sql.Stmt, ctx context.Context, args []any) {
	if !ready.Load() {
		return
	}
	info, ok := stmts.Load(s)
	if !ok {
		return
	}
	ctx, span := statementSpan(ctx, info.db, info.query, len(args))
	call.SetParam(0, ctx)
	call.SetData(span)
}

// StmtExecOnEnter is the OnEnter hook of
//
//	func (s *Stmt) ExecContext(ctx context.Context, args ...any) (Result, error)
func StmtExecOnEnter(call api.CallContext, s *sql.Stmt, ctx context.Context, args []any) {
	stmtEnter(call, s, ctx, args)
}

// StmtExecOnExit is the OnExit hook of (*Stmt).ExecContext.
func StmtExecOnExit(call api.CallContext, _ sql.Result, err error) {
	endWith(call, err)
}

// stmtQueryKey marks the ctx a *Stmt's QueryContext hands down with the
// span of the call, for the connStmt hook.
type stmtQueryKey struct{}

// StmtQueryOnEnter is the OnEnter hook of
//
//	func (s *Stmt) QueryContext(ctx context.Context, args ...any) (*Rows, error)
func StmtQueryOnEnter(call api.CallContext, s *sql.Stmt, ctx context.Context, args []any) {
	if !ready.Load() {
		return
	}
	info, ok := stmts.Load(s)
	if !ok {
		return
	}
	ctx, span := statementSpan(ctx, info.db, info.query, len(args))
	q := &querySpan{span: span}
	call.SetParam(0, context.WithValue(ctx, stmtQueryKey{}, q))
	call.SetData(q)
}

// StmtQueryOnExit is the OnExit hook of (*Stmt).QueryContext.
func StmtQueryOnExit(call api.CallContext, _ *sql.Rows, err error) {
	endQuery(call, err)
}

// StmtConnOnExit is the OnExit hook of
//
//	func (s *Stmt) connStmt(ctx context.Context, strategy connReuseStrategy) (dc *driverConn, releaseConn func(error), ds *driverStmt, err error)
//
// which takes the connection of each attempt of a *Stmt's Exec or Query;
// a query's span ends when that connection is released.
func StmtConnOnExit(call api.CallContext, _ any, release func(error), _ any, err error) {
	ctx, _ := call.Param(0).(context.Context)
	if err != nil || release == nil || ctx == nil {
		return
	}
	if q, ok := ctx.Value(stmtQueryKey{}).(*querySpan); ok {
		call.SetResult(1, q.releasing(release))
	}
}

// --- transactions ------------------------------------------------------------------

type beginCall struct {
	span trace.Span
	info *txInfo
}

// BeginDCOnEnter is the OnEnter hook of
//
//	func (db *DB) beginDC(ctx context.Context, dc *driverConn, release func(error), opts *TxOptions) (tx *Tx, err error)
//
// ctx is left as it is: it becomes the transaction's own context, which
// lives on after the BEGIN span has ended.
func BeginDCOnEnter(call api.CallContext, db *sql.DB, ctx context.Context, _ any, _ func(error), _ *sql.TxOptions) {
	if !ready.Load() {
		return
	}
	info := infoOf(db)
	if info == nil {
		return
	}
	if c, ok := outer(ctx, db); ok { // (*DB).BeginTx's hook made the span
		call.SetData(&beginCall{nil, &txInfo{info, c.parent}})
		return
	}
	_, span := operationSpan(ctx, info, "BEGIN")
	call.SetData(&beginCall{span, &txInfo{info, ctx}})
}

// BeginDCOnExit is the OnExit hook of (*DB).beginDC.
func BeginDCOnExit(call api.CallContext, tx *sql.Tx, err error) {
	b, ok := call.Data().(*beginCall)
	if !ok {
		return
	}
	if tx != nil {
		txs.Store(tx, b.info)
	}
	if b.span != nil {
		EndSpan(b.span, err)
	}
}

// takeTx returns what BeginTx noted of tx and forgets it, so that a
// transaction gets one COMMIT or ROLLBACK span: Commit and Rollback end the
// transaction's context, which makes database/sql's own watcher call
// rollback at once (it returns sql.ErrTxDone), and a deferred Rollback after
// Commit does the same.
func takeTx(tx *sql.Tx) (*txInfo, bool) {
	info, ok := txs.Load(tx)
	if ok {
		txs.Remove(tx)
	}
	return info, ok
}

// TxCommitOnEnter is the OnEnter hook of
//
//	func (tx *Tx) Commit() error
//
// COMMIT is a child of the span in BeginTx's ctx.
func TxCommitOnEnter(call api.CallContext, tx *sql.Tx) {
	if !ready.Load() {
		return
	}
	info, ok := takeTx(tx)
	if !ok {
		return
	}
	_, span := operationSpan(info.ctx, info.db, "COMMIT")
	call.SetData(span)
}

// TxCommitOnExit is the OnExit hook of (*Tx).Commit.
func TxCommitOnExit(call api.CallContext, err error) {
	endWith(call, err)
}

// TxRollbackOnEnter is the OnEnter hook of
//
//	func (tx *Tx) rollback(discardConn bool) error
//
// called by Rollback and, with discardConn, by database/sql when the
// transaction's context ends before Commit or Rollback.
func TxRollbackOnEnter(call api.CallContext, tx *sql.Tx, _ bool) {
	if !ready.Load() {
		return
	}
	info, ok := takeTx(tx)
	if !ok {
		return
	}
	_, span := operationSpan(info.ctx, info.db, "ROLLBACK")
	call.SetData(span)
}

// TxRollbackOnExit is the OnExit hook of (*Tx).rollback. With discardConn
// database/sql returns driver.ErrBadConn on purpose (to drop the
// connection): that is no failure of the rollback.
func TxRollbackOnExit(call api.CallContext, err error) {
	if discard, _ := call.Param(0).(bool); discard && errors.Is(err, driver.ErrBadConn) {
		err = nil
	}
	endWith(call, err)
}
