"""`otel view`: OTLP in (HTTP protobuf/JSON, gRPC), finished traces out, as
JSON lines and as waterfall trees in a real terminal (tmux).

The spans are crafted here with opentelemetry-proto, so every duration and
parent link asserted is known exactly; test_view_e2e.py does the same with
a program built by `otel go build`.
"""

from __future__ import annotations

import contextlib
import io
import ipaddress
import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import harness
import pytest
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.proto.common.v1 import common_pb2
from opentelemetry.proto.resource.v1 import resource_pb2
from opentelemetry.proto.trace.v1 import trace_pb2
from rich.console import Console
from tmux import RED, Tmux, colors_of, foreground_colors, have_tmux

from otelgo.view.render import format_duration, render_trace, timeline_bar
from otelgo.view.traces import ORPHAN_GRACE_SECONDS, Span, Trace, TraceAssembler

T0 = 1_700_000_000_000_000_000  # ns; spans start at T0 + their offset
MS = 1_000_000
TRACE = "0af7651916cd43dd8448eb211c80319c"
KIND = trace_pb2.Span.SpanKind
# Short, so tests do not sit idle; the spans of a request arrive together.
IDLE = "0.2"
# Bound for a viewer to exit once its traces are in (no timing is asserted).
EXIT_TIMEOUT = 30


# --- crafting OTLP ----------------------------------------------------------------


def kv(key: str, value) -> common_pb2.KeyValue:
    v = common_pb2.AnyValue()
    if isinstance(value, int):
        v.int_value = value
    else:
        v.string_value = value
    return common_pb2.KeyValue(key=key, value=v)


def span(
    span_id: str,
    parent: str,
    name: str,
    kind: int,
    start_ms: float,
    end_ms: float,
    attrs: dict | None = None,
    error: str | None = None,
    trace: str = TRACE,
) -> trace_pb2.Span:
    s = trace_pb2.Span(
        trace_id=bytes.fromhex(trace),
        span_id=bytes.fromhex(span_id),
        parent_span_id=bytes.fromhex(parent),
        name=name,
        kind=kind,
        start_time_unix_nano=T0 + int(start_ms * MS),
        end_time_unix_nano=T0 + int(end_ms * MS),
        attributes=[kv(k, v) for k, v in (attrs or {}).items()],
    )
    if error is not None:
        s.status.code = trace_pb2.Status.STATUS_CODE_ERROR
        s.status.message = error
    return s


def request(**spans_by_service: list[trace_pb2.Span]) -> trace_service_pb2.ExportTraceServiceRequest:
    return trace_service_pb2.ExportTraceServiceRequest(
        resource_spans=[
            trace_pb2.ResourceSpans(
                resource=resource_pb2.Resource(attributes=[kv("service.name", service.replace("_", "-"))]),
                scope_spans=[trace_pb2.ScopeSpans(spans=spans)],
            )
            for service, spans in spans_by_service.items()
        ]
    )


def checkout_trace() -> trace_service_pb2.ExportTraceServiceRequest:
    """frontend: client GET -> inventory: server GET /items/{id} -> its
    failing query, in two services."""
    return request(
        frontend=[
            span(
                "00000000000000a1",
                "",
                "GET",
                KIND.SPAN_KIND_CLIENT,
                0,
                50,
                {
                    "http.request.method": "GET",
                    "url.full": "http://inventory:9000/items/42",
                    "http.response.status_code": 500,
                },
            )
        ],
        inventory=[
            span(
                "00000000000000b1",
                "00000000000000a1",
                "GET /items/{id}",
                KIND.SPAN_KIND_SERVER,
                5,
                45,
                {
                    "http.request.method": "GET",
                    "url.path": "/items/42",
                    "http.route": "/items/{id}",
                    "http.response.status_code": 500,
                    "error.type": "500",
                },
                error="",
            ),
            span(
                "00000000000000b2",
                "00000000000000b1",
                "SELECT items",
                KIND.SPAN_KIND_CLIENT,
                10,
                30,
                {"db.system.name": "postgresql", "db.query.text": "SELECT * FROM items WHERE id = $1"},
                error='relation "items" does not exist',
            ),
        ],
    )


def post(port: int, body: bytes, ctype: str = "application/x-protobuf", path: str = "/v1/traces") -> int:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, headers={"Content-Type": ctype})
    try:
        with urllib.request.urlopen(req, timeout=15) as resp:
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code


