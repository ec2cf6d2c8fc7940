package redisconv

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

func TestDescribe(t *testing.T) {
	cases := []struct {
		name string
		args []any
		op   string
		text string
	}{
		// Keys are user data as much as values (session:<token>): no argument is shown.
		{"GET", []any{"user:1"}, "GET", "GET ?"},
		{"get", []any{"user:1"}, "get", "get ?"}, // as sent, no case normalization
		{"SET", []any{"user:1", "secret", "ex", 60}, "SET", "SET ? ? ? ?"},
		{"set", []any{[]byte("k"), []byte("v")}, "set", "set ? ?"},
		{"HSET", []any{"h", "field", "value"}, "HSET", "HSET ? ? ?"},
		{"MGET", []any{"a", "b", "c"}, "MGET", "MGET ? ? ?"},
		{"DEL", []any{"session:tok"}, "DEL", "DEL ?"},
		{"EXPIRE", []any{"k", int64(30)}, "EXPIRE", "EXPIRE ? ?"},
		{"SELECT", []any{2}, "SELECT", "SELECT ?"},
		{"AUTH", []any{"user", "password"}, "AUTH", "AUTH ? ?"},
		{"auth", []any{"password"}, "auth", "auth ?"},
		{"HELLO", []any{3, "AUTH", "u", "p"}, "HELLO", "HELLO ? ? ? ?"},
		{"CLIENT", []any{"SETNAME", "my-app"}, "CLIENT SETNAME", "CLIENT SETNAME ?"},
		{"config", []any{"set", "requirepass", "x"}, "config set", "config set ? ?"},
		{"CLUSTER", []any{"INFO"}, "CLUSTER INFO", "CLUSTER INFO"},
		{"PING", nil, "PING", "PING"},
		{"SET", []any{"has space", "v"}, "SET", "SET ? ?"},
		{"GET", []any{struct{}{}}, "GET", "GET ?"},
		{"NOSUCHCOMMAND", []any{"x", "y"}, "NOSUCHCOMMAND", "NOSUCHCOMMAND ? ?"},
	}
	for _, c := range cases {
		got := Describe(c.name, c.args)
		if got.Name != c.op || got.Text != c.text {
			t.Errorf("Describe(%q, %v) = %+v, want {%q %q}", c.name, c.args, got, c.op, c.text)
		}
	}
}

func TestDescribeArgs(t *testing.T) {
	got := DescribeArgs([]any{"set", "k", "v"})
	if got != (Command{"set", "set ? ?"}) {
		t.Errorf("got %+v", got)
	}
	if got := DescribeArgs(nil); got != (Command{}) {
		t.Errorf("empty: got %+v", got)
	}
}

func TestDescribeBounds(t *testing.T) {
	long := strings.Repeat("k", 1000)
	if got := Describe("GET", []any{long}); got.Text != "GET ?" {
		t.Errorf("long key: %q", got.Text)
	}
	args := make([]any, 5000)
	for i := range args {
		args[i] = "v"
	}
	got := Describe("MSET", args)
	if len(got.Text) > MaxQueryText+8 || !strings.HasSuffix(got.Text, " ...") {
		t.Errorf("long command not cut: %d bytes, ends %q", len(got.Text), got.Text[len(got.Text)-10:])
	}
}

func TestSelectedDB(t *testing.T) {
	if got := SelectedDB("select", []any{3}); got != "3" {
		t.Errorf("got %q", got)
	}
	if got := SelectedDB("SELECT", []any{"x"}); got != "" {
		t.Errorf("got %q", got)
	}
	if got := SelectedDB("GET", []any{3}); got != "" {
		t.Errorf("got %q", got)
	}
}

func TestBatch(t *testing.T) {
	get := Describe("GET", []any{"a"})
	set := Describe("SET", []any{"a", "1"})
	incr := Describe("INCR", []any{"n"})
	multi, exec := Describe("MULTI", nil), Describe("EXEC", nil)
	cases := []struct {
		cmds []Command
		name string
		text string
		size int
	}{
		{[]Command{get}, "GET", "GET ?", 0}, // one command: not a batch
		{[]Command{set, get}, "PIPELINE", "SET ? ?; GET ?", 2},
		{[]Command{get, get, get}, "PIPELINE GET", "GET ?", 3},
		{[]Command{multi, incr, incr, exec}, "MULTI INCR", "MULTI; INCR ?; INCR ?; EXEC", 2},
		{[]Command{multi, incr, get, exec}, "MULTI", "MULTI; INCR ?; GET ?; EXEC", 2},
		{[]Command{multi, incr, exec}, "MULTI INCR", "MULTI; INCR ?; EXEC", 0},
		{[]Command{multi, exec}, "MULTI", "MULTI; EXEC", 0},
	}
	for _, c := range cases {
		name, text, size := Batch(c.cmds)
		if name != c.name || text != c.text || size != c.size {
			t.Errorf("Batch(%v) = %q, %q, %d; want %q, %q, %d", c.cmds, name, text, size, c.name, c.text, c.size)
		}
	}
	many := make([]Command, 1000)
	for i := range many {
		many[i] = Describe("SET", []any{fmt.Sprintf("key:%d", i), "v"})
	}
	many[999] = Describe("GET", []any{"k"}) // commands that differ are all listed, up to the bound
	_, text, size := Batch(many)
	if size != 1000 || len(text) > MaxQueryText+8 || !strings.HasSuffix(text, " ...") {
		t.Errorf("big batch: size %d, %d bytes", size, len(text))
	}
}

