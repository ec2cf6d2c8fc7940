// Command gormapp is an HTTP server whose handlers use gorm with the
// request's context, on SQLite (github.com/glebarez/sqlite, pure Go),
// PostgreSQL (gorm.io/driver/postgres, pgx) or MySQL/MariaDB
// (gorm.io/driver/mysql) as GORM_DIALECT says, at DSN. It contains no
// OpenTelemetry code: otelgo adds the spans.
//
// go.mod has current versions; go.lowest.mod the lowest that otelgo's gorm
// rule supports (build with -modfile=go.lowest.mod -tags nosqlite: the
// pure-Go SQLite dialector needs gorm v1.24.5, sqlite.go is left out).
package main

import (
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"strconv"

	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// dialects open a gorm.Dialector by GORM_DIALECT.
var dialects = map[string]func(dsn string) gorm.Dialector{}

type Gadget struct {
	ID   uint `gorm:"primaryKey"`
	Name string
}

func main() {
	dialects["postgres"] = postgres.Open
	dialects["mysql"] = mysql.Open
	open, ok := dialects[os.Getenv("GORM_DIALECT")]
	if !ok {
		log.Fatalf("GORM_DIALECT=%q: want sqlite, postgres or mysql", os.Getenv("GORM_DIALECT"))
	}
	dialector := open(os.Getenv("DSN"))
	db, err := gorm.Open(dialector, &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		log.Fatal(err)
	}
	if sqlDB, err := db.DB(); err == nil && os.Getenv("GORM_DIALECT") == "sqlite" {
		sqlDB.SetMaxOpenConns(1)
	}

	fail := func(w http.ResponseWriter, err error) {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
	id := func(r *http.Request) int {
		n, _ := strconv.Atoi(r.URL.Query().Get("id"))
		return n
	}

	http.HandleFunc("/migrate", func(w http.ResponseWriter, r *http.Request) {
		tx := db.WithContext(r.Context())
		if err := tx.Migrator().DropTable(&Gadget{}); err != nil {
			fail(w, err)
			return
		}
		if err := tx.AutoMigrate(&Gadget{}); err != nil {
			fail(w, err)
			return
		}
		fmt.Fprintln(w, "migrated")
	})

	http.HandleFunc("/create", func(w http.ResponseWriter, r *http.Request) {
		g := Gadget{Name: r.URL.Query().Get("name")}
		if err := db.WithContext(r.Context()).Create(&g).Error; err != nil {
			fail(w, err)
			return
		}
		fmt.Fprintln(w, g.ID)
	})

	http.HandleFunc("/get", func(w http.ResponseWriter, r *http.Request) {
		var g Gadget
		err := db.WithContext(r.Context()).First(&g, id(r)).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			http.NotFound(w, r)
			return
		} else if err != nil {
			fail(w, err)
			return
		}
		fmt.Fprintln(w, g.Name)
	})

	http.HandleFunc("/update", func(w http.ResponseWriter, r *http.Request) {
		err := db.WithContext(r.Context()).Model(&Gadget{}).Where("id = ?", id(r)).Update("name", r.URL.Query().Get("name")).Error
		if err != nil {
			fail(w, err)
			return
		}
		fmt.Fprintln(w, "updated")
	})

	http.HandleFunc("/delete", func(w http.ResponseWriter, r *http.Request) {
		if err := db.WithContext(r.Context()).Delete(&Gadget{}, id(r)).Error; err != nil {
			fail(w, err)
			return
		}
		fmt.Fprintln(w, "deleted")
	})

	http.HandleFunc("/fail", func(w http.ResponseWriter, r *http.Request) {
		var rows []Gadget
		err := db.WithContext(r.Context()).Table("no_such_table").Where("id = ?", 1).Find(&rows).Error
		if err == nil {
			fmt.Fprintln(w, "unexpectedly fine")
			return
		}
		fail(w, err)
	})

	http.HandleFunc("/transaction", func(w http.ResponseWriter, r *http.Request) {
		err := db.WithContext(r.Context()).Transaction(func(tx *gorm.DB) error {
			g := Gadget{Name: "in-tx"}
			if err := tx.Create(&g).Error; err != nil {
				return err
			}
			return tx.Model(&g).Update("name", "renamed").Error
		})
		if err != nil {
			fail(w, err)
			return
		}
		fmt.Fprintln(w, "done")
	})

	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	log.Printf("gormapp listening on %s", addr)
	log.Fatal(http.ListenAndServe(addr, nil))
}
