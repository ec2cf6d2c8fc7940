"""Soak: the bench service (testdata/bench/service, `otel go build`) driven at
a fixed rate for a long time, with a healthy collector. Every --interval
seconds it prints the service's RSS, goroutines and Go memory (from the
program's own runtime metrics), live spans, and spans received and dropped
(the SDK's own metrics, OTEL_GO_X_OBSERVABILITY=true:
otel.sdk.processor.span.processed with error.type=queue_full).

    .venv/bin/python bench/soak.py [--minutes 10] [--rate 100] [--interval 30] [--side otel|twin] [--json FILE]

--side twin soaks the hand-instrumented twin (testdata/bench/twin, plain
go build) instead: run beside the otel side, it tells the service's own
ups and downs from otelgo's.

Verdicts, after warm-up (--reference, minute 2 by default):
- RSS and goroutines stay within 5 % of their value at the reference sample.
  Goroutines are judged on each interval's floor, the fewest of the
  readings in it (one per metric export, every 10 s): a leak raises the
  floor, while a reading taken during a request that has a connection or
  gRPC stream of its own open counts a few goroutines that end with it.
  Each interval's peak is shown beside its floor;
- the goroutine context leaks nothing: no span stays live (started, not
  ended) beyond the requests in flight (a goroutine's context kept alive
  would keep its spans, and their count would grow); the Go heap goal is
  shown too, not judged: on a heap of a few MiB it moves by tens of per
  cent with the moment of the sample in the GC cycle;
- spans received = the spans of the start and warm-up + requests x spans
  per request, route by route (each route's spans per request measured on a
  warm-up of its own, after the first requests opened the connections),
  none dropped, and the SDK's own count of spans exported agrees: no loss
  with a healthy collector. The service keeps the SDK's defaults (a batch
  every 5 s): a count is read once no span arrived for 7 s.

Needs the dev install (opentelemetry-proto decodes what arrives). Builds in
a temporary directory; never writes into the checkout.
"""

from __future__ import annotations

import atexit
import http.client
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from common import (
    BENCH_DATA,
    arg_parser,
    clean_env,
    emit_json,
    machine,
    note,
    otel_argv,
    otel_env,
    print_table,
    run,
    workdir,
)
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

# One cycle of the load: every route the service has that answers a GET
# without side effects (the database, the outbound HTTP client and the
# gRPC health check all take part).
ROUTES = ["/items/7", "/proxy/items/7", "/healthz", "/hello", "/items"]
LIMIT = 0.05  # the 5 % of the verdicts


class Collector:
    """OTLP/HTTP receiver that counts spans and keeps the latest value of
    the metrics the soak reports (nothing else is kept: memory stays flat)."""

    WATCHED = (
        "go.goroutine.count",
        "go.memory.used",
        "go.memory.gc.goal",
        "otel.sdk.span.live",
        "otel.sdk.processor.span.processed",
    )

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.spans = 0
        self.metrics: dict[tuple[str, tuple], float] = {}
        self.goroutine_readings: list[float] = []  # since the last take_goroutines()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path.endswith("/v1/traces"):
                    owner._traces(body)
                elif self.path.endswith("/v1/metrics"):
                    owner._metrics(body)
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def _traces(self, body: bytes) -> None:
        req = trace_service_pb2.ExportTraceServiceRequest.FromString(body)
        n = sum(len(ss.spans) for rs in req.resource_spans for ss in rs.scope_spans)
        with self.lock:
            self.spans += n

    def _metrics(self, body: bytes) -> None:
        req = metrics_service_pb2.ExportMetricsServiceRequest.FromString(body)
        with self.lock:
            for rm in req.resource_metrics:
                for sm in rm.scope_metrics:
                    for m in sm.metrics:
                        if m.name not in self.WATCHED:
                            continue
                        kind = m.WhichOneof("data")
                        for p in getattr(m, kind).data_points:
                            attrs = tuple(sorted((a.key, a.value.string_value) for a in p.attributes))
                            value = p.as_int if p.WhichOneof("value") == "as_int" else p.as_double
                            self.metrics[(m.name, attrs)] = value
                            if m.name == "go.goroutine.count":
                                self.goroutine_readings.append(value)

    def take_goroutines(self) -> tuple[float, float]:
        """The fewest and the most goroutines read since the last call."""
        with self.lock:
            readings, self.goroutine_readings = self.goroutine_readings, []
        if not readings:
            latest = self.value("go.goroutine.count")
            return latest, latest
        return min(readings), max(readings)

    def value(self, name: str, **attrs: str) -> float:
        """The sum over the series of `name` whose attributes include attrs."""
        with self.lock:
            return sum(
                v
                for (n, a), v in self.metrics.items()
                if n == name and all((k.replace("_", "."), val) in a for k, val in attrs.items())
            )

    def dropped(self) -> float:
        with self.lock:
            return sum(
                v
                for (n, a), v in self.metrics.items()
                if n == "otel.sdk.processor.span.processed" and ("error.type", "queue_full") in a
            )

    def processed(self) -> float:
        """Spans the SDK's batch processor handed to the exporter without
        error (its own count)."""
        with self.lock:
            return sum(
                v
                for (n, a), v in self.metrics.items()
                if n == "otel.sdk.processor.span.processed" and not any(k == "error.type" for k, _ in a)
            )

    def close(self) -> None:
        self.server.shutdown()