# --- running the viewer ------------------------------------------------------------------


@dataclass
class Viewer:
    proc: subprocess.Popen
    http_port: int
    grpc_port: int
    out: Path
    err: Path

    def finish(self) -> tuple[int, list[dict]]:
        """(exit status, the JSON traces printed) once the viewer exited."""
        try:
            code = self.proc.wait(EXIT_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(
                f"otel view did not exit; stdout:\n{self.out.read_text()}\nstderr:\n{self.err.read_text()}"
            ) from None
        return code, [json.loads(line) for line in self.out.read_text().splitlines()]

    def traces(self) -> list[dict]:
        code, traces = self.finish()
        assert code == 0, self.err.read_text()
        return traces


@contextlib.contextmanager
def viewer(tmp_path: Path, *args: str, grpc: bool = False) -> Iterator[Viewer]:
    """`otel view --json ARGS` on free ports, listening when the block starts."""
    http_port, grpc_port = harness.free_port(), harness.free_port() if grpc else 0
    out, err = tmp_path / "view.out", tmp_path / "view.err"
    cmd = harness.view_command(
        "--json", "--idle", IDLE, "--http-port", str(http_port), "--grpc-port", str(grpc_port), *args
    )
    with open(out, "wb") as o, open(err, "wb") as e:
        proc = subprocess.Popen(cmd, env=harness.view_env(), stdout=o, stderr=e, stdin=subprocess.DEVNULL)
    try:
        harness.wait_for_port(grpc_port or http_port, proc)
        yield Viewer(proc, http_port, grpc_port, out, err)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def assert_checkout_tree(trace: dict) -> None:
    assert (trace["trace_id"], trace["service"], trace["name"]) == (TRACE, "frontend", "GET")
    assert (trace["duration_ns"], trace["span_count"], trace["error"]) == (50 * MS, 3, True)
    (client,) = trace["spans"]
    assert (client["name"], client["kind"], client["duration_ns"], client["error"]) == ("GET", "CLIENT", 50 * MS, False)
    (server,) = client["children"]
    assert (server["name"], server["service"], server["kind"]) == ("GET /items/{id}", "inventory", "SERVER")
    assert server["parent_span_id"] == "00000000000000a1"
    assert (server["duration_ns"], server["error"]) == (40 * MS, True)
    assert server["attributes"]["http.route"] == "/items/{id}"
    (query,) = server["children"]
    assert (query["name"], query["duration_ns"], query["children"]) == ("SELECT items", 20 * MS, [])
    assert (query["status"], query["error"], query["status_message"]) == (
        "ERROR",
        True,
        'relation "items" does not exist',
    )


# --- OTLP in, JSON out --------------------------------------------------------------------------


def test_http_protobuf_trace_becomes_one_json_tree(tmp_path):
    with viewer(tmp_path, "--traces", "1") as v:
        assert post(v.http_port, checkout_trace().SerializeToString()) == 200
        (trace,) = v.traces()
    assert_checkout_tree(trace)


def test_grpc_trace_becomes_one_json_tree(tmp_path):
    with viewer(tmp_path, "--once", grpc=True) as v:
        with grpc.insecure_channel(f"127.0.0.1:{v.grpc_port}") as channel:
            trace_service_pb2_grpc.TraceServiceStub(channel).Export(checkout_trace(), timeout=15)
        (trace,) = v.traces()
    assert_checkout_tree(trace)


def test_otlp_json_body_with_hex_ids(tmp_path):
    body = {
        "resourceSpans": [
            {
                "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "jsonsvc"}}]},
                "scopeSpans": [
                    {
                        "spans": [
                            {
                                "traceId": TRACE,
                                "spanId": "00000000000000c1",
                                "name": "work",
                                "kind": 1,
                                "startTimeUnixNano": str(T0),
                                "endTimeUnixNano": str(T0 + 7 * MS),
                            }
                        ]
                    }
                ],
            }
        ]
    }
    with viewer(tmp_path, "--once") as v:
        assert post(v.http_port, json.dumps(body).encode(), "application/json") == 200
        (trace,) = v.traces()
    (work,) = trace["spans"]
    assert (trace["service"], work["span_id"]) == ("jsonsvc", "00000000000000c1")
    assert (work["kind"], work["duration_ns"]) == ("INTERNAL", 7 * MS)


def test_spans_of_one_trace_in_two_requests_make_one_tree(tmp_path):
    whole = checkout_trace()
    child_first = request(inventory=list(whole.resource_spans[1].scope_spans[0].spans))
    root_last = request(frontend=list(whole.resource_spans[0].scope_spans[0].spans))
    with viewer(tmp_path, "--once") as v:
        # Without its root a trace waits the orphan grace (seconds), far
        # longer than the gap between these two requests.
        assert post(v.http_port, child_first.SerializeToString()) == 200
        assert post(v.http_port, root_last.SerializeToString()) == 200
        (trace,) = v.traces()
    assert_checkout_tree(trace)


def test_orphan_span_is_listed_at_the_top_marked(tmp_path):
    req = request(
        app=[
            span("00000000000000d1", "", "GET /", KIND.SPAN_KIND_SERVER, 0, 10),
            span("00000000000000d2", "00000000000000ff", "late job", KIND.SPAN_KIND_INTERNAL, 12, 20),
        ]
    )
    with viewer(tmp_path, "--once") as v:
        assert post(v.http_port, req.SerializeToString()) == 200
        (trace,) = v.traces()
    root, orphan = trace["spans"]
    assert (root["name"], root["orphan"], root["children"]) == ("GET /", False, [])
    assert (orphan["name"], orphan["orphan"], orphan["parent_span_id"]) == ("late job", True, "00000000000000ff")
    assert trace["duration_ns"] == 20 * MS


def test_exits_after_n_traces(tmp_path):
    traces = [f"{i:032x}" for i in (1, 2, 3)]
    req = request(
        app=[span(f"{i:016x}", "", f"op{i}", KIND.SPAN_KIND_SERVER, i, i + 1, trace=t) for i, t in enumerate(traces, 1)]
    )
    with viewer(tmp_path, "--traces", "2") as v:
        assert post(v.http_port, req.SerializeToString()) == 200
        got = v.traces()
    assert [t["name"] for t in got] == ["op1", "op2"]  # in order of start


def test_metrics_and_logs_are_accepted_and_bad_bodies_refused(tmp_path):
    with viewer(tmp_path, "--once") as v:
        assert post(v.http_port, b"", path="/v1/metrics") == 200
        assert post(v.http_port, b"{}", "application/json", path="/v1/logs") == 200
        assert post(v.http_port, b"\xff\xfe not protobuf") == 400
        assert post(v.http_port, b"", path="/v2/traces") == 404
        # Still serving: the next good export is shown.
        assert post(v.http_port, checkout_trace().SerializeToString()) == 200
        (trace,) = v.traces()
    assert trace["trace_id"] == TRACE


SENDER = """
import os, sys, urllib.request
body = bytes.fromhex(sys.argv[1])
url = os.environ["OTEL_EXPORTER_OTLP_ENDPOINT"] + "/v1/traces"
req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/x-protobuf"})
urllib.request.urlopen(req, timeout=15)
sys.exit(3)
"""


def test_command_runs_pointed_at_the_viewer_and_its_status_is_kept(tmp_path):
    out = tmp_path / "out"
    cmd = harness.view_command(
        "--json",
        "--http-port",
        "0",
        "--grpc-port",
        "0",
        "--idle",
        IDLE,
        "--",
        sys.executable,
        "-c",
        SENDER,
        checkout_trace().SerializeToString().hex(),
    )
    with open(out, "wb") as o:
        proc = subprocess.run(
            cmd, env=harness.view_env(), stdout=o, stderr=subprocess.PIPE, timeout=EXIT_TIMEOUT, check=False
        )
    assert proc.returncode == 3, proc.stderr
    (trace,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert_checkout_tree(trace)


def test_taken_port_is_one_clear_line(tmp_path):
    with viewer(tmp_path) as v:
        proc = subprocess.run(
            harness.view_command("--http-port", str(v.http_port), "--grpc-port", "0"),
            env=harness.view_env(),
            capture_output=True,
            text=True,
            timeout=EXIT_TIMEOUT,
            check=False,
        )
    assert proc.returncode == 1
    assert proc.stderr == (
        f"otel: port {v.http_port} for OTLP/HTTP is in use (a collector already running?); "
        "choose another with --http-port\n"
    )


def test_without_its_dependencies_it_says_how_to_install(tmp_path):
    # As if grpcio were not installed: an import of grpc fails.
    code = "import sys; sys.modules['grpc'] = None; sys.argv = ['otel', 'view']; from otelgo.cli import main; main()"
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env=harness.view_env(),
        capture_output=True,
        text=True,
        timeout=EXIT_TIMEOUT,
        check=False,
    )
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "otel: `otel view` needs opentelemetry-proto and grpcio: pip install 'otelgo[view]'"
    ]


