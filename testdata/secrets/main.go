// Command secrets sends one secret ($SECRET) down every path the
// instrumented libraries see, as an application careless with credentials
// would: a presigned URL with user:password@ and credentials in its query,
// auth headers and cookies, SQL with the secret inline and as an argument
// (database/sql and gorm), Redis keys and values (go-redis and redigo,
// AUTH included), gRPC metadata and messages, and a log line. GET /run does
// all of it (and, as a goroutine without a context, one more call) and
// answers "done"; the secret must never reach a collector. The race test
// (tests/e2e/reliability/race_lane.py) builds it with -race: it drives
// every instrumented path of this checkout at once.
//
// Configured by ADDR (listen address), REDIS_ADDR and SECRET.
package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"

	"github.com/glebarez/sqlite"
	"github.com/gomodule/redigo/redis"
	goredis "github.com/redis/go-redis/v9"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"gorm.io/gorm"
)

type user struct {
	ID       int
	Name     string
	Password string
}

func main() {
	secret := os.Getenv("SECRET")
	db, err := sql.Open("sqlite", ":memory:")
	check(err)
	db.SetMaxOpenConns(1)
	_, err = db.Exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, password TEXT)")
	check(err)
	gdb, err := gorm.Open(sqlite.Open("file::memory:"), &gorm.Config{})
	check(err)
	// Each connection to ":memory:" is a database of its own: one
	// connection, or concurrent requests find no table.
	gsql, err := gdb.DB()
	check(err)
	gsql.SetMaxOpenConns(1)
	check(gdb.AutoMigrate(&user{}))
	rdb := goredis.NewClient(&goredis.Options{Addr: os.Getenv("REDIS_ADDR")})
	pool := &redis.Pool{Dial: func() (redis.Conn, error) { return redis.Dial("tcp", os.Getenv("REDIS_ADDR")) }}

	lis, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	gs := grpc.NewServer()
	healthpb.RegisterHealthServer(gs, health.NewServer())
	go gs.Serve(lis)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	check(err)
	hc := healthpb.NewHealthClient(conn)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /target", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "target")
	})
	mux.HandleFunc("GET /run", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		steps := []func() error{
			func() error { return httpClient(ctx, r.Host, secret) },
			func() error { return databaseSQL(ctx, db, secret) },
			func() error { return gormCalls(ctx, gdb, secret) },
			func() error { return goRedis(ctx, rdb, secret) },
			func() error { return redigo(pool, secret) },
			func() error { return grpcCall(ctx, hc, secret) },
			func() error { return inGoroutine(r.Host) },
		}
		for i, step := range steps {
			if err := step(); err != nil {
				http.Error(w, fmt.Sprintf("step %d: %v", i, err), http.StatusInternalServerError)
				return
			}
		}
		slog.InfoContext(ctx, "signed in", "password", secret)
		log.Printf("token %s", secret)
		io.WriteString(w, "done")
	})
	check(http.ListenAndServe(os.Getenv("ADDR"), mux))
}

// httpClient fetches a presigned URL with credentials in every place a URL
// and a request can hold them.
func httpClient(ctx context.Context, host, secret string) error {
	u := "http://admin:" + secret + "@" + host + "/target?X-Amz-Algorithm=AWS4-HMAC-SHA256" +
		"&X-Amz-Credential=" + secret + "&X-Amz-Signature=" + secret + "&X-Amz-Security-Token=" + secret +
		"&X-Goog-Credential=" + secret + "&X-Goog-Signature=" + secret + "&AWSAccessKeyId=" + secret +
		"&Signature=" + secret + "&sig=" + secret + "&access_token=" + secret
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, strings.NewReader("password="+secret))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Cookie", "session="+secret)
	req.Header.Set("X-Api-Key", secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// databaseSQL sends the secret as a literal (the statement is not
// parameterised: db.query.text must replace it) and as an argument (the
// statement is: it is recorded as written, the argument never).
func databaseSQL(ctx context.Context, db *sql.DB, secret string) error {
	if _, err := db.ExecContext(ctx, "INSERT INTO users (name, password) VALUES ('bob', '"+secret+"')"); err != nil {
		return err
	}
	var name string
	return db.QueryRowContext(ctx, "SELECT name FROM users WHERE password = ?", secret).Scan(&name)
}

func gormCalls(ctx context.Context, db *gorm.DB, secret string) error {
	db = db.WithContext(ctx)
	if err := db.Create(&user{Name: "carol", Password: secret}).Error; err != nil {
		return err
	}
	var u user
	if err := db.Where("password = ?", secret).First(&u).Error; err != nil {
		return err
	}
	return db.Exec("UPDATE users SET name = 'dave' WHERE password = '" + secret + "'").Error
}

// goRedis puts the secret in keys and values, one command at a time and
// in a pipeline.
func goRedis(ctx context.Context, rdb *goredis.Client, secret string) error {
	if err := rdb.Set(ctx, "session:"+secret, secret, 0).Err(); err != nil {
		return err
	}
	if err := rdb.Get(ctx, "session:"+secret).Err(); err != nil {
		return err
	}
	_, err := rdb.Pipelined(ctx, func(p goredis.Pipeliner) error {
		p.HSet(ctx, "user:"+secret, "password", secret)
		p.Del(ctx, "user:"+secret)
		return nil
	})
	return err
}

// redigo also sends AUTH with the secret, which the server (with no
// password set) refuses.
func redigo(pool *redis.Pool, secret string) error {
	c := pool.Get()
	defer c.Close()
	if _, err := c.Do("SET", "token:"+secret, secret); err != nil {
		return err
	}
	if _, err := c.Do("AUTH", secret); err == nil {
		return fmt.Errorf("AUTH succeeded")
	}
	return nil
}

func grpcCall(ctx context.Context, hc healthpb.HealthClient, secret string) error {
	ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+secret, "x-api-key", secret)
	_, err := hc.Check(ctx, &healthpb.HealthCheckRequest{Service: ""})
	if err != nil {
		return err
	}
	// An unknown service named by the secret: the server answers NotFound.
	_, err = hc.Check(ctx, &healthpb.HealthCheckRequest{Service: secret})
	if err == nil {
		return fmt.Errorf("a check of an unknown service succeeded")
	}
	return nil
}

// inGoroutine calls the server from a goroutine without a context: the
// goroutine context makes the call a child of the request's span.
func inGoroutine(host string) error {
	var wg sync.WaitGroup
	var err error
	wg.Add(1)
	go func() {
		defer wg.Done()
		var resp *http.Response
		resp, err = http.Get("http://" + host + "/target")
		if err == nil {
			resp.Body.Close()
		}
	}()
	wg.Wait()
	return err
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
