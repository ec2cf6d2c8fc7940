// Command stdlib is a service written with the standard library only: a
// JSON API on net/http (ServeMux patterns), an in-memory store, slog, an
// outbound HTTP client and a graceful shutdown on SIGTERM. bench/builds.py
// builds it with `otel go build` and with plain `go build`, cold and warm:
// the build cost of otelgo where the program itself links nearly nothing.
//
// Configuration: ADDR (default 127.0.0.1:8080), LOG_LEVEL.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"example.com/benchstdlib/internal/notes"
)

// version is reported by /version. bench/builds.py edits this line for the
// warm-rebuild benchmark.
const version = "bench-0"

func main() {
	slog.SetDefault(slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel()})))
	if err := run(); err != nil {
		slog.Error("service failed", "error", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	lis, err := net.Listen("tcp", env("ADDR", "127.0.0.1:8080"))
	if err != nil {
		return err
	}
	a := &app{
		notes:  notes.NewStore(),
		client: &http.Client{Timeout: 5 * time.Second},
		self:   "http://" + lis.Addr().String(),
	}
	for i := 1; i <= 10; i++ {
		a.notes.Add(fmt.Sprintf("note %d", i), []string{"seed"})
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /version", a.version)
	mux.HandleFunc("GET /notes", a.list)
	mux.HandleFunc("GET /notes/{id}", a.get)
	mux.HandleFunc("POST /notes", a.create)
	mux.HandleFunc("GET /proxy/notes/{id}", a.proxy)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown) //nolint:errcheck // exiting anyway
	}()
	slog.Info("listening", "addr", lis.Addr().String(), "version", version)
	if err := srv.Serve(lis); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

type app struct {
	notes  *notes.Store
	client *http.Client
	self   string
}

func (a *app) version(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"version": version})
}

func (a *app) list(w http.ResponseWriter, r *http.Request) {
	tag := r.URL.Query().Get("tag")
	writeJSON(w, http.StatusOK, a.notes.List(tag))
}

func (a *app) get(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad id"})
		return
	}
	n, ok := a.notes.Get(id)
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such note"})
		return
	}
	writeJSON(w, http.StatusOK, n)
}

func (a *app) create(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Text string   `json:"text"`
		Tags []string `json:"tags"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&in); err != nil || strings.TrimSpace(in.Text) == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "text is required"})
		return
	}
	n := a.notes.Add(in.Text, in.Tags)
	slog.InfoContext(r.Context(), "note created", "id", n.ID)
	writeJSON(w, http.StatusCreated, n)
}

// proxy fetches a note from "another service" (this one) over HTTP.
func (a *app) proxy(w http.ResponseWriter, r *http.Request) {
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, a.self+"/notes/"+r.PathValue("id"), nil)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	resp, err := a.client.Do(req)
	if err != nil {
		slog.ErrorContext(r.Context(), "proxy failed", "error", err)
		writeJSON(w, http.StatusBadGateway, map[string]string{"error": "upstream failed"})
		return
	}
	defer resp.Body.Close()
	w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body) //nolint:errcheck // the client sees a short body
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v) //nolint:errcheck // the client sees a short body
}

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func logLevel() slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(env("LOG_LEVEL", "info")))); err != nil {
		return slog.LevelInfo
	}
	return l
}
