package dbconv

import (
	"database/sql"

	"otelgo.dev/rules/internal/weakmap"
)

// infos is what the hooks on sql.Open and sql.OpenDB learnt of each *sql.DB
// the program opened (otelgo.dev/rules/databasesql), for the hooks of a
// library on top of database/sql (gorm) to describe the same database.
var infos weakmap.Map[sql.DB, *Info]

// Register keeps info as db's; a nil info says the program traces db
// itself (a driver wrapped by an instrumentation of its own).
func Register(db *sql.DB, info *Info) { infos.Store(db, info) }

// Lookup returns what Register kept for db.
func Lookup(db *sql.DB) (*Info, bool) { return infos.Load(db) }
