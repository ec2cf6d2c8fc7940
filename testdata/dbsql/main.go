// Command dbsql is an HTTP server whose handlers run SQL through
// database/sql with the request's context, against the database chosen by
// DB_DRIVER (sqlite, pgx or mysql) and DSN. With DB_OPEN=connector it opens
// the database through the driver's connector and sql.OpenDB instead of
// sql.Open. It contains no OpenTelemetry code: otelgo adds the spans.
package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

var db *sql.DB

// q rewrites ? placeholders into $1, $2, ... for PostgreSQL.
var q = func(s string) string { return s }

func pgPlaceholders(s string) string {
	out, n := []byte{}, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '?' {
			n++
			out = append(out, '$')
			out = strconv.AppendInt(out, int64(n), 10)
			continue
		}
		out = append(out, s[i])
	}
	return string(out)
}

func open() (*sql.DB, error) {
	name, dsn := os.Getenv("DB_DRIVER"), os.Getenv("DSN")
	connector := os.Getenv("DB_OPEN") == "connector"
	switch name {
	case "pgx":
		q = pgPlaceholders
		if connector {
			cfg, err := pgx.ParseConfig(dsn)
			if err != nil {
				return nil, err
			}
			return stdlib.OpenDB(*cfg), nil
		}
	case "mysql":
		if connector {
			cfg, err := mysql.ParseDSN(dsn)
			if err != nil {
				return nil, err
			}
			var c driver.Connector
			if c, err = mysql.NewConnector(cfg); err != nil {
				return nil, err
			}
			return sql.OpenDB(c), nil
		}
	case "sqlite":
	default:
		return nil, fmt.Errorf("DB_DRIVER=%q: want sqlite, pgx or mysql", name)
	}
	return sql.Open(name, dsn)
}

// heldFor is how long /held keeps each query's rows open.
const heldFor = 150 * time.Millisecond

// holdRows reads the first row, waits heldFor and closes the rows.
func holdRows(rows *sql.Rows, err error) error {
	if err != nil {
		return err
	}
	rows.Next()
	time.Sleep(heldFor)
	return rows.Close()
}

func fail(w http.ResponseWriter, err error) {
	http.Error(w, err.Error(), http.StatusInternalServerError)
}

func main() {
	var err error
	if db, err = open(); err != nil {
		log.Fatal(err)
	}
	if os.Getenv("DB_DRIVER") == "sqlite" {
		db.SetMaxOpenConns(1)
	}

	http.HandleFunc("/setup", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if _, err := db.ExecContext(ctx, "DROP TABLE IF EXISTS items"); err != nil {
			fail(w, err)
			return
		}
		if _, err := db.ExecContext(ctx, "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"); err != nil {
			fail(w, err)
			return
		}
		fmt.Fprintln(w, "ok")
	})

	http.HandleFunc("/insert", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.Atoi(r.URL.Query().Get("id"))
		if _, err := db.ExecContext(r.Context(), q("INSERT INTO items (id, name) VALUES (?, ?)"), id, r.URL.Query().Get("name")); err != nil {
			fail(w, err)
			return
		}
		fmt.Fprintln(w, "inserted")
	})

	http.HandleFunc("/select", func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.Atoi(r.URL.Query().Get("id"))
		var name string
		err := db.QueryRowContext(r.Context(), q("SELECT name FROM items WHERE id = ?"), id).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			http.NotFound(w, r)
			return
		} else if err != nil {
			fail(w, err)
			return
		}
		fmt.Fprintln(w, name)
	})

	http.HandleFunc("/fail", func(w http.ResponseWriter, r *http.Request) {
		rows, err := db.QueryContext(r.Context(), "SELECT * FROM no_such_table")
		if err == nil {
			rows.Close()
			fmt.Fprintln(w, "unexpectedly fine")
			return
		}
		fail(w, err)
	})

	http.HandleFunc("/tx", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			fail(w, err)
			return
		}
		defer tx.Rollback() // after Commit: sql.ErrTxDone, and no span
		if _, err := tx.ExecContext(ctx, q("UPDATE items SET name = ? WHERE id = ?"), r.URL.Query().Get("name"), 1); err != nil {
			fail(w, err)
			return
		}
		if err := tx.Commit(); err != nil {
			fail(w, err)
			return
		}
		fmt.Fprintln(w, "committed")
	})

	http.HandleFunc("/rollback", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			fail(w, err)
			return
		}
		if _, err := tx.ExecContext(ctx, q("DELETE FROM items WHERE id = ?"), 1); err != nil {
			fail(w, err)
			return
		}
		if err := tx.Rollback(); err != nil {
			fail(w, err)
			return
		}
		fmt.Fprintln(w, "rolled back")
	})

	http.HandleFunc("/prepared", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		stmt, err := db.PrepareContext(ctx, q("SELECT COUNT(*) FROM items WHERE name <> ?"))
		if err != nil {
			fail(w, err)
			return
		}
		defer stmt.Close()
		var n, m int
		if err := stmt.QueryRowContext(ctx, "nobody").Scan(&n); err != nil {
			fail(w, err)
			return
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			fail(w, err)
			return
		}
		if err := tx.StmtContext(ctx, stmt).QueryRowContext(ctx, "somebody").Scan(&m); err != nil {
			tx.Rollback()
			fail(w, err)
			return
		}
		if err := tx.Commit(); err != nil {
			fail(w, err)
			return
		}
		fmt.Fprintln(w, n, m)
	})

	http.HandleFunc("/literal", func(w http.ResponseWriter, r *http.Request) {
		var n int
		if err := db.QueryRowContext(r.Context(), "SELECT COUNT(*) FROM items WHERE name <> 'secret' AND id > 10").Scan(&n); err != nil {
			fail(w, err)
			return
		}
		fmt.Fprintln(w, n)
	})

	http.HandleFunc("/noctx", func(w http.ResponseWriter, r *http.Request) {
		var n int
		if err := db.QueryRow("SELECT COUNT(*) FROM items").Scan(&n); err != nil {
			fail(w, err)
			return
		}
		fmt.Fprintln(w, n)
	})

	// A query's span lasts until its connection is back: each query's rows
	// are read and closed after a pause, through a Conn, a Stmt prepared on
	// it and the DB.
	http.HandleFunc("/held", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		conn, err := db.Conn(ctx)
		if err != nil {
			fail(w, err)
			return
		}
		stmt, err := conn.PrepareContext(ctx, "SELECT id FROM items")
		if err == nil {
			err = holdRows(conn.QueryContext(ctx, "SELECT id FROM items"))
		}
		if err == nil {
			err = holdRows(stmt.QueryContext(ctx))
		}
		if stmt != nil {
			stmt.Close()
		}
		conn.Close() // SQLite's one connection: back in the pool for the DB's query
		if err == nil {
			err = holdRows(db.QueryContext(ctx, "SELECT id FROM items"))
		}
		if err != nil {
			fail(w, err)
			return
		}
		fmt.Fprintln(w, "held")
	})

	http.HandleFunc("/timeout", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithCancel(r.Context())
		cancel()
		_, err := db.ExecContext(ctx, q("UPDATE items SET name = ? WHERE id = ?"), "late", 1)
		fail(w, err)
	})

	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	log.Printf("dbsql listening on %s (%s)", addr, os.Getenv("DB_DRIVER"))
	log.Fatal(http.ListenAndServe(addr, nil))
}