class Load:
    """GETs of the ROUTES in turn at a fixed rate, from a few keep-alive
    connections; counts requests, failures and in-flight ones."""

    def __init__(self, port: int, rate: float, workers: int = 4):
        self.port, self.rate, self.workers = port, rate, workers
        self.sent = self.failed = self.inflight = 0
        self.by_route: Counter[str] = Counter()  # requests sent, warm-ups included
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.slots = threading.Semaphore(0)

    def repeat(self, route: str, n: int) -> None:
        """n requests of one route, one after the other."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        for _ in range(n):
            self._get(conn, route)
        conn.close()

    def cycle(self, n: int) -> None:
        """n whole cycles of ROUTES, one request after the other."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        for _ in range(n):
            for route in ROUTES:
                self._get(conn, route)
        conn.close()

    def _get(self, conn: http.client.HTTPConnection, route: str) -> None:
        with self.lock:
            self.inflight += 1
        try:
            conn.request("GET", route)
            resp = conn.getresponse()
            resp.read()
            ok = resp.status < 500
        except OSError:
            ok = False
            conn.close()
        with self.lock:
            self.inflight -= 1
            self.sent += 1
            self.failed += not ok
            self.by_route[route] += 1

    def start(self) -> None:
        def pace() -> None:
            start, k = time.monotonic(), 0
            while not self.stop.is_set():
                k += 1
                delay = start + k / self.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                self.slots.release()
            for _ in range(self.workers):
                self.slots.release()

        def work() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            i = 0
            while True:
                self.slots.acquire()
                if self.stop.is_set():
                    return
                self._get(conn, ROUTES[i % len(ROUTES)])
                i += 1

        self.threads = [threading.Thread(target=pace, daemon=True)]
        self.threads += [threading.Thread(target=work, daemon=True) for _ in range(self.workers)]
        for t in self.threads:
            t.start()

    def finish(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(60)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def wait_port(port: int, proc: subprocess.Popen) -> None:
    import socket

    for _ in range(600):
        if proc.poll() is not None:
            sys.exit(f"soak: the service exited ({proc.returncode}) before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit("soak: the service never listened")


def trend(samples: list[dict], key: str, reference: float) -> float:
    """The change of a least-squares line through samples[key] over their
    time span, as a fraction of reference."""
    if len(samples) < 2:
        return 0.0
    ts = [s["t_s"] for s in samples]
    vs = [s[key] for s in samples]
    mt, mv = sum(ts) / len(ts), sum(vs) / len(vs)
    var = sum((t - mt) ** 2 for t in ts)
    slope = sum((t - mt) * (v - mv) for t, v in zip(ts, vs, strict=True)) / var if var else 0.0
    return slope * (ts[-1] - ts[0]) / reference


def settle(c: Collector, seconds: float = 7.0) -> int:
    """Wait until no span has arrived for longer than the batch processor
    waits before it exports (OTEL_BSP_SCHEDULE_DELAY, 5 s by default, which
    the service keeps); the count."""
    last, since = -1, time.monotonic()
    while time.monotonic() - since < seconds:
        with c.lock:
            now = c.spans
        if now != last:
            last, since = now, time.monotonic()
        time.sleep(0.2)
    return last


def main() -> int:
    p = arg_parser(__doc__.split("\n\n")[0])
    p.add_argument("--minutes", type=float, default=10.0)
    p.add_argument("--rate", type=float, default=100.0, help="requests per second")
    p.add_argument("--interval", type=float, default=30.0, help="seconds between samples")
    p.add_argument("--reference", type=float, default=2.0, help="minute of the reference sample (warm-up before)")
    p.add_argument("--workdir", help="build here (kept) instead of a temporary directory")
    p.add_argument("--side", choices=("otel", "twin"), default="otel", help="the service built by otelgo, or the twin")
    args = p.parse_args()
    wd = workdir(args.workdir, "soak")
    if not args.workdir:
        atexit.register(shutil.rmtree, wd, True)  # the binary is 50 MiB
    binary = wd / "service"
    if args.side == "otel":
        note("building testdata/bench/service with otel go build ...")
        run(otel_argv("build", "-q", "-o", str(binary), "."), BENCH_DATA / "service", otel_env())
    else:
        note("building testdata/bench/twin with go build ...")
        run(["go", "build", "-o", str(binary), "."], BENCH_DATA / "twin", clean_env({}))
    c = Collector()
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = clean_env(
        {
            "ADDR": f"127.0.0.1:{port}",
            "OTEL_EXPORTER_OTLP_ENDPOINT": c.endpoint,
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
            "OTEL_METRIC_EXPORT_INTERVAL": str(int(min(args.interval, 10) * 1000)),
            "OTEL_GO_X_OBSERVABILITY": "true",
            "OTEL_SERVICE_NAME": "soak",
            "LOG_LEVEL": "warn",
        }
    )
    log = wd / "service.log"
    with log.open("wb") as f:
        proc = subprocess.Popen([str(binary)], env=env, stdout=f, stderr=subprocess.STDOUT)
    samples = []
    try:
        wait_port(port, proc)
        load = Load(port, args.rate)
        # The service's start (schema, seed rows) and the first requests
        # (connections opened) make spans of their own; then each route's
        # spans per request are counted on a warm-up of its own (the load's
        # workers do not end on whole cycles: spans are expected per route).
        warm = 20
        load.cycle(warm)
        before = settle(c)
        per_route = {}
        for route in ROUTES:
            n0 = c.spans
            load.repeat(route, warm)
            per_route[route] = (settle(c) - n0) / warm
        baseline = c.spans
        with load.lock:
            warm_sent, warm_by_route = load.sent, Counter(load.by_route)
        per_cycle = sum(per_route.values())
        note(
            f"{before} spans at start and first warm-up, then per request {per_route} ({per_cycle:g} per cycle); "
            f"{args.rate:g} requests/s for {args.minutes:g} min"
        )
        start = time.monotonic()
        load.start()
        end = start + args.minutes * 60
        next_sample = start + args.interval
        while time.monotonic() < end:
            time.sleep(max(0.0, min(next_sample, end) - time.monotonic()))
            if time.monotonic() + 0.01 < next_sample:
                continue
            next_sample += args.interval
            with load.lock:
                sent, failed, inflight = load.sent, load.failed, load.inflight
            floor, peak = c.take_goroutines()
            row = {
                "t_s": round(time.monotonic() - start),
                "rss_mib": round(rss_mib(proc.pid), 1),
                "goroutines": floor,
                "goroutines_peak": peak,
                "mem_used_mib": round(c.value("go.memory.used") / 2**20, 1),
                "heap_goal_mib": round(c.value("go.memory.gc.goal") / 2**20, 1),
                "live_spans": c.value("otel.sdk.span.live"),
                "requests": sent - warm_sent,
                "failed": failed,
                "inflight": inflight,
                "spans_received": c.spans,
                "spans_dropped": c.dropped(),
                "sdk_processed": c.processed(),
            }
            samples.append(row)
            print("  ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()), flush=True)
        load.finish()
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
        c_total = settle(c)
        c.close()
    requests = load.sent - warm_sent  # under load, warm-ups aside
    sent = load.by_route - warm_by_route
    exact = all(v == int(v) for v in per_route.values())
    expected = round(baseline + sum(n * per_route[r] for r, n in sent.items()))
    ref = next((s for s in samples if s["t_s"] >= args.reference * 60), samples[0] if samples else None)
    after = [s for s in samples if ref and s["t_s"] >= ref["t_s"]]

    def within(key: str) -> tuple[float, bool]:
        worst = max((abs(s[key] - ref[key]) / ref[key] for s in after if ref[key]), default=0.0)
        return worst, worst <= LIMIT

    checks = {}
    for key in ("rss_mib", "goroutines"):
        worst, ok = within(key)
        checks[key] = {"reference": ref[key] if ref else None, "worst_deviation": round(worst, 4), "ok": ok}
    # Shown beside the verdicts: the trend, a least-squares line through the
    # samples after the reference, as its change over that time against the
    # reference value (a leak grows; GC cycles and connections come and go).
    for key in ("rss_mib", "goroutines"):
        checks[key]["trend"] = round(trend(after, key, ref[key]) if ref and ref[key] else 0.0, 4)
    # Shown, not judged: the peaks against the reference floor.
    peak = max((abs(s["goroutines_peak"] - ref["goroutines"]) / ref["goroutines"] for s in after if ref), default=0.0)
    checks["goroutines"]["worst_peak_deviation"] = round(peak, 4)
    live_ok = all(s["live_spans"] <= s["inflight"] * per_cycle + per_cycle for s in after)
    checks["live_spans"] = {"max": max((s["live_spans"] for s in after), default=0), "ok": live_ok}
    checks["spans"] = {
        "received": c_total,
        "expected": expected,
        "dropped": c.dropped(),
        "sdk_processed": c.processed(),
        "failed_requests": load.failed,
        "ok": c_total == expected and c.dropped() == 0 and load.failed == 0 and exact,
        "per_request": per_route,
        "requests_by_route": dict(sent),
        "note": "" if exact else "a route's spans per request differ from one request to another: approximate",
    }
    print_table(
        f"soak ({args.side}): {requests} requests over {args.minutes:g} min at {args.rate:g}/s",
        ["t (s)", "RSS MiB", "goroutines floor / peak", "heap goal MiB", "live spans", "spans received", "dropped"],
        [
            [
                s["t_s"],
                s["rss_mib"],
                f"{s['goroutines']:g} / {s['goroutines_peak']:g}",
                s["heap_goal_mib"],
                s["live_spans"],
                s["spans_received"],
                s["spans_dropped"],
            ]
            for s in samples
        ],
    )
    print_table(
        "verdicts (after the reference sample)",
        ["check", "figure", "verdict"],
        [
            [
                "RSS within 5 %",
                f"worst {checks['rss_mib']['worst_deviation']:.1%} (trend {checks['rss_mib']['trend']:+.1%})",
                checks["rss_mib"]["ok"],
            ],
            [
                "goroutines (floor) within 5 %",
                f"worst {checks['goroutines']['worst_deviation']:.1%} "
                f"(peaks: {checks['goroutines']['worst_peak_deviation']:.1%}; "
                f"trend {checks['goroutines']['trend']:+.1%})",
                checks["goroutines"]["ok"],
            ],
            ["no span left live", f"max {checks['live_spans']['max']:g}", checks["live_spans"]["ok"]],
            [
                "spans = requests x spans/request",
                f"{c_total} of {expected}, dropped {c.dropped():g}",
                checks["spans"]["ok"],
            ],
        ],
    )
    emit_json(args.json, {"machine": machine(), "args": vars(args), "samples": samples, "checks": checks})
    return 0 if all(v["ok"] for v in checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
