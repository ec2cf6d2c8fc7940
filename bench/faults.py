"""What a failing collector costs the service: testdata/reliability/app
(`otel go build`) twice side by side, one exporting to a healthy receiver,
the other to a collector that is a black hole, resets connections, answers
503 with Retry-After, or answers after 2 s (tests/support/faultcollector.py).
One client sends them requests in turn (a 16 KiB header each, so that kept
spans would show in memory), --rounds rounds of --requests each; per fault it
prints p50 and p99 of both, their ratio (median over rounds and pooled), the
RSS of both, the warning lines printed, and the time from SIGTERM to exit.

    .venv/bin/python bench/faults.py [--rounds 5] [--requests 1000] [--json FILE]

Target: p99 with the fault within 1.1x of the healthy one. The test
(tests/e2e/reliability/test_collector_faults.py) checks the same on fewer
requests with a bound that a loaded machine cannot break.
"""

from __future__ import annotations

import http.client
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import (
    REPO,
    TESTDATA,
    arg_parser,
    clean_env,
    emit_json,
    machine,
    note,
    otel_argv,
    otel_env,
    print_table,
    run,
)

sys.path.insert(0, str(REPO / "tests" / "support"))
from faultcollector import FAULTS, fault_collector  # noqa: E402
from otlp import OTLPReceiver  # noqa: E402

HEADER = "x" * 16384


def port_free() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(binary: Path, endpoint: str, log: Path) -> tuple[subprocess.Popen, int]:
    port = port_free()
    env = clean_env(
        {
            "ADDR": f"127.0.0.1:{port}",
            "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
            "OTEL_BSP_SCHEDULE_DELAY": "100",
            "OTEL_BSP_MAX_QUEUE_SIZE": "256",
            "OTEL_METRIC_EXPORT_INTERVAL": "1000",
        }
    )
    f = log.open("wb")
    proc = subprocess.Popen([str(binary)], env=env, stdout=f, stderr=f)
    for _ in range(400):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    sys.exit(f"faults: {binary} never listened")


def timed(conn: http.client.HTTPConnection, n: int) -> float:
    t = time.perf_counter()
    conn.request("GET", f"/compute/{n}", headers={"User-Agent": HEADER})
    resp = conn.getresponse()
    resp.read()
    assert resp.status == 200
    return time.perf_counter() - t


def q(values: list[float], pct: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def rss(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    p = arg_parser(__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--requests", type=int, default=1000, help="per server and round")
    p.add_argument("--faults", default=",".join(FAULTS))
    args = p.parse_args()
    wd = Path(__import__("tempfile").mkdtemp(prefix="faults"))
    binary = wd / "app"
    note("building testdata/reliability/app with otel go build ...")
    run(otel_argv("build", "-q", "-o", str(binary), "."), TESTDATA / "reliability" / "app", otel_env())
    rows, results = [], {}
    for fault in args.faults.split(","):
        with OTLPReceiver(grpc_enabled=False) as healthy, fault_collector(fault) as collector:
            good, gport = start(binary, healthy.http_endpoint, wd / f"{fault}-good.log")
            bad, bport = start(binary, collector.endpoint, wd / f"{fault}-bad.log")
            ga, ba, ratios = [], [], []
            for _ in range(args.rounds):
                a = http.client.HTTPConnection("127.0.0.1", gport, timeout=30)
                b = http.client.HTTPConnection("127.0.0.1", bport, timeout=30)
                ra, rb = [], []
                for n in range(args.requests):
                    if n % 2:
                        ra.append(timed(a, n))
                        rb.append(timed(b, n))
                    else:
                        rb.append(timed(b, n))
                        ra.append(timed(a, n))
                a.close()
                b.close()
                ratios.append(q(rb, 99) / q(ra, 99))
                ga += ra
                ba += rb
            mem = (rss(good.pid), rss(bad.pid))
            t = time.monotonic()
            bad.send_signal(signal.SIGTERM)
            bad.wait(60)
            took = time.monotonic() - t
            good.send_signal(signal.SIGTERM)
            good.wait(60)
            lines = [x for x in (wd / f"{fault}-bad.log").read_text().splitlines() if x.startswith("otelgo:")]
        r = {
            "p50_ms": (q(ga, 50) * 1000, q(ba, 50) * 1000),
            "p99_ms": (q(ga, 99) * 1000, q(ba, 99) * 1000),
            "p99_ratio_pooled": q(ba, 99) / q(ga, 99),
            "p99_ratio_median_of_rounds": statistics.median(ratios),
            "p99_ratio_rounds": ratios,
            "rss_mib": mem,
            "warning_lines": lines,
            "exit_s": took,
            "contacts": collector.contacts,
        }
        results[fault] = r
        rows.append(
            [
                fault,
                f"{r['p50_ms'][0]:.2f} / {r['p50_ms'][1]:.2f}",
                f"{r['p99_ms'][0]:.2f} / {r['p99_ms'][1]:.2f}",
                f"{r['p99_ratio_pooled']:.3f}",
                f"{r['p99_ratio_median_of_rounds']:.3f} ({min(ratios):.2f}..{max(ratios):.2f})",
                f"{mem[0]:.0f} / {mem[1]:.0f}",
                len(lines),
                f"{took:.2f}",
            ]
        )
    print_table(
        f"collector faults: {args.rounds} rounds x {args.requests} requests per server (healthy / faulty)",
        ["fault", "p50 ms", "p99 ms", "p99 ratio", "median of rounds (range)", "RSS MiB", "warnings", "exit s"],
        rows,
    )
    emit_json(args.json, {"machine": machine(), "args": vars(args), "results": results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
