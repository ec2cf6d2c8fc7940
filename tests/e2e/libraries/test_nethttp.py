"""net/http instrumentation end to end: testdata/httpchain built with
`otel go build`, run against a real OTLP receiver, checked span by span.

The programs contain no OpenTelemetry code; everything asserted here comes
from what otelgo spliced in and from the SDK configured by OTEL_* variables.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import shutil
import signal
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from harness import (
    TESTDATA,
    TargetServer,
    check_build,
    diff_snapshots,
    free_port,
    line_of,
    otel_build,
    tree_snapshot,
)
from otlp import by_trace, format_spans, matching, one

USER_AGENT = "otelgo-e2e/1.0"
# Export quickly while a server runs, so tests can wait for spans without
# stopping the programs first.
SHORT_DELAY = "100"
# Never export on the batch timer: spans can only arrive through the flush
# at exit, which is what the flush tests check.
LONG_DELAY = "600000"

HTTPCHAIN = TESTDATA / "httpchain"


def otel_env(receiver, **extra: str | None) -> dict[str, str | None]:
    env = {
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint,
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_BSP_SCHEDULE_DELAY": SHORT_DELAY,
    }
    env.update(extra)
    return env


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    """GET url; returns (status, body) for any HTTP status."""
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=15) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def new_traceparent(sampled: bool = True) -> tuple[str, str, str]:
    """A fresh W3C traceparent: (header, trace id, parent span id)."""
    trace_id, span_id = secrets.token_hex(16), secrets.token_hex(8)
    return f"00-{trace_id}-{span_id}-{'01' if sampled else '00'}", trace_id, span_id


def expect(*wants: dict) -> Callable[[list], bool]:
    """Predicate for wait_for_spans: every `want` matches at least one span."""
    return lambda spans: all(matching(spans, **w) for w in wants)


FRONTEND_SERVER = {"service_name": "frontend", "kind": "SERVER"}
FRONTEND_CLIENT = {"service_name": "frontend", "kind": "CLIENT"}
BACKEND_SERVER = {"service_name": "backend", "kind": "SERVER"}


@contextlib.contextmanager
def chain(bins, run_program, frontend_env, backend_env=None, backend_url=None):
    """Backend, then frontend pointed at it; both stopped (SIGTERM, which
    also flushes) when the block ends."""
    with run_program(bins["backend"], env=backend_env or frontend_env) as backend:
        env = dict(frontend_env, BACKEND_URL=backend_url or backend.url)
        with run_program(bins["frontend"], env=env) as frontend:
            yield frontend, backend


# --- the trace across two processes ------------------------------------------


def test_server_client_server_in_one_trace(httpchain_otel, receiver, run_program):
    with chain(httpchain_otel, run_program, otel_env(receiver)) as (frontend, backend):
        assert get(frontend.url + "/hello/x") == (200, "hello x: ok\n")
        receiver.wait_for_spans(expect(FRONTEND_SERVER, FRONTEND_CLIENT, BACKEND_SERVER))
    spans = receiver.spans
    assert len(by_trace(spans)) == 1, format_spans(spans)
    assert len(spans) == 3, format_spans(spans)

    server = one(spans, **FRONTEND_SERVER)
    client = one(spans, **FRONTEND_CLIENT)
    backend_server = one(spans, **BACKEND_SERVER)

    # The links: frontend SERVER -> frontend CLIENT -> backend SERVER.
    assert server.parent_span_id == ""
    assert client.parent_span_id == server.span_id
    assert backend_server.parent_span_id == client.span_id

    assert server.name == "GET /hello/{name}"
    expected = {
        "http.request.method": "GET",
        "url.path": "/hello/x",
        "url.scheme": "http",
        "server.address": "127.0.0.1",
        "server.port": frontend.port,
        "http.response.status_code": 200,
        "network.protocol.version": "1.1",
        "user_agent.original": USER_AGENT,
        "http.route": "/hello/{name}",
    }
    # Other attributes (e.g. network.peer.address) may be present too.
    assert {k: server.attributes.get(k) for k in expected} == expected, server.attributes
    assert server.status_code == "UNSET"

    assert client.name == "GET"
    assert client.attributes["http.request.method"] == "GET"
    assert client.attributes["url.full"] == backend.url + "/work"
    assert client.attributes["server.address"] == "127.0.0.1"
    assert client.attributes["server.port"] == backend.port
    assert client.attributes["http.response.status_code"] == 200
    assert "error.type" not in client.attributes
    assert client.status_code == "UNSET"

    assert backend_server.name == "GET /work"
    assert backend_server.attributes["http.route"] == "/work"
    assert backend_server.attributes["url.path"] == "/work"
    assert backend_server.attributes["server.port"] == backend.port
    assert backend_server.attributes["http.response.status_code"] == 200
    # Go's client sends its own User-Agent; the backend sees that one.
    assert backend_server.attributes["user_agent.original"].startswith("Go-http-client/")

    # One clock on one machine: children lie within their parents.
    assert server.start_ns <= client.start_ns <= client.end_ns <= server.end_ns
    assert client.start_ns <= backend_server.start_ns <= backend_server.end_ns <= client.end_ns

    # OTEL_SERVICE_NAME unset: the service is named after the binary.
    assert server.resource["service.name"] == "frontend"
    assert backend_server.resource["service.name"] == "backend"


def test_service_name_and_resource_from_env(httpchain_otel, receiver, run_program):
    frontend_env = otel_env(
        receiver,
        OTEL_SERVICE_NAME="shop-frontend",
        OTEL_RESOURCE_ATTRIBUTES="deployment.environment.name=e2e,team=checkout",
    )
    with chain(httpchain_otel, run_program, frontend_env, otel_env(receiver)) as (
        frontend,
        _,
    ):
        assert get(frontend.url + "/hello/y")[0] == 200
        spans = receiver.wait_for_spans(expect({"service_name": "shop-frontend", "kind": "SERVER"}, BACKEND_SERVER))
    server = one(spans, service_name="shop-frontend", kind="SERVER")
    assert server.resource["deployment.environment.name"] == "e2e"
    assert server.resource["team"] == "checkout"
    # The backend was given no OTEL_SERVICE_NAME and keeps its binary's name.
    assert one(spans, **BACKEND_SERVER).resource["service.name"] == "backend"


def test_unmatched_route_is_named_by_method_only(httpchain_otel, receiver, run_program):
    with chain(httpchain_otel, run_program, otel_env(receiver)) as (frontend, _):
        assert get(frontend.url + "/nope")[0] == 404
        spans = receiver.wait_for_spans(expect(FRONTEND_SERVER))
    server = one(spans, **FRONTEND_SERVER)
    assert server.name == "GET"
    assert "http.route" not in server.attributes
    assert server.attributes["http.response.status_code"] == 404
    assert server.attributes["url.path"] == "/nope"
    # A 4xx is the client's fault: a server span's status stays unset.
    assert server.status_code == "UNSET"


def test_the_innermost_servemux_gives_the_route(httpchain_otel, receiver, run_program):
    """The backend's own mux sends /v1/ to a mux of its own behind a
    middleware that copies the request, and /api/ to one behind
    http.StripPrefix("/api"): the route is the pattern the innermost mux
    matched, given back the prefix StripPrefix took off; a path that mux
    does not know has no route."""
    with chain(httpchain_otel, run_program, otel_env(receiver), otel_env(receiver)) as (_, backend):
        assert get(backend.url + "/v1/items/7") == (200, "item 7")
        assert get(backend.url + "/api/things") == (200, "things")
        assert get(backend.url + "/v1/nope")[0] == 404
        spans = receiver.wait_for_spans(lambda s: len(matching(s, **BACKEND_SERVER)) >= 3)
    by_path = {s.attributes["url.path"]: s for s in matching(spans, **BACKEND_SERVER)}
    assert by_path["/v1/items/7"].name == "GET /v1/items/{id}"
    assert by_path["/v1/items/7"].attributes["http.route"] == "/v1/items/{id}"
    assert by_path["/api/things"].name == "GET /api/things"
    assert by_path["/api/things"].attributes["http.route"] == "/api/things"
    assert by_path["/v1/nope"].name == "GET"
    assert "http.route" not in by_path["/v1/nope"].attributes


def test_backend_500_marks_errors(httpchain_otel, receiver, run_program):
    with chain(httpchain_otel, run_program, otel_env(receiver)) as (frontend, backend):
        assert get(frontend.url + "/boom")[0] == 502
        spans = receiver.wait_for_spans(expect(FRONTEND_SERVER, FRONTEND_CLIENT, BACKEND_SERVER))
    backend_server = one(spans, **BACKEND_SERVER)
    assert backend_server.name == "GET /fail"
    assert backend_server.status_code == "ERROR"
    assert backend_server.attributes["http.response.status_code"] == 500

    client = one(spans, **FRONTEND_CLIENT)
    assert client.attributes["http.response.status_code"] == 500
    assert client.attributes["url.full"] == backend.url + "/fail"
    assert client.status_code == "ERROR"
    assert client.attributes.get("error.type") == "500"

    server = one(spans, **FRONTEND_SERVER)
    assert server.name == "GET /boom"
    assert server.attributes["http.response.status_code"] == 502
    assert server.status_code == "ERROR"


def test_client_transport_failure_sets_error_type(httpchain_otel, receiver, run_program):
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with chain(httpchain_otel, run_program, otel_env(receiver), backend_url=dead) as (
        frontend,
        _,
    ):
        assert get(frontend.url + "/hello/z")[0] == 502
        spans = receiver.wait_for_spans(expect(FRONTEND_SERVER, FRONTEND_CLIENT))
    client = one(spans, **FRONTEND_CLIENT)
    assert client.status_code == "ERROR"
    assert client.attributes.get("error.type"), client.attributes
    assert "http.response.status_code" not in client.attributes
    assert client.attributes["url.full"] == dead + "/work"


# --- propagation and sampling ------------------------------------------------


def test_incoming_traceparent_is_honoured(httpchain_otel, receiver, run_program):
    traceparent, trace_id, parent_id = new_traceparent()
    with chain(httpchain_otel, run_program, otel_env(receiver)) as (frontend, _):
        assert get(frontend.url + "/hello/w", {"traceparent": traceparent})[0] == 200
        spans = receiver.wait_for_spans(expect(FRONTEND_SERVER, FRONTEND_CLIENT, BACKEND_SERVER))
    server = one(spans, **FRONTEND_SERVER)
    assert (server.trace_id, server.parent_span_id) == (trace_id, parent_id)
    assert {s.trace_id for s in spans} == {trace_id}, format_spans(spans)
    assert one(spans, **BACKEND_SERVER).parent_span_id == one(spans, **FRONTEND_CLIENT).span_id


SAMPLERS_THAT_DROP_ROOTS = [
    pytest.param({"OTEL_TRACES_SAMPLER": "always_off"}, id="always_off"),
    pytest.param(
        {"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0"},
        id="ratio0",
    ),
    pytest.param(
        {
            "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
            "OTEL_TRACES_SAMPLER_ARG": "0",
        },
        id="parentbased_ratio0",
    ),
]


@pytest.mark.parametrize("sampler", SAMPLERS_THAT_DROP_ROOTS)
def test_sampler_drops_whole_trace(httpchain_otel, receiver, run_program, sampler):
    frontend_env = otel_env(receiver, **sampler)
    # The backend samples by default (parentbased_always_on): it drops the
    # request only if the frontend propagated its not-sampled decision.
    with chain(httpchain_otel, run_program, frontend_env, otel_env(receiver)) as (
        frontend,
        backend,
    ):
        assert get(frontend.url + "/hello/x") == (200, "hello x: ok\n")
        # Control: a request straight to the backend is a sampled root, so
        # the exporters work and an empty result above is meaningful.
        assert get(backend.url + "/work") == (200, "ok")
        receiver.wait_for_spans(expect(dict(BACKEND_SERVER, parent_span_id="")))
    spans = receiver.spans
    assert len(spans) == 1, format_spans(spans)


def test_parentbased_follows_the_callers_decision(httpchain_otel, receiver, run_program):
    env = otel_env(
        receiver,
        OTEL_TRACES_SAMPLER="parentbased_traceidratio",
        OTEL_TRACES_SAMPLER_ARG="0",
    )
    sampled, sampled_id, _ = new_traceparent(sampled=True)
    unsampled, _, _ = new_traceparent(sampled=False)
    with chain(httpchain_otel, run_program, env) as (frontend, _):
        assert get(frontend.url + "/hello/a", {"traceparent": unsampled})[0] == 200
        assert get(frontend.url + "/hello/b")[0] == 200  # root: ratio 0 drops it
        assert get(frontend.url + "/hello/c", {"traceparent": sampled})[0] == 200
        receiver.wait_for_spans(expect(FRONTEND_SERVER, FRONTEND_CLIENT, BACKEND_SERVER))
    spans = receiver.spans
    # Only the request whose caller had sampled it was recorded, end to end.
    assert {s.trace_id for s in spans} == {sampled_id}, format_spans(spans)
    assert len(spans) == 3, format_spans(spans)
    assert one(spans, **FRONTEND_SERVER).attributes["url.path"] == "/hello/c"


# --- exporter configuration (one process: cmd/oneshot) -----------------------


@pytest.fixture(scope="module")
def oneshot_with_grpc(tmp_path_factory) -> Path:
    """oneshot (no gRPC of its own) built with the OTLP/gRPC and console
    exporters, which join such a program only when --exporters asks for
    them."""
    out = tmp_path_factory.mktemp("oneshot-grpc") / "oneshot"
    result = check_build(
        otel_build(TESTDATA / "httpchain", "--exporters", "otlp,otlp-grpc,console", "-o", str(out), "./cmd/oneshot")
    )
    assert "exporters: otlp, otlp-grpc, console (" in result.stderr, result.stderr
    return out


def _oneshot(httpchain_otel, oneshot_with_grpc, protocol: str) -> Path:
    return oneshot_with_grpc if protocol == "grpc" else httpchain_otel["oneshot"]


@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
def test_protocol_and_auth_headers(httpchain_otel, oneshot_with_grpc, receiver, run_program, protocol):
    endpoint = receiver.grpc_endpoint if protocol == "grpc" else receiver.http_endpoint
    env = otel_env(
        receiver,
        OTEL_EXPORTER_OTLP_PROTOCOL=protocol,
        OTEL_EXPORTER_OTLP_ENDPOINT=endpoint,
        OTEL_EXPORTER_OTLP_HEADERS="authorization=Bearer xyz",
    )
    with TargetServer() as target:
        env["TARGET_URL"] = target.url + "/ping"
        with run_program(_oneshot(httpchain_otel, oneshot_with_grpc, protocol), env=env, listen=False) as prog:
            assert prog.wait() == 0, prog.stderr
    assert "otelgo:" not in prog.stderr, prog.stderr
    spans = receiver.wait_for_spans(1)
    span = one(spans, kind="CLIENT")
    assert span.transport == protocol.split("/")[0]
    requests = receiver.requests("traces")
    assert requests
    assert all(r.headers.get("authorization") == "Bearer xyz" for r in requests), [r.headers for r in requests]


def test_b3_propagator(httpchain_otel, receiver, run_program):
    env = otel_env(receiver, OTEL_PROPAGATORS="b3")
    with TargetServer() as target:
        env["TARGET_URL"] = target.url + "/ping"
        with run_program(httpchain_otel["oneshot"], env=env, listen=False) as prog:
            assert prog.wait() == 0, prog.stderr
    span = one(receiver.wait_for_spans(1), kind="CLIENT")
    (request,) = target.requests
    assert "traceparent" not in request.headers
    assert request.headers.get("b3", "").startswith(f"{span.trace_id}-{span.span_id}"), request.headers


@pytest.mark.parametrize("exporter", ["console", "none"])
def test_non_otlp_exporters(httpchain_otel, oneshot_with_grpc, receiver, run_program, exporter):
    env = otel_env(receiver, OTEL_TRACES_EXPORTER=exporter)
    with TargetServer() as target:
        env["TARGET_URL"] = target.url + "/ping"
        with run_program(oneshot_with_grpc, env=env, listen=False) as prog:
            assert prog.wait() == 0, prog.stderr
    assert "status 200" in prog.stdout
    assert receiver.requests("traces") == []
    assert "otelgo:" not in prog.stderr, prog.stderr
    if exporter == "console":
        # The console exporter prints the client span, whose trace id is
        # the one the request carried.
        (request,) = target.requests
        trace_id = request.headers["traceparent"].split("-")[1]
        assert trace_id in prog.stdout, prog.stdout


def test_console_without_the_console_exporters(httpchain_otel, receiver, run_program):
    """The default build links OTLP only: OTEL_TRACES_EXPORTER=console gets
    one line saying how to link it, and the program runs as it would."""
    env = otel_env(receiver, OTEL_TRACES_EXPORTER="console")
    with TargetServer() as target:
        env["TARGET_URL"] = target.url + "/ping"
        with run_program(httpchain_otel["oneshot"], env=env, listen=False) as prog:
            assert prog.wait() == 0, prog.stderr
    assert prog.stdout.strip().endswith("status 200") and '"TraceID"' not in prog.stdout, prog.stdout
    lines = [line for line in prog.stderr.splitlines() if line.startswith("otelgo:")]
    assert lines == [
        'otelgo: OTEL_TRACES_EXPORTER="console": this program was built without the console exporter; '
        "build it with `otel go build --exporters otlp,console` (or exporters in otelgo.toml); no traces are exported"
    ], prog.stderr
    assert receiver.requests("traces") == []


# --- flushing at every kind of exit --------------------------------------------


def check_oneshot_span(spans, target):
    span = one(spans, kind="CLIENT")
    assert span.service_name == "oneshot"
    assert span.name == "GET"
    assert span.attributes["url.full"] == target.url + "/ping"
    assert span.attributes["http.response.status_code"] == 200
    assert span.attributes["server.address"] == "127.0.0.1"
    # The request carried the client span's context (W3C traceparent).
    (request,) = target.requests
    assert request.headers.get("traceparent") == f"00-{span.trace_id}-{span.span_id}-01"


@pytest.mark.parametrize(("mode", "exit_code"), [((), 0), (("exit",), 3)], ids=["return", "os.Exit"])
def test_flush_when_program_ends(httpchain_otel, receiver, run_program, mode, exit_code):
    env = otel_env(receiver, OTEL_BSP_SCHEDULE_DELAY=LONG_DELAY)
    with TargetServer() as target:
        env["TARGET_URL"] = target.url + "/ping"
        with run_program(httpchain_otel["oneshot"], mode, env=env, listen=False) as prog:
            assert prog.wait() == exit_code, prog.stderr
        assert "status 200" in prog.stdout
        # The export finished before the process exited: no waiting needed
        # beyond the receiver's own bookkeeping.
        check_oneshot_span(receiver.wait_for_spans(1, timeout=2), target)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_flush_on_signal(httpchain_otel, receiver, run_program, sig):
    env = otel_env(receiver, OTEL_BSP_SCHEDULE_DELAY=LONG_DELAY)
    with TargetServer() as target:
        env["TARGET_URL"] = target.url + "/ping"
        with run_program(httpchain_otel["oneshot"], ["wait"], env=env, listen=False) as prog:
            prog.wait_for_output("status 200")
            # The batch timer never fires, so nothing was exported yet.
            assert receiver.spans == []
            code = prog.stop(sig)
        # The program does not handle the signal: it must still end the way
        # an uninstrumented Go program does, killed by the signal (or with
        # the shell's 128+N if the bootstrap exits explicitly).
        assert code in (-sig, 128 + sig), (code, prog.stderr)
        check_oneshot_span(receiver.wait_for_spans(1, timeout=2), target)


def test_grpc_protocol_without_the_grpc_exporters(httpchain_otel, receiver, run_program):
    """The default build of a program without gRPC links OTLP over
    http/protobuf only: OTEL_EXPORTER_OTLP_PROTOCOL=grpc gets one line per
    signal saying how to link it, and the program runs as it would."""
    env = otel_env(receiver, OTEL_EXPORTER_OTLP_PROTOCOL="grpc", OTEL_EXPORTER_OTLP_ENDPOINT=receiver.grpc_endpoint)
    with TargetServer() as target:
        env["TARGET_URL"] = target.url + "/ping"
        with run_program(httpchain_otel["oneshot"], env=env, listen=False) as prog:
            assert prog.wait() == 0, prog.stderr
    assert "status 200" in prog.stdout and len(target.requests) == 1
    lines = [line for line in prog.stderr.splitlines() if line.startswith("otelgo:")]
    assert len(lines) == 2, prog.stderr  # traces and metrics (logs are off by default)
    assert all(
        "built without the otlp-grpc exporter" in line and "--exporters otlp,otlp-grpc" in line for line in lines
    )
    assert receiver.requests("traces") == []


@pytest.mark.parametrize("protocol", ["http/protobuf", "grpc"])
def test_collector_down_does_not_hang_the_program(httpchain_otel, oneshot_with_grpc, receiver, run_program, protocol):
    env = otel_env(
        receiver,
        OTEL_EXPORTER_OTLP_PROTOCOL=protocol,
        OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{free_port()}",
    )
    with TargetServer() as target:
        env["TARGET_URL"] = target.url + "/ping"
        with run_program(_oneshot(httpchain_otel, oneshot_with_grpc, protocol), env=env, listen=False) as prog:
            # A bound, not a speed test: the flush at exit must give up.
            assert prog.wait(timeout=15) == 0, prog.stderr
    assert "status 200" in prog.stdout
    assert len(target.requests) == 1


# --- the user's program stays the user's program ------------------------------


def names_line(stack: str, file: str, line: int) -> bool:
    """Whether a Go stack trace names file:line of testdata/httpchain. The
    directory part is matched as a suffix: Go prints the absolute path it
    was given, which may differ from ours by symlinks."""
    pattern = re.escape(f"/testdata/httpchain/{file}:") + rf"{line}\b"
    return re.search(pattern, stack) is not None


def test_handler_panic_fails_its_span_and_reports_original_line(httpchain_otel, receiver, run_program):
    source = HTTPCHAIN / "cmd" / "frontend" / "explode.go"
    line = line_of(source, 'panic("explode')
    with chain(httpchain_otel, run_program, otel_env(receiver)) as (frontend, _):
        with pytest.raises((urllib.error.URLError, ConnectionError)):
            get(frontend.url + "/panic")
        # net/http recovered the panic; the server still serves.
        assert get(frontend.url + "/hello/after")[0] == 200
        spans = receiver.wait_for_spans(
            expect({**FRONTEND_SERVER, "name": "GET /panic"}, {**FRONTEND_SERVER, "name": "GET /hello/{name}"})
        )
    assert "explode: deliberate panic in a handler" in frontend.stderr
    assert names_line(frontend.stderr, "cmd/frontend/explode.go", line), frontend.stderr
    panicked = one(spans, **FRONTEND_SERVER, name="GET /panic")
    assert panicked.status_code == "ERROR"
    assert panicked.attributes["error.type"] == "panic"
    assert "http.response.status_code" not in panicked.attributes  # the connection was closed
    after = one(spans, **FRONTEND_SERVER, name="GET /hello/{name}")
    assert after.status_code == "UNSET"
    assert "error.type" not in after.attributes


def test_crash_reports_original_line(httpchain_otel, run_program, receiver):
    source = HTTPCHAIN / "cmd" / "crash" / "main.go"
    line = line_of(source, "panic(fmt.Sprintf")
    with run_program(httpchain_otel["crash"], env=otel_env(receiver), listen=False) as prog:
        assert prog.wait() == 2, prog.stderr  # Go's exit status for an unrecovered panic
    assert "panic: crash: cannot divide 1 by zero" in prog.stderr
    assert names_line(prog.stderr, "cmd/crash/main.go", line), prog.stderr
    assert "main.divide" in prog.stderr


def test_plain_build_afterwards_is_not_instrumented(httpchain_otel, go_build, receiver, run_program, tmp_path):
    instrumented = httpchain_otel["frontend"]  # an otelgo build ran first
    bins = {}
    for name in ("frontend", "backend"):
        bins[name] = tmp_path / name
        check_build(go_build(HTTPCHAIN, "-o", str(bins[name]), f"./cmd/{name}"))

    # Control: the instrumented binary links the SDK, the plain one must not.
    assert b"go.opentelemetry.io" in instrumented.read_bytes()
    assert b"go.opentelemetry.io" not in bins["frontend"].read_bytes()

    with chain(bins, run_program, otel_env(receiver)) as (frontend, _):
        assert get(frontend.url + "/hello/x") == (200, "hello x: ok\n")
        assert get(frontend.url + "/boom")[0] == 502
    # Both processes have exited: anything they would export has been sent.
    assert receiver.records == []


# --- the source tree is never touched -------------------------------------------


def test_successful_build_leaves_tree_untouched(otel_build, tmp_path):
    before = tree_snapshot(HTTPCHAIN)
    check_build(otel_build(HTTPCHAIN, "-o", str(tmp_path / "frontend"), "./cmd/frontend"))
    assert (tmp_path / "frontend").is_file()
    assert diff_snapshots(before, tree_snapshot(HTTPCHAIN)) == ""


BROKEN_GO = """package main

func broken() int {
	return undefinedThing
}
"""


def test_failed_build_reports_user_line_and_leaves_tree_untouched(otel_build, tmp_path):
    module = tmp_path / "httpchain"
    shutil.copytree(HTTPCHAIN, module)
    (module / "cmd" / "frontend" / "broken.go").write_text(BROKEN_GO)
    line = BROKEN_GO.splitlines().index("\treturn undefinedThing") + 1
    before = tree_snapshot(module)

    result = otel_build(module, "-o", str(tmp_path / "frontend"), "./cmd/frontend")

    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert re.search(rf"cmd/frontend/broken\.go:{line}:\d+: undefined: undefinedThing", output), output
    assert not (tmp_path / "frontend").exists()
    assert diff_snapshots(before, tree_snapshot(module)) == ""
