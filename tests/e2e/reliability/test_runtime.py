"""Faults at run time. With the collector down, stalled, or answering 500 or
429, an instrumented HTTP server keeps answering every request without
waiting on the exporter, its memory stays bounded (the span queue drops
rather than grows), and it exits promptly on SIGTERM. A hook that panics on
every call never breaks a request and is reported once.

Bounds are generous (seconds per request, hundreds of MiB): they catch a
server that waits on its exporter or keeps every span, not slowness."""

from __future__ import annotations

import http.client
import signal
import time
from pathlib import Path

import harness
import pytest
from otlp import OTLPReceiver

RELIABILITY = harness.TESTDATA / "reliability"
APP = RELIABILITY / "app"

REQUESTS = 200
PER_REQUEST_BOUND = 2.0  # seconds; an export timeout is 10 s, a stall here 5 s
EXIT_BOUND = 15.0  # seconds from SIGTERM to exit
PAUSE = 0.025  # seconds between requests: they go on while exports fail
# The memory test shrinks the span queue (OTEL_BSP_MAX_QUEUE_SIZE) so that
# its requests make many times more spans than it may hold, each span heavy
# with a big User-Agent: kept, they would need 96 MB; dropped, a full queue
# needs 4 MB, and the whole program a few tens of MiB.
MEMORY_REQUESTS = 6000
QUEUE_SIZE = "256"
BIG_HEADER = "x" * 16384
RSS_CAP_MIB = 100
STALL = 5.0  # seconds the stalled collector holds each export


@pytest.fixture(scope="module")
def app_bin(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("runtime") / "app"
    harness.check_build(harness.otel_build(APP, "-o", str(out), "."))
    return out


@pytest.fixture(scope="module")
def panic_bin(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("runtime-panic") / "app"
    harness.check_build(
        harness.otel_build(APP, "--rules", str(RELIABILITY / "hooks" / "panic.json"), "-o", str(out), ".")
    )
    return out


class Client:
    """Sequential requests over one keep-alive connection, each timed."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.durations: list[float] = []

    def compute(self, n: int, headers: dict[str, str] | None = None) -> None:
        start = time.monotonic()
        self.conn.request("GET", f"/compute/{n}", headers=headers or {})
        resp = self.conn.getresponse()
        body = resp.read().decode()
        self.durations.append(time.monotonic() - start)
        assert (resp.status, body) == (200, f"compute {n} = {n * n + 1}\n"), (n, resp.status, body)

    def close(self) -> None:
        self.conn.close()


def serve(count: int, prog, pause: float = 0.0) -> Client:
    client = Client(prog.port)
    try:
        for n in range(count):
            client.compute(n)
            time.sleep(pause)
    finally:
        client.close()
    return client


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


FAULTS = ["down", "stalled", "500", "429"]


def fault_env(fault: str, receiver: OTLPReceiver) -> dict[str, str]:
    """Point the program at a collector with `fault`."""
    endpoint = receiver.http_endpoint
    if fault == "down":
        endpoint = f"http://127.0.0.1:{harness.free_port()}"
    elif fault == "stalled":
        receiver.stall = STALL
    else:
        receiver.fail_next(1_000_000, int(fault))
    return {
        "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
        "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        "OTEL_BSP_SCHEDULE_DELAY": "100",
    }


def wait_for_export_attempt(receiver: OTLPReceiver, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not receiver.requests("traces"):
        assert time.monotonic() < deadline, "the program never tried to export: the fault was not exercised"
        time.sleep(0.1)


@pytest.fixture(scope="module")
def baseline_seconds(app_bin, tmp_path_factory) -> float:
    """The same requests against the same binary exporting nothing."""
    out = tmp_path_factory.mktemp("baseline")
    with harness.run_program(app_bin, env={"OTEL_TRACES_EXPORTER": "none"}, output_dir=out) as prog:
        return sum(serve(REQUESTS, prog, PAUSE).durations)


@pytest.mark.parametrize("fault", FAULTS)
def test_faulty_collector_neither_slows_requests_nor_blocks_exit(
    app_bin, baseline_seconds, run_program, receiver, fault
):
    with run_program(app_bin, env=fault_env(fault, receiver)) as prog:
        client = serve(REQUESTS, prog, PAUSE)
        # At once: with the collector stalled, an export is still being held.
        start = time.monotonic()
        code = prog.stop(signal.SIGTERM, timeout=EXIT_BOUND)  # fails the test past the bound
        took = time.monotonic() - start
    assert code in (-signal.SIGTERM, 128 + signal.SIGTERM), (code, prog.stderr)
    if fault != "down":
        # The fault was met: the program did try to export (a stalled export
        # is recorded when the receiver lets it go), and nothing got through
        # a collector that answers with errors.
        wait_for_export_attempt(receiver, timeout=STALL + 20)
        if fault != "stalled":
            assert receiver.spans == []
    slowest = max(client.durations)
    assert slowest < PER_REQUEST_BOUND, f"slowest request took {slowest:.2f}s; exit took {took:.1f}s"
    total = sum(client.durations)
    assert total < 5 * baseline_seconds + 5, (
        f"{REQUESTS} requests took {total:.2f}s against a {fault} collector, {baseline_seconds:.2f}s exporting nothing"
    )


@pytest.mark.parametrize("fault", ["down", "stalled"])
def test_memory_stays_bounded_when_spans_cannot_leave(app_bin, run_program, receiver, fault):
    env = {**fault_env(fault, receiver), "OTEL_BSP_MAX_QUEUE_SIZE": QUEUE_SIZE, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "128"}
    with run_program(app_bin, env=env) as prog:
        client = Client(prog.port)
        try:
            for n in range(MEMORY_REQUESTS):
                client.compute(n, {"User-Agent": BIG_HEADER})
        finally:
            client.close()
        rss = rss_mib(prog.proc.pid)
        prog.stop(signal.SIGTERM, timeout=EXIT_BOUND)
    assert rss < RSS_CAP_MIB, f"RSS {rss:.0f} MiB after {MEMORY_REQUESTS} requests with the collector {fault}"


def test_hook_that_always_panics_never_breaks_a_request(panic_bin, run_program, receiver):
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}
    with run_program(panic_bin, env=env) as prog:
        serve(100, prog)  # every answer is checked
        spans = receiver.wait_for_spans(lambda s: len([x for x in s if x.kind == "SERVER"]) >= 100)
        prog.stop(signal.SIGTERM, timeout=EXIT_BOUND)
    assert all(s.status_code != "ERROR" for s in spans)
    stderr = prog.stderr
    assert stderr.count("panicked") == 1, stderr
    assert (
        "otelgo: hook example.com/reliability/hooks.ComputePanics on example.com/reliability/app/lib.Compute "
        "panicked: reliability: this hook always panics (n=0)"
    ) in stderr, stderr
