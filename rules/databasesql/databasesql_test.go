package databasesql

import (
	"context"
	"database/sql"

	"otelgo.dev/rules/api"
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
