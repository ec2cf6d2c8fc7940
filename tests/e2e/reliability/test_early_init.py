"""Hooks that run before their own packages are initialised. The go
command initialises packages in import-path order, dependencies first, so a
library whose path sorts before otelgo.dev (github.com/..., example.com/...)
is initialised before otelgo's hook packages: prometheus v0.316.0's
oci-go-sdk logs from its init. A hook called then must leave the call as it
is, not use what its package has not made yet (it panicked, recovered, and
said so on the program's stderr); a constructor's hook (sql.Open,
grpc.NewClient) must still do what the object needs later, as it lives on."""

from __future__ import annotations

import subprocess

import harness
from otlp import one

EARLYINIT = harness.TESTDATA / "reliability" / "earlyinit"
EARLYDB = harness.TESTDATA / "reliability" / "earlydb"
EARLYGRPC = harness.TESTDATA / "reliability" / "earlygrpc"
EARLYCLIENTS = harness.TESTDATA / "reliability" / "earlyclients"


def _quiet_run(module, tmp_path, receiver, **extra: str) -> subprocess.CompletedProcess:
    """The module built with otel and run to its end, with no line of
    otelgo's on its stderr."""
    out = tmp_path / module.name
    harness.check_build(harness.otel_build(module, "-o", str(out), "."))
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100", **extra}
    proc = subprocess.run([str(out)], capture_output=True, text=True, timeout=60, env=harness.clean_env(env))
    assert proc.returncode == 0, proc.stderr
    assert "otelgo:" not in proc.stderr, proc.stderr
    return proc


def test_hooks_called_before_their_packages_are_initialised_stay_quiet(tmp_path, receiver):
    proc = _quiet_run(EARLYINIT, tmp_path, receiver)
    # package early's init: package log, slog, logrus, zerolog, klog, logr
    # and zap, and an HTTP call to a server of its own, all as without otelgo.
    for line in (
        "early log",
        "INFO early slog",
        'msg="early logrus"',
        '"message":"early zerolog"',
        "] early klog",
        '"msg"="early logr"',
    ):
        assert line in proc.stderr, proc.stderr
    assert proc.stdout.splitlines()[0] == '{"level":"info","msg":"early zap"}'
    # main, after every package's init: its span, and the ids in zap's line.
    (span,) = receiver.wait_for_spans(1)
    assert span.name == "main"
    main_zap = proc.stdout.splitlines()[1]
    assert f'"trace_id":"{span.trace_id}","span_id":"{span.span_id}"' in main_zap, main_zap


def test_a_database_opened_and_used_in_an_early_init_is_traced_from_main(tmp_path, receiver):
    """testdata/reliability/earlydb: a package variable opens SQLite; the
    package's init makes the schema (Exec, a transaction) and prepares a
    statement; main runs that statement. Open's and Prepare's hooks note
    what they must before this package is initialised; the queries of the
    init run untraced and quietly; main's query is traced."""
    proc = _quiet_run(EARLYDB, tmp_path, receiver)
    assert proc.stdout == "rows 3\n"
    (span,) = receiver.wait_for_spans(1)
    assert (span.name, span.kind) == ("SELECT t", "CLIENT"), span.short()
    assert span.attributes["db.system.name"] == "sqlite"
    assert span.attributes["db.query.text"] == "SELECT count(*) FROM t"


def test_a_grpc_client_and_server_made_in_package_variables_are_traced(tmp_path, receiver):
    """testdata/reliability/earlygrpc: grpc.NewClient and grpc.NewServer in
    package variables of a package initialised before otelgo's hooks; main
    serves that server and calls it through that client."""
    proc = _quiet_run(EARLYGRPC, tmp_path, receiver, ADDR=f"127.0.0.1:{harness.free_port()}")
    assert proc.stdout == "SERVING\n"
    spans = receiver.wait_for_spans(lambda s: {"CLIENT", "SERVER"} <= {x.kind for x in s})
    client, server = one(spans, kind="CLIENT"), one(spans, kind="SERVER")
    assert client.name == server.name == "grpc.health.v1.Health/Check"
    assert server.parent_span_id == client.span_id


def test_clients_made_and_used_in_an_early_init_are_quiet_then_and_traced_from_main(
    tmp_path, receiver, redis, memcached, kafka, rabbitmq, nats, postgres, ferretdb
):
    """testdata/reliability/earlyclients: package variables make a client of
    go-redis, gomemcache, kafka-go, franz-go, pgx and mongo-driver; the
    package's init dials redigo, sarama, amqp091 and nats, and writes once
    through each of the ten. Those calls reach hooks whose packages are not
    initialised yet: they go on untraced and without a word. main writes
    through the same clients again, and each of those calls is traced."""
    servers = dict(
        REDIS_ADDR=redis.addr,
        MEMCACHED_ADDR=memcached.addr,
        KAFKA_ADDR=kafka.addr,
        AMQP_URL=rabbitmq.url,
        NATS_URL=nats.url,
        PG_URL=postgres.url,
        MONGO_URI=ferretdb.url,
    )
    proc = _quiet_run(EARLYCLIENTS, tmp_path, receiver, **servers)
    assert proc.stdout == "ok\n"
    scopes = {
        "goredis": ("set", "CLIENT"),
        "redigo": ("SET", "CLIENT"),
        "gomemcache": ("set", "CLIENT"),
        "kafkago": ("send early.kafkago", "PRODUCER"),
        "franzgo": ("send early.franz", "PRODUCER"),
        "sarama": ("send early.sarama", "PRODUCER"),
        "amqp091": ("publish early.amqp", "PRODUCER"),
        "nats": ("publish early.nats", "PRODUCER"),
        "pgx": ("SELECT", "CLIENT"),
        "mongo/mongov2": ("insert who", "CLIENT"),
    }
    wanted = {f"otelgo.dev/rules/{name}" for name in scopes}
    spans = receiver.wait_for_spans(lambda s: wanted <= {x.scope_name for x in s})
    for name, (span_name, kind) in scopes.items():
        (span,) = [s for s in spans if s.scope_name == f"otelgo.dev/rules/{name}"]
        assert (span.name, span.kind) == (span_name, kind), span.short()

    # The hooks did run in that init, and fell over what was not made yet:
    # OTEL_LOG_LEVEL=debug shows it, for whoever writes hooks.
    env = harness.clean_env({"OTEL_LOG_LEVEL": "debug", **servers})
    debug = subprocess.run([str(tmp_path / EARLYCLIENTS.name)], capture_output=True, text=True, timeout=60, env=env)
    assert debug.returncode == 0, debug.stderr
    assert "otelgo: hook otelgo.dev/rules/goredis command start panicked" in debug.stderr, debug.stderr