# --- finishing traces (a fake clock) -------------------------------------------------------------


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def plain_span(span_id: str, parent: str = "", trace: str = TRACE) -> Span:
    return Span(trace, span_id, parent, "op", "INTERNAL", "svc", T0, T0 + MS)


def test_a_trace_is_finished_after_idle_seconds_without_spans():
    clock = Clock()
    asm = TraceAssembler(idle=1.0, clock=clock)
    asm.add([plain_span("01")])
    clock.now += 0.9
    asm.add([plain_span("02", "01")])  # a late child restarts the wait
    clock.now += 0.9
    assert asm.take_finished() == []
    clock.now += 0.1
    (trace,) = asm.take_finished()
    assert sorted(s.span_id for s in trace.spans) == ["01", "02"]
    assert asm.take_finished() == []


def test_a_trace_without_root_waits_the_orphan_grace_too():
    clock = Clock()
    asm = TraceAssembler(idle=1.0, clock=clock)
    asm.add([plain_span("02", "01")])
    clock.now += 1.0
    assert asm.take_finished() == []
    clock.now += ORPHAN_GRACE_SECONDS
    (trace,) = asm.take_finished()
    (node,) = trace.roots()
    assert node.orphan


def test_take_all_hands_out_unfinished_traces():
    asm = TraceAssembler(idle=1.0, clock=Clock())
    asm.add([plain_span("01"), plain_span("02", trace="ff" * 16)])
    assert len(asm.take_all()) == 2
    assert asm.take_all() == []


