"""go-redis v9's ClusterClient, Ring and UniversalClient, rueidis,
valkey-go and gomemcache, end to end: testdata/cacheapp, built with `otel
go build` at both ends of the ranges (go.mod: go-redis v9.23.0, rueidis and
valkey-go v1.0.80; oldest.mod: v9.0.0, v1.0.79, v1.0.79; gomemcache at its
newest commit in both), against a real three-node Redis cluster, a
redis-server and memcached.

A cluster's, ring's or universal client's command is one CLIENT span with
the address of the node that served it (go-redis builds their node
clients with NewClient, which the go-redis rules instrument); a cluster
pipeline is one span per node. Every memcached command is one CLIENT span
under the request's SERVER span (gomemcache takes no context: the span
current on the goroutine is the parent). Both are measured in
db.client.operation.duration.
"""

from __future__ import annotations

import pytest
from harness import TESTDATA
from otlp import OTLPReceiver, format_points, histogram, metric_points, series
from scenario import VARIANTS, build, check_client, drive, otel_env

APP = TESTDATA / "cacheapp"
GOREDIS = "otelgo.dev/rules/goredis"
MEMCACHE = "otelgo.dev/rules/gomemcache"
RUEIDIS = "otelgo.dev/rules/rueidis"
VALKEY = "otelgo.dev/rules/valkeygo"
ROUTES = [
    ("/cluster/set?key=user:1", 200),
    ("/cluster/get?key=user:1", 200),
    ("/cluster/get?key=none:1", 404),
    ("/cluster/pipeline", 200),
    ("/cluster/background", 200),
    ("/ring/set?key=ring:1", 200),
    ("/universal/get?key=user:1", 200),
    ("/memcache/set?key=mc:1", 200),
    ("/memcache/get?key=mc:1", 200),
    ("/memcache/get?key=mc:none", 404),
    ("/memcache/multi", 200),
    ("/memcache/incr", 200),
    ("/memcache/add", 500),
    ("/rueidis/set?key=ru:1", 200),
    ("/rueidis/get?key=ru:1", 200),
    ("/rueidis/get?key=ru:none", 404),
    ("/rueidis/multi", 200),
    ("/rueidis/tx", 200),
    ("/rueidis/error", 500),
    ("/rueidis/background", 200),
    ("/rueidis/cluster", 200),
    ("/valkey/set?key=vk:1", 200),
    ("/valkey/multi", 200),
    ("/valkey/error", 500),
]


# Only in the newest build: redisotel starts at go-redis v9.0.2 (the oldest
# build leaves redisotel.go out with -tags oldest).
NEWEST_ROUTES = [("/redisotel/set?key=ro:1", 200)]


@pytest.fixture(scope="module", params=list(VARIANTS))
def run(request, tmp_path_factory, redis, redis_cluster_nodes, memcached):
    out = tmp_path_factory.mktemp(f"cacheapp-{request.param}")
    newest = request.param == "newest"
    binary = build(APP, request.param, out, *([] if newest else ["-tags=oldest"]))
    env = {
        "REDIS_CLUSTER": ",".join(redis_cluster_nodes.addrs),
        "REDIS_ADDR": redis.addr,
        "MEMCACHED_ADDR": memcached.addr,
    }
    with OTLPReceiver() as rx:
        routes = ROUTES + (NEWEST_ROUTES if newest else [])
        requests = drive(binary, routes, otel_env(rx, "cacheapp", **env), rx, out)
        return requests, metric_points(rx), redis_cluster_nodes, redis, memcached


def node(port: int) -> dict:
    return {"db.system.name": "redis", "server.address": "127.0.0.1", "server.port": port, "db.namespace": "0"}


def test_cluster_command_has_its_node(run):
    requests, _, cluster, _, _ = run
    port = cluster.port_of("user:1")
    req = requests["/cluster/set?key=user:1"]
    span = req.client("set")
    check_client(span, req.server, **node(port), **{"db.operation.name": "set", "db.query.text": "set ? ?"})
    assert span.scope_name == GOREDIS
    assert all("s3cret" not in str(s.attributes) for s in req.spans)
    req = requests["/cluster/get?key=user:1"]
    check_client(req.client("get"), req.server, **node(port), **{"db.query.text": "get ?"})
    req = requests["/cluster/get?key=none:1"]
    span = req.client("get")
    check_client(span, req.server, **node(cluster.port_of("none:1")))
    assert span.status_code == "UNSET"