func TestParseAddress(t *testing.T) {
	cases := []struct {
		network, addr string
		want          Server
	}{
		{"tcp", "127.0.0.1:6380", Server{Address: "127.0.0.1", Port: 6380}},
		{"", "redis.example.com:6379", Server{Address: "redis.example.com", Port: 6379}},
		{"tcp", "[::1]:7000", Server{Address: "::1", Port: 7000}},
		{"tcp", "redis", Server{Address: "redis", Port: 6379}},
		{"unix", "/tmp/redis.sock", Server{Address: "/tmp/redis.sock"}},
		{"tcp", "", Server{}},
	}
	for _, c := range cases {
		if got := ParseAddress(c.network, c.addr); got != c.want {
			t.Errorf("ParseAddress(%q, %q) = %+v, want %+v", c.network, c.addr, got, c.want)
		}
	}
}

func TestErrorPrefix(t *testing.T) {
	cases := map[string]string{
		"ERR unknown command 'FOO'":                           "ERR",
		"WRONGTYPE Operation against a key holding the wrong": "WRONGTYPE",
		"redis: nil":                   "",
		"dial tcp: connection refused": "",
		"NOSCRIPT":                     "NOSCRIPT",
	}
	for msg, want := range cases {
		if got := ErrorPrefix(msg); got != want {
			t.Errorf("ErrorPrefix(%q) = %q, want %q", msg, got, want)
		}
	}
}

func record(t *testing.T, f func(ctx context.Context)) tracetest.SpanStub {
	t.Helper()
	sr := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sr))
	ctx, parent := tp.Tracer("test").Start(context.Background(), "parent")
	old := otel.GetTracerProvider()
	otel.SetTracerProvider(tp)
	defer otel.SetTracerProvider(old)
	f(ctx)
	parent.End()
	ended := sr.Ended()
	if len(ended) != 2 {
		t.Fatalf("%d spans ended, want 2", len(ended))
	}
	got := tracetest.SpanStubFromReadOnlySpan(ended[0])
	if got.Parent.SpanID() != parent.SpanContext().SpanID() {
		t.Errorf("parent %v, want %v", got.Parent.SpanID(), parent.SpanContext().SpanID())
	}
	return got
}

func attrs(kvs []attribute.KeyValue) map[string]any {
	m := map[string]any{}
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.AsInterface()
	}
	return m
}

func TestStartEnd(t *testing.T) {
	server := Server{Address: "localhost", Port: 6379, Namespace: "0"}
	span := record(t, func(ctx context.Context) {
		_, s := Start(ctx, "scope", server, "SET", "SET k ?", 0)
		End(s, nil, false)
	})
	if span.Name != "SET" || span.SpanKind != trace.SpanKindClient || span.Status.Code != codes.Unset {
		t.Errorf("span %q kind %v status %v", span.Name, span.SpanKind, span.Status)
	}
	want := map[string]any{
		"db.system.name": "redis", "server.address": "localhost", "server.port": int64(6379),
		"db.namespace": "0", "db.operation.name": "SET", "db.query.text": "SET k ?",
	}
	if got := attrs(span.Attributes); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("attributes %v, want %v", got, want)
	}

	span = record(t, func(ctx context.Context) {
		_, s := Start(ctx, "scope", server, "PIPELINE", "a; b", 2)
		End(s, errors.New("ERR unknown command 'X'"), true)
	})
	got := attrs(span.Attributes)
	if got["db.operation.batch.size"] != int64(2) || got["db.response.status_code"] != "ERR" || got["error.type"] != "ERR" {
		t.Errorf("attributes %v", got)
	}
	if span.Status.Code != codes.Error || span.Status.Description != "ERR unknown command 'X'" {
		t.Errorf("status %v", span.Status)
	}

	span = record(t, func(ctx context.Context) {
		_, s := Start(ctx, "scope", Server{}, "GET", "GET k", 0)
		End(s, context.DeadlineExceeded, false)
	})
	got = attrs(span.Attributes)
	if got["error.type"] != "timeout" || got["db.response.status_code"] != nil || got["server.address"] != nil {
		t.Errorf("attributes %v", got)
	}
}