# --- drawing ---------------------------------------------------------------------------------------


def test_format_duration():
    assert [
        format_duration(n)
        for n in (
            0,
            999,
            1_000,
            126_400,
            6_570_000,
            12_345_000,
            123_456_789,
            1_500_000_000,
            59_940_000_000,
            125_000_000_000,
        )
    ] == ["0ns", "999ns", "1µs", "126µs", "6.57ms", "12.3ms", "123ms", "1.5s", "59.9s", "2m05s"]
    assert [format_duration(n * 10**9) for n in (3600, 11_220, 360_000)] == ["1h00m", "3h07m", "4d04h"]
    assert all(len(format_duration(10**k * 999)) <= 8 for k in range(14))  # up to 3 years


def test_timeline_bar_places_the_span_on_the_trace():
    trace = Trace(TRACE, (plain_span("01"),))
    whole = Span(TRACE, "01", "", "a", "SERVER", "s", T0, T0 + 100)
    second_half = Span(TRACE, "02", "01", "b", "SERVER", "s", T0 + 50, T0 + 100)
    trace = Trace(TRACE, (whole, second_half))
    assert timeline_bar(whole, trace, 10) == "━" * 10
    assert timeline_bar(second_half, trace, 10) == " " * 5 + "━" * 5
    instant = Span(TRACE, "03", "01", "c", "SERVER", "s", T0 + 25, T0 + 25)
    assert timeline_bar(instant, trace, 10) == "  ╺"  # never invisible


def rendered(width: int) -> tuple[list[str], str]:
    """The checkout trace drawn at `width`: (plain lines, ANSI text)."""
    from otelgo.view.receiver import spans_from_request

    trace = Trace(TRACE, tuple(spans_from_request(checkout_trace())))
    console = Console(width=width, record=True, force_terminal=True, color_system="standard", file=io.StringIO())
    console.print(render_trace(trace, width))
    return console.export_text(styles=False, clear=False).splitlines(), console.export_text(styles=True)


@pytest.mark.parametrize("width", [80, 100, 160])
def test_tree_fits_the_width_and_shows_what_matters(width):
    lines, _ = rendered(width)
    assert max(map(len, lines)) <= width
    assert lines[0].split() == ["trace", TRACE, "frontend", "50ms", "3", "spans", "✗", "2", "errors"]
    assert re.match(r"GET +client +50ms ━{10,}$", lines[1])
    assert "GET http://inventory:9000/items/42" in lines[2]
    assert re.match(r"└─ inventory ✗ GET /items/\{id\} +server +40ms +[╺━]", lines[3])
    assert "route=/items/{id}" in lines[4] and "error=500" in " ".join(lines[4:6])
    assert re.match(r" +└─ ✗ SELECT items +client +20ms", next(x for x in lines if "SELECT" in x))
    assert "db=postgresql" in "\n".join(lines) and 'relation "items" does not exist' in "\n".join(lines)