def test_cluster_pipeline_is_one_span_per_node(run):
    requests, _, cluster, _, _ = run
    req = requests["/cluster/pipeline"]
    a, b = cluster.port_of("{a}:n"), cluster.port_of("{b}:n")
    assert a != b
    spans = {s.attributes["server.port"]: s for s in req.spans if s.name == "PIPELINE incr"}
    assert sorted(spans) == sorted([a, b]), req.tree()
    check_client(spans[a], req.server, **node(a), **{"db.operation.batch.size": 2, "db.query.text": "incr ?"})
    check_client(spans[b], req.server, **node(b), **{"db.operation.batch.size": 2, "db.query.text": "incr ?"})


def test_cluster_command_without_context_nests(run):
    requests, _, cluster, _, _ = run
    req = requests["/cluster/background"]
    check_client(req.client("incr"), req.server, **node(cluster.port_of("bg:n")), **{"db.query.text": "incr ?"})


def test_ring_and_universal(run):
    requests, _, cluster, redis, _ = run
    req = requests["/ring/set?key=ring:1"]
    check_client(req.client("set"), req.server, **node(redis.port), **{"db.query.text": "set ? ?"})
    req = requests["/universal/get?key=user:1"]
    check_client(req.client("get"), req.server, **node(cluster.port_of("user:1")))


@pytest.mark.parametrize("run", ["newest"], indirect=True)  # redisotel starts at go-redis v9.0.2
def test_redisotel_client_keeps_its_own_spans(run):
    """A client the program instrumented with redisotel: its spans, none of
    the hook's (never two spans for one command)."""
    requests = run[0]
    req = requests["/redisotel/set?key=ro:1"]
    assert not [s for s in req.spans if s.scope_name == GOREDIS], req.tree()
    sets = [s for s in req.spans if s.name == "set" and s.kind == "CLIENT"]
    assert len(sets) == 1 and "redisotel" in sets[0].scope_name, req.tree()


def rueidis_span(req):
    spans = [s for s in req.spans if s.scope_name == RUEIDIS]
    assert len(spans) == 1, req.tree()
    return spans[0]


def test_rueidis_commands(run):
    requests, _, _, redis, _ = run
    req = requests["/rueidis/set?key=ru:1"]
    span = rueidis_span(req)
    check_client(span, req.server, **node(redis.port), **{"db.operation.name": "SET", "db.query.text": "SET ? ?"})
    assert span.name == "SET" and "s3cret" not in str(span.attributes)
    req = requests["/rueidis/get?key=ru:1"]
    check_client(rueidis_span(req), req.server, **node(redis.port), **{"db.query.text": "GET ?"})
    span = rueidis_span(requests["/rueidis/get?key=ru:none"])
    assert span.status_code == "UNSET" and "error.type" not in span.attributes


def test_rueidis_batches(run):
    requests, _, _, redis, _ = run
    req = requests["/rueidis/multi"]
    check_client(
        rueidis_span(req),
        req.server,
        **node(redis.port),
        **{"db.operation.name": "PIPELINE", "db.operation.batch.size": 2, "db.query.text": "SET ? ?; INCR ?"},
    )
    req = requests["/rueidis/tx"]
    span = rueidis_span(req)
    check_client(
        span,
        req.server,
        **node(redis.port),
        **{"db.operation.batch.size": 2, "db.query.text": "MULTI; INCR ?; INCR ?; EXEC"},
    )
    assert span.name == "MULTI INCR"


def test_rueidis_error_background_and_cluster(run):
    requests, _, cluster, redis, _ = run
    req = requests["/rueidis/error"]
    span = rueidis_span(req)
    check_client(span, req.server, **node(redis.port), **{"db.response.status_code": "ERR", "error.type": "ERR"})
    assert span.status_code == "ERROR"
    req = requests["/rueidis/background"]
    check_client(rueidis_span(req), req.server, **node(redis.port), **{"db.query.text": "INCR ?"})
    # A cluster client's command: rueidis does not say which node served it.
    req = requests["/rueidis/cluster"]
    span = rueidis_span(req)
    check_client(span, req.server, **{"db.system.name": "redis", "db.query.text": "SET ? ?"})
    assert "server.address" not in span.attributes


