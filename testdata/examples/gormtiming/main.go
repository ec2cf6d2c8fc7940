// Command notes keeps short notes in SQLite (DSN, default: in memory):
//
//	POST /notes?text=...  adds a note
//	GET  /notes           lists them, one per line
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"

	"github.com/glebarez/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

type Note struct {
	ID   uint `gorm:"primaryKey"`
	Text string
}

func main() {
	dsn := os.Getenv("DSN")
	if dsn == "" {
		dsn = ":memory:"
	}
	db, err := gorm.Open(sqlite.Open(dsn), &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		log.Fatal(err)
	}
	if sqlDB, err := db.DB(); err == nil {
		sqlDB.SetMaxOpenConns(1) // one connection: one in-memory database
	}
	if err := db.AutoMigrate(&Note{}); err != nil {
		log.Fatal(err)
	}

	http.HandleFunc("POST /notes", func(w http.ResponseWriter, r *http.Request) {
		note := Note{Text: r.URL.Query().Get("text")}
		if err := db.WithContext(r.Context()).Create(&note).Error; err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, note.ID)
	})

	http.HandleFunc("GET /notes", func(w http.ResponseWriter, r *http.Request) {
		var notes []Note
		if err := db.WithContext(r.Context()).Order("id").Find(&notes).Error; err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		for _, n := range notes {
			fmt.Fprintf(w, "%d %s\n", n.ID, n.Text)
		}
	})

	addr := os.Getenv("ADDR")
	if addr == "" {
		addr = "127.0.0.1:8080"
	}
	log.Printf("notes listening on %s", addr)
	log.Fatal(http.ListenAndServe(addr, nil))
}
