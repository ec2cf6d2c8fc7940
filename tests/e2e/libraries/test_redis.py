"""go-redis v9 and redigo instrumentation end to end: testdata/redisapp built
with `otel go build` and run against a real redis-server. Its handlers talk
to Redis with r.Context() wherever the API takes a context; every command,
pipeline and transaction must be one CLIENT span under the request's SERVER
span, with the semantic conventions for Redis.

The program is built twice: with its go.mod (go-redis v9.22.0, redigo
v1.9.3) and with oldest.mod (go-redis v9.0.0, redigo v1.8.8, the lowest
versions the rules claim). Each build runs one scenario (every handler
once, in order); the tests below check its spans.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass, field

import pytest
from harness import TESTDATA, check_build, otel_build, run_program
from otlp import OTLPReceiver, Span, children_of, format_spans

GOREDIS = "otelgo.dev/rules/goredis"
REDIGO = "otelgo.dev/rules/redigo"

# Handlers of testdata/redisapp, in the order the scenario calls them, with
# the HTTP status each answers.
ROUTES = [
    ("/goredis/set?key=user:1&value=s3cret", 200),
    ("/goredis/get?key=user:1", 200),
    ("/goredis/get?key=no:such:key", 404),
    ("/goredis/pipeline", 200),
    ("/goredis/tx", 200),
    ("/goredis/error", 500),
    ("/redigo/do", 200),
    ("/redigo/pipeline", 200),
    ("/redigo/tx", 200),
    ("/redigo/error", 500),
]

VARIANTS = {
    "current": [],  # go.mod
    "oldest": ["-modfile=oldest.mod"],
}


@dataclass
class Request:
    path: str
    status: int
    server: Span
    spans: list[Span] = field(default_factory=list)  # every span below the SERVER span

    def client(self, name: str) -> Span:
        found = [s for s in self.spans if s.name == name and s.kind == "CLIENT"]
        assert len(found) == 1, (
            f"{self.path}: expected one CLIENT span {name!r}:\n{format_spans([self.server, *self.spans])}"
        )
        return found[0]

    def redis_spans(self, scope: str) -> list[Span]:
        return [s for s in self.spans if s.scope_name == scope]


@dataclass
class Scenario:
    variant: str
    port: int  # redis-server's
    requests: dict[str, Request]
    spans: list[Span]  # all that arrived

    def common(self) -> dict:
        return {"db.system.name": "redis", "server.address": "127.0.0.1", "server.port": self.port}


def _descendants(spans: list[Span], span: Span) -> list[Span]:
    out = []
    for child in children_of(spans, span):
        out += [child, *_descendants(spans, child)]
    return out


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=15) as resp:
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code


@pytest.fixture(scope="module", params=list(VARIANTS))
def scenario(request, tmp_path_factory, redis) -> Scenario:
    variant = request.param
    out = tmp_path_factory.mktemp(f"redisapp-{variant}") / "redisapp"
    check_build(otel_build(TESTDATA / "redisapp", *VARIANTS[variant], "-o", str(out), "."))
    requests: dict[str, Request] = {}
    with OTLPReceiver() as rx:
        env = {
            "REDIS_ADDR": redis.addr,
            "OTEL_EXPORTER_OTLP_ENDPOINT": rx.http_endpoint,
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
            "OTEL_BSP_SCHEDULE_DELAY": "100",
            "OTEL_SERVICE_NAME": "redisapp",
        }
        with run_program(out, env=env, output_dir=out.parent) as app:
            for path, status in ROUTES:
                assert _get(app.url + path) == status, f"{path}: {app.stderr}"
                url_path = path.split("?")[0]
                # The SERVER span ends last: when it is in, so is the rest.
                spans = rx.wait_for_spans(
                    lambda spans, p=url_path: (
                        sum(s.kind == "SERVER" and s.attributes.get("url.path") == p for s in spans)
                        >= sum(r.split("?")[0] == p for r in requests) + 1
                    )
                )
                server = [s for s in spans if s.kind == "SERVER" and s.attributes.get("url.path") == url_path][-1]
                requests[path] = Request(path, status, server, _descendants(spans, server))
        everything = rx.spans
    return Scenario(variant, redis.port, requests, everything)


def check(span: Span, parent: Span, **attrs) -> None:
    """span is a CLIENT span under parent with (at least) attrs."""
    assert span.kind == "CLIENT"
    assert span.parent_span_id == parent.span_id, f"{span.short()} is not a child of {parent.short()}"
    assert span.trace_id == parent.trace_id
    got = {k: span.attributes.get(k) for k in attrs}
    assert got == attrs, span.attributes


def test_every_redis_span_is_in_a_request(scenario):
    roots = [s for s in scenario.spans if s.kind == "CLIENT" and s.parent_span_id == ""]
    assert not roots, "CLIENT spans outside any request:\n" + format_spans(scenario.spans)
    for req in scenario.requests.values():
        assert req.server.status_code == ("ERROR" if req.status >= 500 else "UNSET")
        assert all(s.kind == "CLIENT" and s.attributes["db.system.name"] == "redis" for s in req.spans)


# --- go-redis ------------------------------------------------------------------


def test_goredis_command_span(scenario):
    req = scenario.requests["/goredis/set?key=user:1&value=s3cret"]
    span = req.client("set")
    check(
        span,
        req.server,
        **scenario.common(),
        **{
            "db.namespace": "0",
            "db.operation.name": "set",
            "db.query.text": "set ? ?",
        },
    )
    assert span.status_code == "UNSET"
    assert span.scope_name == GOREDIS
    assert "db.operation.batch.size" not in span.attributes
    # The value never reaches a span; nor do the old conventions' attributes.
    for s in req.spans:
        assert "s3cret" not in str(s.attributes), s.attributes
        assert not {"db.system", "db.statement", "db.connection_string"} & s.attributes.keys()

    req = scenario.requests["/goredis/get?key=user:1"]
    check(
        req.client("get"),
        req.server,
        **scenario.common(),
        **{
            "db.operation.name": "get",
            "db.query.text": "get ?",
        },
    )


def test_goredis_missing_key_is_no_error(scenario):
    req = scenario.requests["/goredis/get?key=no:such:key"]
    span = req.client("get")
    check(span, req.server, **{"db.query.text": "get ?"})
    assert span.status_code == "UNSET"
    assert "error.type" not in span.attributes
    assert req.server.attributes["http.response.status_code"] == 404


def test_goredis_pipeline_is_one_span(scenario):
    req = scenario.requests["/goredis/pipeline"]
    assert [s.name for s in req.redis_spans(GOREDIS)] == ["PIPELINE"], format_spans([req.server, *req.spans])
    span = req.client("PIPELINE")
    check(
        span,
        req.server,
        **scenario.common(),
        **{
            "db.operation.name": "PIPELINE",
            "db.operation.batch.size": 3,
            "db.query.text": "set ? ?; incr ?; get ?",
        },
    )
    assert span.status_code == "UNSET"


def test_goredis_transaction(scenario):
    req = scenario.requests["/goredis/tx"]
    assert [s.name for s in req.redis_spans(GOREDIS)] == ["MULTI incr"], format_spans([req.server, *req.spans])
    check(
        req.client("MULTI incr"),
        req.server,
        **{
            "db.operation.name": "MULTI incr",
            "db.operation.batch.size": 2,
            "db.query.text": "multi; incr ?; incr ?; exec",
        },
    )


def test_goredis_error_reply(scenario):
    req = scenario.requests["/goredis/error"]
    span = req.client("NOSUCHCOMMAND")
    check(
        span,
        req.server,
        **scenario.common(),
        **{
            "db.operation.name": "NOSUCHCOMMAND",
            "db.query.text": "NOSUCHCOMMAND ?",
            "db.response.status_code": "ERR",
            "error.type": "ERR",
        },
    )
    assert span.status_code == "ERROR"
    assert span.status_message.startswith("ERR unknown command")


# --- redigo --------------------------------------------------------------------


def test_redigo_do_and_docontext(scenario):
    req = scenario.requests["/redigo/do"]
    assert [s.name for s in req.redis_spans(REDIGO)] == ["SET", "GET"], format_spans([req.server, *req.spans])
    # redis.DoContext(c, r.Context(), "SET", ...)
    set_ = req.client("SET")
    check(
        set_,
        req.server,
        **scenario.common(),
        **{
            "db.namespace": "0",
            "db.operation.name": "SET",
            "db.query.text": "SET ? ?",
        },
    )
    assert set_.scope_name == REDIGO
    assert set_.status_code == "UNSET"
    # c.Do("GET", ...) has no context: its parent is the span current on the
    # handler's goroutine, the SERVER span.
    check(
        req.client("GET"),
        req.server,
        **scenario.common(),
        **{
            "db.namespace": "0",
            "db.operation.name": "GET",
            "db.query.text": "GET ?",
        },
    )


def test_redigo_send_flush_receive_is_one_span(scenario):
    req = scenario.requests["/redigo/pipeline"]
    assert [s.name for s in req.redis_spans(REDIGO)] == ["PIPELINE"], format_spans([req.server, *req.spans])
    span = req.client("PIPELINE")
    check(
        span,
        req.server,
        **scenario.common(),
        **{
            "db.namespace": "0",
            "db.operation.name": "PIPELINE",
            "db.operation.batch.size": 3,
            "db.query.text": "SET ? ?; INCR ?; GET ?",
        },
    )
    assert span.status_code == "UNSET"
    assert span.start_ns < span.end_ns


def test_redigo_pooled_transaction_on_database_1(scenario):
    req = scenario.requests["/redigo/tx"]
    names = [s.name for s in req.redis_spans(REDIGO)]
    # The pool dials with DialDatabase(1): DialContext's SELECT, then the
    # MULTI, INCR, INCR sent and the EXEC run with DoContext: one span.
    assert names == ["SELECT", "MULTI INCR"], format_spans([req.server, *req.spans])
    check(req.client("SELECT"), req.server, **{"db.operation.name": "SELECT", "db.query.text": "SELECT ?"})
    tx = req.client("MULTI INCR")
    check(
        tx,
        req.server,
        **scenario.common(),
        **{
            "db.namespace": "1",
            "db.operation.name": "MULTI INCR",
            "db.operation.batch.size": 2,
            "db.query.text": "MULTI; INCR ?; INCR ?; EXEC",
        },
    )
    assert tx.status_code == "UNSET"


def test_redigo_error_reply(scenario):
    req = scenario.requests["/redigo/error"]
    span = req.client("NOSUCHCOMMAND")
    check(
        span,
        req.server,
        **scenario.common(),
        **{
            "db.operation.name": "NOSUCHCOMMAND",
            "db.query.text": "NOSUCHCOMMAND ?",
            "db.response.status_code": "ERR",
            "error.type": "ERR",
        },
    )
    assert span.status_code == "ERROR"
    assert span.status_message.startswith("ERR unknown command")
    assert req.server.status_code == "ERROR"
