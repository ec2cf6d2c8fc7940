"""No secrets in telemetry, by default. testdata/secrets sends one canary
secret down every path the instrumented libraries of this checkout see (a
presigned URL with user:password@ and credentials in its query, auth
headers, cookies and a body; SQL with the secret inline and as an argument,
through database/sql and gorm; Redis keys, values and AUTH through go-redis
and redigo; gRPC metadata and messages; log lines), and the request that
starts it all carries the secret in its own query, headers and body. One
run; a test per rule checks that its spans arrived and say what they should
with the secret left out; the last checks that the secret reached the
receiver nowhere, in no signal.

Helpers for other libraries' secret tests: tests/support/secrets_support.py."""

from __future__ import annotations

import signal
import urllib.request

import harness
import pytest
from otlp import OTLPReceiver, Span
from secrets_support import assert_never_received, canary

APP = harness.TESTDATA / "secrets"


@pytest.fixture(scope="module")
def run(tmp_path_factory, redis):
    """(spans, receiver, program) of one run of testdata/secrets: GET /run
    with the secret in the query, headers and body, then SIGTERM (flushes
    spans and metrics)."""
    out = tmp_path_factory.mktemp("secrets")
    binary = harness.build_program(out, APP)
    secret = canary("secrets")
    rx = OTLPReceiver()
    rx.start()
    env = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": rx.http_endpoint,
        "OTEL_BSP_SCHEDULE_DELAY": "100",
        "REDIS_ADDR": redis.addr,
        "SECRET": secret,
    }
    try:
        with harness.run_program(binary, env=env, output_dir=out) as prog:
            req = urllib.request.Request(
                f"{prog.url}/run?q=books&X-Amz-Signature={secret}&access_token={secret}&sig={secret}",
                data=f"password={secret}".encode(),
                method="GET",
                headers={"Authorization": f"Bearer {secret}", "Cookie": f"session={secret}", "X-Api-Key": secret},
            )
            with urllib.request.urlopen(req, timeout=30) as resp:
                assert (resp.status, resp.read()) == (200, b"done"), prog.stderr
            rx.wait_for_spans(lambda s: any(x.kind == "SERVER" and x.attributes.get("url.path") == "/run" for x in s))
            code = prog.stop(signal.SIGTERM)
        assert code in (-signal.SIGTERM, 128 + signal.SIGTERM), prog.stderr
        yield rx.spans, rx, prog, secret
    finally:
        rx.close()


def scoped(spans: list[Span], scope: str) -> list[Span]:
    return [s for s in spans if s.scope_name == scope]


def test_nethttp_client_url_full_has_no_credentials(run):
    spans, _, _, secret = run
    clients = [s for s in scoped(spans, "otelgo.dev/rules/nethttp") if s.kind == "CLIENT"]
    # The presigned call, and the goroutine's plain one.
    (client,) = [s for s in clients if "X-Amz-Algorithm" in s.attributes["url.full"]]
    r = "REDACTED"
    assert client.attributes["url.full"] == (
        f"http://{r}:{r}@{client.attributes['server.address']}:{client.attributes['server.port']}/target"
        f"?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={r}&X-Amz-Signature={r}&X-Amz-Security-Token={r}"
        f"&X-Goog-Credential={r}&X-Goog-Signature={r}&AWSAccessKeyId={r}&Signature={r}&sig={r}&access_token={r}"
    )
    assert not [k for k in client.attributes if k.startswith(("http.request.header", "http.response.header"))]


def test_nethttp_server_records_no_query_secret_and_no_header(run):
    spans, _, _, _ = run
    servers = [s for s in scoped(spans, "otelgo.dev/rules/nethttp") if s.kind == "SERVER"]
    queries = {s.attributes["url.path"]: s.attributes["url.query"] for s in servers if "url.query" in s.attributes}
    r = "REDACTED"
    assert queries == {
        "/run": f"q=books&X-Amz-Signature={r}&access_token={r}&sig={r}",
        "/target": f"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={r}&X-Amz-Signature={r}"
        f"&X-Amz-Security-Token={r}&X-Goog-Credential={r}&X-Goog-Signature={r}&AWSAccessKeyId={r}"
        f"&Signature={r}&sig={r}&access_token={r}",
    }
    for s in servers:
        assert not [k for k in s.attributes if k.startswith(("http.request.header", "http.response.header"))]


def test_databasesql_replaces_literals_and_records_no_argument(run):
    spans, _, _, _ = run
    texts = {s.attributes.get("db.query.text") for s in scoped(spans, "otelgo.dev/rules/databasesql")}
    # Not parameterised: its literal values replaced.
    assert "INSERT INTO users (name, password) VALUES (?, ?)" in texts, texts
    # Parameterised: as written; its argument is nowhere (checked below for every span).
    assert "SELECT name FROM users WHERE password = ?" in texts


def test_gorm_spans_carry_no_secret(run):
    spans, _, _, secret = run
    gorm = scoped(spans, "otelgo.dev/rules/gorm")
    assert {s.name.split()[0] for s in gorm} >= {"gorm.Create", "gorm.Query", "gorm.Raw"}, [s.name for s in gorm]
    for s in gorm:
        assert secret not in repr(s.attributes), s.attributes


def test_redis_spans_carry_the_command_and_no_argument(run):
    spans, _, _, _ = run
    goredis = {s.attributes["db.query.text"] for s in scoped(spans, "otelgo.dev/rules/goredis")}
    assert {"SET ? ?", "GET ?"} <= {t.upper() for t in goredis}, goredis
    assert {t.upper() for t in goredis} & {"HSET ? ? ?; DEL ?"}, goredis
    redigo = {s.attributes["db.query.text"] for s in scoped(spans, "otelgo.dev/rules/redigo")}
    assert {"SET ? ?", "AUTH ?"} <= redigo, redigo


def test_grpc_spans_carry_no_metadata_and_no_message(run):
    spans, _, _, _ = run
    rpc = [s for s in spans if s.attributes.get("rpc.method") == "Check" or "Check" in s.name]
    assert {s.kind for s in rpc} >= {"CLIENT", "SERVER"}, [s.short() for s in rpc]
    for s in rpc:
        assert not [k for k in s.attributes if k.startswith("rpc.grpc.request.metadata")], s.attributes


def test_logs_are_not_exported_by_default(run):
    _, rx, prog, secret = run
    assert secret in prog.stderr  # the program did log it, as it chose to
    assert rx.requests("logs") == []


def test_the_secret_never_reaches_the_receiver(run):
    _, rx, _, secret = run
    assert rx.requests("traces") and rx.requests("metrics")
    assert_never_received(rx, secret)
