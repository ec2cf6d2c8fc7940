// Command pgapp serves HTTP on $ADDR and talks to the PostgreSQL server at
// $PG_DSN through pgx v5 natively (a pgx.Conn and a pgxpool.Pool), pgx v4
// natively, and through database/sql with pgx's stdlib driver under sqlx,
// bun and ent's SQL layer. It contains no OpenTelemetry code.
//
//	/v5/conn?id=N        pgx.Conn QueryRow with an argument (404 if none)
//	/v5/pool/exec        pool.Exec of a statement with literals, no arguments
//	/v5/tx               pool.BeginTx, Exec with arguments, Commit
//	/v5/batch            pool.SendBatch of two INSERTs
//	/v5/copy             pool.CopyFrom of three rows
//	/v5/prepare          conn.Prepare, then the prepared statement by name
//	/v5/error            a query on a missing table (500)
//	/v5/background       pool.Exec with context.Background()
//	/v5/goroutine        pool.QueryRow in a new goroutine, context.Background()
//	/v5/owntracer        Exec on a pgx.Conn whose config has the program's own
//	                     tracer (tracelog): the program's tracer is left alone
//	/v4/query            pgx v4 Conn QueryRow with an argument
//	/v4/tx               pgx v4 pool BeginTx, Exec, Commit
//	/v4/batch            pgx v4 pool SendBatch of two INSERTs
//	/v4/copy             pgx v4 pool CopyFrom of two rows
//	/v4/error            pgx v4 query on a missing table (500)
//	/sqlx                sqlx GetContext over database/sql (driver "pgx")
//	/bun                 bun NewSelect over database/sql (driver "pgx")
//	/ent                 ent's dialect/sql driver and builder (driver "pgx")
package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"sync"

	entdialect "entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	pgxv4 "github.com/jackc/pgx/v4"
	pgxpoolv4 "github.com/jackc/pgx/v4/pgxpool"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/jackc/pgx/v5/tracelog"
	"github.com/jmoiron/sqlx"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

type item struct {
	bun.BaseModel `bun:"table:items"`
	ID            int64  `bun:"id,pk" db:"id"`
	Name          string `bun:"name" db:"name"`
	N             int64  `bun:"n" db:"n"`
}

