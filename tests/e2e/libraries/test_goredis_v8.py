"""go-redis v8 (github.com/go-redis/redis/v8) end to end: testdata/redisv8app,
built with `otel go build` at both ends of the rule's range (v8.11.5 in
go.mod, v8.11.0 in oldest.mod), against a real redis-server. Every command,
pipeline and transaction is one CLIENT span under the request's SERVER span
with the semantic conventions for Redis, and each is measured in
db.client.operation.duration."""

from __future__ import annotations

import pytest
from harness import TESTDATA
from otlp import OTLPReceiver, format_points, histogram, metric_points, series
from scenario import VARIANTS, build, check_client, drive, otel_env

APP = TESTDATA / "redisv8app"
SCOPE = "otelgo.dev/rules/goredis/goredisv8"
ROUTES = [
    ("/set?key=v8:user&value=s3cret", 200),
    ("/get?key=v8:user", 200),
    ("/get?key=v8:none", 404),
    ("/pipeline", 200),
    ("/tx", 200),
    ("/error", 500),
    ("/background", 200),
]


@pytest.fixture(scope="module", params=list(VARIANTS))
def run(request, tmp_path_factory, redis):
    out = tmp_path_factory.mktemp(f"redisv8-{request.param}")
    binary = build(APP, request.param, out)
    with OTLPReceiver() as rx:
        requests = drive(binary, ROUTES, otel_env(rx, "redisv8app", REDIS_ADDR=redis.addr), rx, out)
        return requests, metric_points(rx), redis.port


def common(port: int) -> dict:
    return {"db.system.name": "redis", "server.address": "127.0.0.1", "server.port": port, "db.namespace": "0"}


def test_command_span(run):
    requests, _, port = run
    req = requests["/set?key=v8:user&value=s3cret"]
    span = req.client("set")
    check_client(span, req.server, **common(port), **{"db.operation.name": "set", "db.query.text": "set ? ?"})
    assert span.scope_name == SCOPE and span.status_code == "UNSET"
    assert all("s3cret" not in str(s.attributes) for s in req.spans)  # the value never reaches a span
    req = requests["/get?key=v8:user"]
    check_client(req.client("get"), req.server, **common(port), **{"db.query.text": "get ?"})


def test_missing_key_is_no_error(run):
    requests, _, _ = run
    req = requests["/get?key=v8:none"]
    span = req.client("get")
    assert span.status_code == "UNSET" and "error.type" not in span.attributes


def test_pipeline_and_transaction_are_one_span_each(run):
    requests, _, port = run
    req = requests["/pipeline"]
    assert [s.name for s in req.in_scope(SCOPE)] == ["PIPELINE"], req.tree()
    check_client(
        req.client("PIPELINE"),
        req.server,
        **common(port),
        **{
            "db.operation.name": "PIPELINE",
            "db.operation.batch.size": 3,
            "db.query.text": "set ? ?; incr ?; get ?",
        },
    )
    req = requests["/tx"]
    assert [s.name for s in req.in_scope(SCOPE)] == ["MULTI incr"], req.tree()
    check_client(
        req.client("MULTI incr"),
        req.server,
        **{"db.operation.batch.size": 2, "db.query.text": "multi; incr ?; incr ?; exec"},
    )


def test_error_reply(run):
    requests, _, port = run
    req = requests["/error"]
    span = req.client("NOSUCHCOMMAND")
    check_client(span, req.server, **common(port), **{"db.response.status_code": "ERR", "error.type": "ERR"})
    assert span.status_code == "ERROR" and span.status_message.startswith("ERR unknown command")


def test_command_without_the_request_context_nests_in_it(run):
    """context.Background() inside a handler: the span current on the
    goroutine, the SERVER span, is the parent."""
    requests, _, port = run
    req = requests["/background"]
    check_client(req.client("incr"), req.server, **common(port), **{"db.query.text": "incr ?"})


def test_operation_duration(run):
    _, points, port = run
    name = "db.client.operation.duration"
    assert histogram(points, name, "redisv8app", {**common(port), "db.operation.name": "set"}, SCOPE).count == 1
    failed = {
        **common(port),
        "db.operation.name": "NOSUCHCOMMAND",
        "db.response.status_code": "ERR",
        "error.type": "ERR",
    }
    assert histogram(points, name, "redisv8app", failed, SCOPE).count == 1
    ours = [p for p in series(points, name, "redisv8app") if p.scope_name == SCOPE]
    # set, get, get, PIPELINE, MULTI incr, NOSUCHCOMMAND, incr: one each.
    assert sum(p.count for p in ours) == 7, format_points(ours)
