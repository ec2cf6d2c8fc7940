"""Race-free: the instrumented program built with -race, under concurrent
requests, reports no data race from the hooks, the SDK bootstrap or the
libraries' instrumentation, and every request's spans arrive whole.

Not in the default suite (its name does not match pytest's test_*.py: a
-race build compiles the standard library, the SDK and the libraries again
under the race detector, minutes on CI's two cores when GOCACHE is cold).
Run it on its own, see tests/README.md:

    .venv/bin/python -m pytest -q tests/e2e/reliability/race_lane.py

testdata/secrets is the program: its GET /run goes down every instrumented
path of this checkout (net/http server and client, database/sql and gorm
on SQLite, go-redis (a pipeline too) and redigo on a real Redis, gRPC
client and server, slog and log, and a call from a goroutine without a
context, which the goroutine context makes a child of the request's span).
CLIENTS clients send it requests at once; the race detector is told to
report and go on (GORACE halt_on_error=0) so that every report is counted.
One run (module fixture); the tests read it."""

from __future__ import annotations

import re
import signal
import subprocess
import threading
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass

import harness
import pytest
from otlp import LogRecord, OTLPReceiver, Span, by_trace

APP = harness.TESTDATA / "secrets"
CLIENTS = 8
REQUESTS = 40  # per client
RACE_EXIT = 66  # the exit code after a race, when the program exits by itself

# A race report is ours when one of its stacks (the two accesses, the
# goroutines' creation) passes through a hook package or the SDK bootstrap
# (otelgo.dev/...), a trampoline or guard spliced into an instrumented
# package (otelgo...), or OpenTelemetry's SDK and contrib instrumentation.
OURS = re.compile(r"otelgo\.dev/|\.otelgo[A-Za-z]|\(\*otelgo[A-Za-z]|go\.opentelemetry\.io/")

# The instrumentation scopes every /run request must have spans from.
SCOPES = {
    "otelgo.dev/rules/nethttp",
    "otelgo.dev/rules/databasesql",
    "otelgo.dev/rules/gorm",
    "otelgo.dev/rules/goredis",
    "otelgo.dev/rules/redigo",
    "go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc",
}


# The commands go-redis sends on a new pool connection, before the request's.
HANDSHAKE = {"hello", "PIPELINE client setinfo", "client maint_notifications"}


@dataclass
class Run:
    stderr: str
    code: int
    failures: list[str]
    spans: list[Span]
    logs: list[LogRecord]
    metric_requests: int

    @property
    def reports(self) -> list[str]:
        """The race detector's reports, one string each."""
        blocks = self.stderr.split("WARNING: DATA RACE")[1:]
        return [b.split("==================")[0] for b in blocks]

    @property
    def runs(self) -> list[Span]:
        return [s for s in self.spans if s.kind == "SERVER" and s.attributes.get("url.path") == "/run"]


@pytest.fixture(scope="module")
def race_bin(tmp_path_factory):
    out = tmp_path_factory.mktemp("race")
    binary = harness.build_program(out, APP, "-race")
    # The lane proves nothing unless the detector is in the binary.
    info = subprocess.run(
        [harness.find_go(), "version", "-m", str(binary)], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"^\s*build\s+-race=true$", info, re.M), info
    return binary


@pytest.fixture(scope="module")
def run(race_bin, redis, tmp_path_factory) -> Run:
    out = tmp_path_factory.mktemp("race-run")
    env = {
        "OTEL_BSP_SCHEDULE_DELAY": "100",
        "OTEL_METRIC_EXPORT_INTERVAL": "500",  # metrics collected while requests run
        "OTEL_LOGS_EXPORTER": "otlp",  # the log bridges too
        "REDIS_ADDR": redis.addr,
        "SECRET": "s3cret",
        "GORACE": f"halt_on_error=0 exitcode={RACE_EXIT}",
    }
    failures: list[str] = []
    with OTLPReceiver() as rx:
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = rx.http_endpoint
        with harness.run_program(race_bin, env=env, output_dir=out, port_timeout=60) as prog:

            def client() -> None:
                for _ in range(REQUESTS):
                    try:
                        with urllib.request.urlopen(f"{prog.url}/run", timeout=60) as resp:
                            if resp.read() != b"done":
                                failures.append(f"answer {resp.status}")
                    except urllib.error.HTTPError as e:
                        failures.append(f"{e.code}: {e.read().decode(errors='replace').strip()}")
                    except OSError as e:
                        failures.append(str(e))

            threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            # SIGTERM: the SDK flushes what is left before the program exits.
            code = prog.stop(signal.SIGTERM, timeout=60)
        return Run(prog.stderr, code, failures, rx.spans, rx.log_records(), len(rx.requests("metrics")))