def test_errors_are_red_and_the_rest_is_not():
    _, ansi = rendered(80)
    red = re.compile(r"\x1b\[(?:\d+;)*31(?:;\d+)*m")
    by_name = {
        name: next(x for x in ansi.splitlines() if name in x) for name in ("SELECT items", "GET /items", "client")
    }
    assert red.search(by_name["SELECT items"]) and red.search(by_name["GET /items"])
    assert not red.search(by_name["client"])  # the first line: the client span, no error


# --- in a real terminal -------------------------------------------------------------------------------

needs_tmux = pytest.mark.skipif(not have_tmux(), reason="tmux is not installed (apt-get install tmux)")


@needs_tmux
def test_terminal_shows_the_tree_with_errors_in_red():
    port = harness.free_port()
    cmd = harness.view_command("--once", "--idle", IDLE, "--http-port", str(port), "--grpc-port", "0")
    with Tmux(cmd, harness.view_env(), width=80) as term:
        term.wait_for("listening on")
        assert post(port, checkout_trace().SerializeToString()) == 200
        code, screen = term.wait_exit()
        colored = term.capture(escapes=True)
    assert code == 0, screen
    lines = screen.splitlines()
    top = next(i for i, x in enumerate(lines) if x.startswith("trace "))
    assert TRACE in lines[top] and "frontend" in lines[top]
    assert re.match(r"GET +client +50ms ━", lines[top + 1]), screen
    assert re.match(r"└─ inventory ✗ GET /items/\{id\} +server +40ms", lines[top + 3]), screen
    assert any(re.match(r" +└─ ✗ SELECT items +client +20ms", x) for x in lines), screen
    assert max(len(x) for x in lines) <= 80
    # Colours as the terminal holds them: the failing spans red, the client not.
    cells = foreground_colors(colored)
    assert colors_of(cells, "✗ SELECT items") <= RED, colored
    assert colors_of(cells, "✗ GET /items/{id}") <= RED, colored
    assert colors_of(cells, 'relation "items" does not exist') <= RED, colored
    assert not colors_of(cells, "GET http://inventory:9000/items/42") & RED, colored
    client_row = next(c for c in cells if "".join(ch for ch, _ in c).startswith("GET "))
    assert not {fg for ch, fg in client_row if not ch.isspace()} & RED, colored


# --- where it listens ---------------------------------------------------------------------


def _listening(port: int) -> set[str]:
    """The local addresses of the sockets listening on TCP `port` (IPv4 and
    IPv6), as the kernel lists them: the receiver's real bind, whatever the
    program says."""
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hexport = local.split(":")
            if state == "0A" and int(hexport, 16) == port:  # 0A: LISTEN
                if width == 8:
                    found.add(str(ipaddress.IPv4Address(bytes.fromhex(address)[::-1])))
                else:
                    words = [bytes.fromhex(address[i : i + 8])[::-1] for i in range(0, 32, 8)]
                    v6 = ipaddress.IPv6Address(b"".join(words))
                    found.add(str(v6.ipv4_mapped or v6))  # gRPC binds ::ffff:127.0.0.1
    return found


def test_listens_on_loopback_only_unless_told_otherwise(tmp_path):
    with viewer(tmp_path, grpc=True) as v:
        assert _listening(v.http_port) == {"127.0.0.1"}
        assert _listening(v.grpc_port) == {"127.0.0.1"}
        v.proc.terminate()
        v.finish()
    assert "listening on http://127.0.0.1:" in v.err.read_text()
    (tmp_path / "any").mkdir()
    with viewer(tmp_path / "any", "--host", "0.0.0.0", grpc=True) as v:
        assert _listening(v.http_port) == {"0.0.0.0"}
        assert _listening(v.grpc_port) in ({"0.0.0.0"}, {"::"})  # grpc's wildcard is dual-stack
        assert post(v.http_port, checkout_trace().SerializeToString()) == 200
        v.proc.terminate()
        code, _ = v.finish()
    assert code == 0, v.err.read_text()
    assert "listening on http://0.0.0.0:" in v.err.read_text()