func main() {
	ctx := context.Background()
	dsn := os.Getenv("PG_DSN")

	pool, err := pgxpool.New(ctx, dsn)
	must(err)
	conn, err := pgx.Connect(ctx, dsn)
	must(err)
	var connMu sync.Mutex
	ownCfg, err := pgx.ParseConfig(dsn)
	must(err)
	var logged []string
	ownCfg.Tracer = &tracelog.TraceLog{
		Logger: tracelog.LoggerFunc(func(_ context.Context, _ tracelog.LogLevel, msg string, _ map[string]any) {
			logged = append(logged, msg)
		}),
		LogLevel: tracelog.LogLevelInfo,
	}
	ownConn, err := pgx.ConnectConfig(ctx, ownCfg)
	must(err)
	_, err = pool.Exec(ctx, `DROP TABLE IF EXISTS items; CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, n bigint NOT NULL DEFAULT 0); INSERT INTO items (name, n) VALUES ('first', 1)`)
	must(err)

	conn4, err := pgxv4.Connect(ctx, dsn)
	must(err)
	pool4, err := pgxpoolv4.Connect(ctx, dsn)
	must(err)

	sqlxDB, err := sqlx.Open("pgx", dsn)
	must(err)
	sqldb, err := sql.Open("pgx", dsn)
	must(err)
	bunDB := bun.NewDB(sqldb, pgdialect.New())
	entDB := entsql.OpenDB(entdialect.Postgres, sqldb)

	mux := http.NewServeMux()
	mux.HandleFunc("/v5/conn", func(w http.ResponseWriter, r *http.Request) {
		connMu.Lock()
		defer connMu.Unlock()
		var name string
		err := conn.QueryRow(r.Context(), "SELECT name FROM items WHERE id = $1", r.URL.Query().Get("id")).Scan(&name)
		if errors.Is(err, pgx.ErrNoRows) {
			http.Error(w, "none", http.StatusNotFound)
			return
		}
		reply(w, err)
	})
	mux.HandleFunc("/v5/pool/exec", func(w http.ResponseWriter, r *http.Request) {
		_, err := pool.Exec(r.Context(), "UPDATE items SET n = n + 1 WHERE name = 'first'")
		reply(w, err)
	})
	mux.HandleFunc("/v5/tx", func(w http.ResponseWriter, r *http.Request) {
		tx, err := pool.BeginTx(r.Context(), pgx.TxOptions{})
		if err != nil {
			reply(w, err)
			return
		}
		defer tx.Rollback(r.Context())
		if _, err := tx.Exec(r.Context(), "INSERT INTO items (name, n) VALUES ($1, $2)", "tx", 2); err != nil {
			reply(w, err)
			return
		}
		reply(w, tx.Commit(r.Context()))
	})
	mux.HandleFunc("/v5/batch", func(w http.ResponseWriter, r *http.Request) {
		b := &pgx.Batch{}
		b.Queue("INSERT INTO items (name, n) VALUES ($1, $2)", "batch-a", 3)
		b.Queue("INSERT INTO items (name, n) VALUES ($1, $2)", "batch-b", 4)
		reply(w, pool.SendBatch(r.Context(), b).Close())
	})
	mux.HandleFunc("/v5/copy", func(w http.ResponseWriter, r *http.Request) {
		rows := [][]any{{"copy-a", int64(5)}, {"copy-b", int64(6)}, {"copy-c", int64(7)}}
		_, err := pool.CopyFrom(r.Context(), pgx.Identifier{"items"}, []string{"name", "n"}, pgx.CopyFromRows(rows))
		reply(w, err)
	})
	mux.HandleFunc("/v5/prepare", func(w http.ResponseWriter, r *http.Request) {
		connMu.Lock()
		defer connMu.Unlock()
		if _, err := conn.Prepare(r.Context(), "count_items", "SELECT count(*) FROM items WHERE n > $1"); err != nil {
			reply(w, err)
			return
		}
		var n int64
		reply(w, conn.QueryRow(r.Context(), "count_items", 0).Scan(&n))
	})
	mux.HandleFunc("/v5/error", func(w http.ResponseWriter, r *http.Request) {
		_, err := pool.Exec(r.Context(), "SELECT * FROM no_such_table")
		reply(w, err)
	})
	mux.HandleFunc("/v5/background", func(w http.ResponseWriter, r *http.Request) {
		_, err := pool.Exec(context.Background(), "UPDATE items SET n = n + 1 WHERE id = $1", 1)
		reply(w, err)
	})
	mux.HandleFunc("/v5/goroutine", func(w http.ResponseWriter, r *http.Request) {
		done := make(chan error)
		go func() {
			var n int64
			done <- pool.QueryRow(context.Background(), "SELECT n FROM items WHERE id = $1", 1).Scan(&n)
		}()
		reply(w, <-done)
	})

	mux.HandleFunc("/v5/owntracer", func(w http.ResponseWriter, r *http.Request) {
		connMu.Lock()
		defer connMu.Unlock()
		before := len(logged)
		if _, err := ownConn.Exec(r.Context(), "SELECT 1"); err != nil {
			reply(w, err)
			return
		}
		if len(logged) == before {
			reply(w, errors.New("the program's tracer saw nothing"))
			return
		}
		reply(w, nil)
	})

	mux.HandleFunc("/v4/query", func(w http.ResponseWriter, r *http.Request) {
		connMu.Lock()
		defer connMu.Unlock()
		var name string
		reply(w, conn4.QueryRow(r.Context(), "SELECT name FROM items WHERE id = $1", 1).Scan(&name))
	})
	mux.HandleFunc("/v4/tx", func(w http.ResponseWriter, r *http.Request) {
		tx, err := pool4.BeginTx(r.Context(), pgxv4.TxOptions{})
		if err != nil {
			reply(w, err)
			return
		}
		defer tx.Rollback(r.Context())
		if _, err := tx.Exec(r.Context(), "INSERT INTO items (name, n) VALUES ($1, $2)", "v4-tx", 8); err != nil {
			reply(w, err)
			return
		}
		reply(w, tx.Commit(r.Context()))
	})
	mux.HandleFunc("/v4/batch", func(w http.ResponseWriter, r *http.Request) {
		b := &pgxv4.Batch{}
		b.Queue("INSERT INTO items (name, n) VALUES ($1, $2)", "v4-batch-a", 9)
		b.Queue("INSERT INTO items (name, n) VALUES ($1, $2)", "v4-batch-b", 10)
		reply(w, pool4.SendBatch(r.Context(), b).Close())
	})
	mux.HandleFunc("/v4/copy", func(w http.ResponseWriter, r *http.Request) {
		rows := [][]any{{"v4-copy-a", int64(11)}, {"v4-copy-b", int64(12)}}
		_, err := pool4.CopyFrom(r.Context(), pgxv4.Identifier{"items"}, []string{"name", "n"}, pgxv4.CopyFromRows(rows))
		reply(w, err)
	})
	mux.HandleFunc("/v4/error", func(w http.ResponseWriter, r *http.Request) {
		connMu.Lock()
		defer connMu.Unlock()
		_, err := conn4.Exec(r.Context(), "SELECT * FROM no_such_table")
		reply(w, err)
	})

	mux.HandleFunc("/sqlx", func(w http.ResponseWriter, r *http.Request) {
		var it item
		reply(w, sqlxDB.GetContext(r.Context(), &it, "SELECT id, name, n FROM items WHERE id = $1", 1))
	})
	mux.HandleFunc("/bun", func(w http.ResponseWriter, r *http.Request) {
		var it item
		reply(w, bunDB.NewSelect().Model(&it).Where("id = ?", 1).Scan(r.Context()))
	})
	mux.HandleFunc("/ent", func(w http.ResponseWriter, r *http.Request) {
		query, args := entsql.Dialect(entdialect.Postgres).
			Select("name").From(entsql.Table("items")).Where(entsql.EQ("id", 1)).Query()
		var rows entsql.Rows
		if err := entDB.Query(r.Context(), query, args, &rows); err != nil {
			reply(w, err)
			return
		}
		defer rows.Close()
		for rows.Next() {
		}
		reply(w, rows.Err())
	})

	log.Fatal(http.ListenAndServe(os.Getenv("ADDR"), mux))
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

func reply(w http.ResponseWriter, err error) {
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprintln(w, "ok")
}
