// Package early opens its database in a package variable and makes its
// schema from its init, as many programs do. Its import path sorts before
// otelgo's hook packages, so the go command initialises it first.
package early

import (
	"database/sql"

	_ "modernc.org/sqlite"
)

// DB is opened while the package is initialised.
var DB, _ = sql.Open("sqlite", "file:early?mode=memory&cache=shared")

func init() {
	for _, stmt := range []string{"CREATE TABLE t (x INTEGER)", "INSERT INTO t VALUES (1), (2)"} {
		if _, err := DB.Exec(stmt); err != nil {
			panic(err)
		}
	}
	tx, err := DB.Begin()
	if err != nil {
		panic(err)
	}
	if _, err := tx.Exec("INSERT INTO t VALUES (3)"); err != nil {
		panic(err)
	}
	if err := tx.Commit(); err != nil {
		panic(err)
	}
	if Count, err = DB.Prepare("SELECT count(*) FROM t"); err != nil {
		panic(err)
	}
}

// Count is prepared while the package is initialised, and run by main.
var Count *sql.Stmt
