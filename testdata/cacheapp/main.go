// Command cacheapp serves HTTP on $ADDR and talks to a Redis cluster
// ($REDIS_CLUSTER: comma-separated node addresses) through go-redis v9's
// ClusterClient and UniversalClient, to a Redis server ($REDIS_ADDR)
// through a go-redis Ring, and to memcached ($MEMCACHED_ADDR) through
// gomemcache, and to both Redis deployments through rueidis (and to the
// server through valkey-go). It contains no OpenTelemetry code.
//
//	/cluster/set?key=K     ClusterClient SET
//	/cluster/get?key=K     ClusterClient GET (404 when missing)
//	/cluster/pipeline      one pipeline with keys on two nodes
//	/cluster/background    ClusterClient INCR with context.Background()
//	/ring/set?key=K        Ring SET
//	/universal/get?key=K   UniversalClient (cluster mode) GET
//	/memcache/set?key=K    Set
//	/memcache/get?key=K    Get (404 on a miss)
//	/memcache/multi        GetMulti of two keys
//	/memcache/incr         Increment
//	/memcache/add          Add of a key that exists (500: not stored)
//	/rueidis/set?key=K     rueidis SET on $REDIS_ADDR
//	/rueidis/get?key=K     rueidis GET (404 when missing)
//	/rueidis/multi         rueidis DoMulti: SET, INCR
//	/rueidis/tx            rueidis DoMulti: MULTI, INCR, INCR, EXEC
//	/rueidis/error         rueidis an unknown command (500)
//	/rueidis/background    rueidis INCR with context.Background()
//	/rueidis/cluster       rueidis cluster client SET
//	/valkey/set?key=K      valkey-go SET on $REDIS_ADDR
//	/valkey/multi          valkey-go DoMulti: SET, INCR
//	/valkey/error          valkey-go an unknown command (500)
//	/redisotel/set?key=K   SET through a client instrumented with redisotel
//	                       (not in the oldest build: go build -tags oldest)
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"

	"github.com/bradfitz/gomemcache/memcache"
	"github.com/redis/go-redis/v9"
	"github.com/redis/rueidis"
	"github.com/valkey-io/valkey-go"
)