def test_valkey_go(run):
    requests, _, _, redis, _ = run

    def span_of(req):
        spans = [s for s in req.spans if s.scope_name == VALKEY]
        assert len(spans) == 1, req.tree()
        return spans[0]

    req = requests["/valkey/set?key=vk:1"]
    check_client(
        span_of(req), req.server, **node(redis.port), **{"db.operation.name": "SET", "db.query.text": "SET ? ?"}
    )
    req = requests["/valkey/multi"]
    check_client(
        span_of(req),
        req.server,
        **node(redis.port),
        **{"db.operation.name": "PIPELINE", "db.operation.batch.size": 2, "db.query.text": "SET ? ?; INCR ?"},
    )
    req = requests["/valkey/error"]
    span = span_of(req)
    check_client(span, req.server, **node(redis.port), **{"db.response.status_code": "ERR", "error.type": "ERR"})
    assert span.status_code == "ERROR"


def mc(server) -> dict:
    return {"db.system.name": "memcached", "server.address": "127.0.0.1", "server.port": server.port}


def memcache_spans(req):
    spans = [s for s in req.spans if s.scope_name == MEMCACHE]
    assert spans, req.tree()
    return sorted(spans, key=lambda s: s.start_ns)


def test_memcache_commands(run):
    requests, _, _, _, memcached = run
    req = requests["/memcache/set?key=mc:1"]
    (span,) = memcache_spans(req)
    check_client(span, req.server, **mc(memcached), **{"db.operation.name": "set", "db.query.text": "set mc:1 ?"})
    assert span.name == "set" and span.status_code == "UNSET"
    assert "s3cret" not in str(span.attributes)
    req = requests["/memcache/get?key=mc:1"]
    (span,) = memcache_spans(req)
    check_client(span, req.server, **mc(memcached), **{"db.operation.name": "gets", "db.query.text": "gets mc:1"})
    req = requests["/memcache/get?key=mc:none"]
    (span,) = memcache_spans(req)
    assert span.status_code == "UNSET" and "error.type" not in span.attributes  # a miss is no error
    req = requests["/memcache/multi"]
    (span,) = memcache_spans(req)
    check_client(span, req.server, **mc(memcached), **{"db.query.text": "gets mc:a mc:b"})
    req = requests["/memcache/incr"]
    assert [s.name for s in memcache_spans(req)] == ["set", "incr"]
    check_client(memcache_spans(req)[1], req.server, **mc(memcached), **{"db.query.text": "incr mc:n ?"})


def test_memcache_error(run):
    requests, _, _, _, memcached = run
    req = requests["/memcache/add"]
    (span,) = memcache_spans(req)
    check_client(span, req.server, **mc(memcached), **{"error.type": "memcache.ErrNotStored"})
    assert span.status_code == "ERROR" and "not stored" in span.status_message


def test_operation_duration(run):
    _, points, cluster, redis, memcached = run
    name = "db.client.operation.duration"
    got = histogram(points, name, "cacheapp", {**mc(memcached), "db.operation.name": "set"}, MEMCACHE)
    assert got.count == 2
    failed = {**mc(memcached), "db.operation.name": "add", "error.type": "memcache.ErrNotStored"}
    assert histogram(points, name, "cacheapp", failed, MEMCACHE).count == 1
    ours = [p for p in series(points, name, "cacheapp") if p.scope_name == MEMCACHE]
    # set, gets, gets, gets (multi), set, incr, add.
    assert sum(p.count for p in ours) == 7, format_points(ours)
    port = cluster.port_of("user:1")
    assert histogram(points, name, "cacheapp", {**node(port), "db.operation.name": "set"}, GOREDIS).count == 1
    failed = {
        **node(redis.port),
        "db.operation.name": "NOSUCHCOMMAND",
        "db.response.status_code": "ERR",
        "error.type": "ERR",
    }
    assert histogram(points, name, "cacheapp", failed, RUEIDIS).count == 1