def test_the_program_answered_every_request_and_exited_on_sigterm(run):
    assert run.failures == [], Counter(run.failures).most_common(5)
    assert run.code in (-signal.SIGTERM, 128 + signal.SIGTERM), (run.code, run.stderr[-3000:])


def test_no_data_race_from_hooks_bootstrap_or_instrumentation(run):
    ours = [r for r in run.reports if OURS.search(r)]
    assert ours == [], f"{len(ours)} of {len(run.reports)} race reports go through otelgo's code:\n" + "\n".join(
        ours[:5]
    )


def test_no_data_race_at_all(run):
    """The program is written race-free: a report that passes through no
    otelgo or OpenTelemetry frame is a library's or the program's own, to be
    looked at all the same (instrumentation may have changed a timing)."""
    assert run.reports == [], f"{len(run.reports)} race reports:\n" + "\n".join(run.reports[:5])


def test_every_request_has_the_spans_of_every_path(run):
    assert len(run.runs) == CLIENTS * REQUESTS, len(run.runs)
    traces = by_trace(run.spans)
    incomplete = []
    for root in run.runs:
        trace = traces[root.trace_id]
        missing = SCOPES - {s.scope_name for s in trace}
        # Two outgoing calls: the presigned one and the one from a goroutine
        # without a context, a child of the request's span all the same.
        clients = [
            s
            for s in trace
            if s.kind == "CLIENT" and s.scope_name == "otelgo.dev/rules/nethttp" and s.parent_span_id == root.span_id
        ]
        targets = [s for s in trace if s.kind == "SERVER" and s.attributes.get("url.path") == "/target"]
        if missing or len(clients) != 2 or len(targets) != 2 or root.parent_span_id:
            incomplete.append((root.trace_id, sorted(missing), len(clients), len(targets)))
    assert incomplete == [], f"{len(incomplete)} requests without all their spans: {incomplete[:5]}"


def test_the_same_spans_for_every_request(run):
    """Each request's trace holds the same spans (by scope, kind and name):
    none lost or doubled under concurrency. The one difference allowed: the
    request that made go-redis open a pool connection also has that
    connection's handshake (HELLO, CLIENT SETINFO), one per connection."""
    traces = by_trace(run.spans)
    shapes = [Counter((s.scope_name, s.kind, s.name) for s in traces[root.trace_id]) for root in run.runs]
    common = min(shapes, key=lambda c: c.total())
    lost = [dict(common - shape) for shape in shapes if common - shape]
    extra = Counter()
    for shape in shapes:
        extra.update(shape - common)
    unexpected = {k: n for k, n in extra.items() if k[0] != "otelgo.dev/rules/goredis" or k[2] not in HANDSHAKE}
    assert (lost, unexpected) == ([], {}), f"{len(run.runs)} requests, each with {dict(common)}"
    # One handshake per connection: at most one connection per client.
    assert extra[("otelgo.dev/rules/goredis", "CLIENT", "hello")] <= CLIENTS, extra


def test_logs_and_metrics_were_exported_during_the_run(run):
    traced = {r.trace_id for r in run.logs if r.trace_id}
    # slog and log: each request's two lines carry its trace.
    assert traced >= {s.trace_id for s in run.runs}, (len(traced), len(run.runs))
    assert run.metric_requests > 0