func main() {
	nodes := strings.Split(os.Getenv("REDIS_CLUSTER"), ",")
	cluster := redis.NewClusterClient(&redis.ClusterOptions{Addrs: nodes})
	universal := redis.NewUniversalClient(&redis.UniversalOptions{Addrs: nodes})
	ring := redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"shard1": os.Getenv("REDIS_ADDR")}})
	mc := memcache.New(os.Getenv("MEMCACHED_ADDR"))
	rc, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: []string{os.Getenv("REDIS_ADDR")}})
	if err != nil {
		log.Fatal(err)
	}
	rcluster, err := rueidis.NewClient(rueidis.ClientOption{InitAddress: nodes})
	if err != nil {
		log.Fatal(err)
	}
	vc, err := valkey.NewClient(valkey.ClientOption{InitAddress: []string{os.Getenv("REDIS_ADDR")}})
	if err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/cluster/set", func(w http.ResponseWriter, r *http.Request) {
		reply(w, cluster.Set(r.Context(), r.URL.Query().Get("key"), "s3cret", 0).Err())
	})
	mux.HandleFunc("/cluster/get", func(w http.ResponseWriter, r *http.Request) {
		err := cluster.Get(r.Context(), r.URL.Query().Get("key")).Err()
		if errors.Is(err, redis.Nil) {
			http.Error(w, "missing", http.StatusNotFound)
			return
		}
		reply(w, err)
	})
	mux.HandleFunc("/cluster/pipeline", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		pipe := cluster.Pipeline()
		pipe.Incr(ctx, "{a}:n") // slot 15495
		pipe.Incr(ctx, "{a}:m")
		pipe.Incr(ctx, "{b}:n") // slot 3300
		pipe.Incr(ctx, "{b}:m")
		_, err := pipe.Exec(ctx)
		reply(w, err)
	})
	mux.HandleFunc("/cluster/background", func(w http.ResponseWriter, r *http.Request) {
		reply(w, cluster.Incr(context.Background(), "bg:n").Err())
	})
	mux.HandleFunc("/ring/set", func(w http.ResponseWriter, r *http.Request) {
		reply(w, ring.Set(r.Context(), r.URL.Query().Get("key"), "v", 0).Err())
	})
	mux.HandleFunc("/universal/get", func(w http.ResponseWriter, r *http.Request) {
		err := universal.Get(r.Context(), r.URL.Query().Get("key")).Err()
		if errors.Is(err, redis.Nil) {
			err = nil
		}
		reply(w, err)
	})

	mux.HandleFunc("/memcache/set", func(w http.ResponseWriter, r *http.Request) {
		reply(w, mc.Set(&memcache.Item{Key: r.URL.Query().Get("key"), Value: []byte("s3cret")}))
	})
	mux.HandleFunc("/memcache/get", func(w http.ResponseWriter, r *http.Request) {
		_, err := mc.Get(r.URL.Query().Get("key"))
		if errors.Is(err, memcache.ErrCacheMiss) {
			http.Error(w, "missing", http.StatusNotFound)
			return
		}
		reply(w, err)
	})
	mux.HandleFunc("/memcache/multi", func(w http.ResponseWriter, r *http.Request) {
		_, err := mc.GetMulti([]string{"mc:a", "mc:b"})
		reply(w, err)
	})
	mux.HandleFunc("/memcache/incr", func(w http.ResponseWriter, r *http.Request) {
		if err := mc.Set(&memcache.Item{Key: "mc:n", Value: []byte("1")}); err != nil {
			reply(w, err)
			return
		}
		_, err := mc.Increment("mc:n", 2)
		reply(w, err)
	})
	mux.HandleFunc("/memcache/add", func(w http.ResponseWriter, r *http.Request) {
		reply(w, mc.Add(&memcache.Item{Key: "mc:n", Value: []byte("1")}))
	})

	mux.HandleFunc("/rueidis/set", func(w http.ResponseWriter, r *http.Request) {
		reply(w, rc.Do(r.Context(), rc.B().Set().Key(r.URL.Query().Get("key")).Value("s3cret").Build()).Error())
	})
	mux.HandleFunc("/rueidis/get", func(w http.ResponseWriter, r *http.Request) {
		err := rc.Do(r.Context(), rc.B().Get().Key(r.URL.Query().Get("key")).Build()).Error()
		if rueidis.IsRedisNil(err) {
			http.Error(w, "missing", http.StatusNotFound)
			return
		}
		reply(w, err)
	})
	mux.HandleFunc("/rueidis/multi", func(w http.ResponseWriter, r *http.Request) {
		for _, resp := range rc.DoMulti(r.Context(),
			rc.B().Set().Key("ru:a").Value("1").Build(),
			rc.B().Incr().Key("ru:n").Build()) {
			if err := resp.Error(); err != nil {
				reply(w, err)
				return
			}
		}
		reply(w, nil)
	})
	mux.HandleFunc("/rueidis/tx", func(w http.ResponseWriter, r *http.Request) {
		for _, resp := range rc.DoMulti(r.Context(),
			rc.B().Multi().Build(),
			rc.B().Incr().Key("ru:tx").Build(),
			rc.B().Incr().Key("ru:tx").Build(),
			rc.B().Exec().Build()) {
			if err := resp.Error(); err != nil {
				reply(w, err)
				return
			}
		}
		reply(w, nil)
	})
	mux.HandleFunc("/rueidis/error", func(w http.ResponseWriter, r *http.Request) {
		reply(w, rc.Do(r.Context(), rc.B().Arbitrary("NOSUCHCOMMAND").Args("x").Build()).Error())
	})
	mux.HandleFunc("/rueidis/background", func(w http.ResponseWriter, r *http.Request) {
		reply(w, rc.Do(context.Background(), rc.B().Incr().Key("ru:bg").Build()).Error())
	})
	mux.HandleFunc("/rueidis/cluster", func(w http.ResponseWriter, r *http.Request) {
		reply(w, rcluster.Do(r.Context(), rcluster.B().Set().Key("ru:cluster").Value("1").Build()).Error())
	})

	mux.HandleFunc("/valkey/set", func(w http.ResponseWriter, r *http.Request) {
		reply(w, vc.Do(r.Context(), vc.B().Set().Key(r.URL.Query().Get("key")).Value("s3cret").Build()).Error())
	})
	mux.HandleFunc("/valkey/multi", func(w http.ResponseWriter, r *http.Request) {
		for _, resp := range vc.DoMulti(r.Context(),
			vc.B().Set().Key("vk:a").Value("1").Build(),
			vc.B().Incr().Key("vk:n").Build()) {
			if err := resp.Error(); err != nil {
				reply(w, err)
				return
			}
		}
		reply(w, nil)
	})
	mux.HandleFunc("/valkey/error", func(w http.ResponseWriter, r *http.Request) {
		reply(w, vc.Do(r.Context(), vc.B().Arbitrary("NOSUCHCOMMAND").Args("x").Build()).Error())
	})

	for _, add := range routes {
		add(mux)
	}
	log.Fatal(http.ListenAndServe(os.Getenv("ADDR"), mux))
}

// routes adds the handlers of other files (redisotel.go).
var routes []func(*http.ServeMux)

func reply(w http.ResponseWriter, err error) {
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprintln(w, "ok")
}
