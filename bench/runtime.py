"""Run-time benchmark: requests per second and p99 latency on loopback (wrk).

    .venv/bin/python bench/runtime.py [--rounds 3] [--duration 10] [--service] [--json FILE]

Servers, all answering GET /hello (testdata/bench):
  - auto:   plainhttp built by `otel go build` (otelgo's net/http hooks and SDK)
  - manual: otelhttp built by `go build` (otelhttp.NewHandler + the SDK set
            up by hand: same SDK version, OTLP/HTTP exporters, batch
            processor, MeterProvider with runtime metrics, as otelgo's
            bootstrap by default)
  - none:   plainhttp built by `go build` (no OpenTelemetry at all), for scale
With --service also the realistic service (`otel go build`) and its
hand-instrumented twin (`go build`), on GET /items/7 (gin route, SQLite
query, slog): "service auto" and "service manual".

Both instrumented servers export every span (and their metrics) to the same
local OTLP/HTTP receiver (a Python server in this process answering 200 to
every POST),
with the SDK's default batch span processor settings. Each round starts
every server afresh, warms it up with wrk, then measures; the order of the
servers rotates between rounds. Figures are medians over the rounds.
Targets: auto >= 0.9x manual requests/s; auto p99 <= 1.1x manual p99.
wrk comes from Debian's package (apt-get install -y wrk); the script
installs it when it runs as root and wrk is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    BENCH_DATA,
    CommandFailed,
    arg_parser,
    clean_env,
    emit_json,
    find_go,
    machine,
    median,
    note,
    otel_argv,
    otel_env,
    print_table,
    run,
    verdict,
    workdir,
)


class Receiver:
    """A minimal OTLP/HTTP receiver (traces, metrics): counts requests and bytes."""

    def __init__(self) -> None:
        receiver = self
        self.lock = threading.Lock()
        self.requests = 0
        self.bytes = 0

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    receiver.requests += 1
                    receiver.bytes += len(body)
                # An empty ExportTraceServiceResponse.
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def take(self) -> tuple[int, int]:
        with self.lock:
            out = (self.requests, self.bytes)
            self.requests = self.bytes = 0
        return out

    def close(self) -> None:
        self.server.shutdown()


def ensure_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk:
        return wrk
    if os.geteuid() == 0 and shutil.which("apt-get"):
        note("installing wrk from Debian's package ...")
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, capture_output=True)
        wrk = shutil.which("wrk")
        if wrk:
            return wrk
    sys.exit("bench: wrk is not installed: apt-get install -y wrk")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise CommandFailed(f"server exited with {proc.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise CommandFailed(f"nothing listened on port {port} within {timeout}s")


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def parse_wrk(text: str) -> dict:
    def latency(pct: str) -> float:
        m = re.search(rf"^\s*{pct}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        return float(m.group(1)) * _UNITS[m.group(2)] if m else float("nan")

    rps = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    total = re.search(r"^\s*(\d+) requests in", text, re.M)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    errors = re.search(r"Socket errors:(.*)$", text, re.M)
    return {
        "rps": float(rps.group(1)) if rps else float("nan"),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "requests": int(total.group(1)) if total else 0,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(1).strip() if errors else "",
    }


def build_all(wd: Path, service: bool) -> dict[str, tuple[Path, str]]:
    """{variant: (binary, path to request)}"""
    bins = wd / "bin"
    bins.mkdir(parents=True, exist_ok=True)
    go = find_go()
    out: dict[str, tuple[Path, str]] = {}
    jobs = [
        ("auto", "plainhttp", True, "/hello"),
        ("manual", "otelhttp", False, "/hello"),
        ("none", "plainhttp", False, "/hello"),
    ]
    if service:
        jobs += [("service auto", "service", True, "/items/7"), ("service manual", "twin", False, "/items/7")]
    for variant, module, instrumented, path in jobs:
        binary = bins / variant.replace(" ", "-")
        note(f"building {variant} ({'otel go build' if instrumented else 'go build'} testdata/bench/{module}) ...")
        if instrumented:
            run(otel_argv("build", "-q", "-o", str(binary), "."), BENCH_DATA / module, otel_env())
        else:
            run([go, "build", "-o", str(binary), "."], BENCH_DATA / module, clean_env())
        out[variant] = (binary, path)
    return out


def measure(variant: str, binary: Path, path: str, receiver: Receiver, wrk: str, args, logs: Path) -> dict:
    port = free_port()
    env = clean_env(
        {
            "ADDR": f"127.0.0.1:{port}",
            "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
            "OTEL_SERVICE_NAME": variant.replace(" ", "-"),
            "GOMAXPROCS": str(args.gomaxprocs) if args.gomaxprocs else None,
        }
    )
    log = logs / f"{variant.replace(' ', '-')}.log"
    with log.open("ab") as f:
        proc = subprocess.Popen([str(binary)], env=env, stdout=f, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, proc)
        url = f"http://127.0.0.1:{port}{path}"
        base = [wrk, "-t", str(args.threads), "-c", str(args.connections)]
        subprocess.run([*base, "-d", f"{args.warmup}s", url], check=True, capture_output=True)
        receiver.take()
        res = subprocess.run(
            [*base, "-d", f"{args.duration}s", "--latency", url], check=True, capture_output=True, text=True
        )
        stats = parse_wrk(res.stdout)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    # Spans of the measured run (and the tail of the warm-up), flushed at exit.
    stats["exports"], stats["export_bytes"] = receiver.take()
    return stats


def main() -> int:
    p = arg_parser(__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=3, help="rounds (each server once per round); default 3")
    p.add_argument("--duration", type=int, default=10, help="seconds of each measured wrk run; default 10")
    p.add_argument("--warmup", type=int, default=3, help="seconds of wrk before each measurement; default 3")
    p.add_argument("--threads", type=int, default=1, help="wrk threads; default 1")
    p.add_argument("--connections", type=int, default=32, help="wrk connections; default 32")
    p.add_argument("--gomaxprocs", type=int, default=0, help="GOMAXPROCS of the servers; default: Go's")
    p.add_argument("--service", action="store_true", help="also the realistic service and its twin (GET /items/7)")
    p.add_argument("--workdir")
    p.add_argument("--keep", action="store_true")
    args = p.parse_args()

    wrk = ensure_wrk()
    wd = workdir(args.workdir, "otelgo-bench-runtime-")
    result: dict = {"machine": machine(), "settings": {k: v for k, v in vars(args).items() if k != "json"}}
    receiver = Receiver()
    try:
        binaries = build_all(wd, args.service)
        names = list(binaries)
        runs: dict[str, list[dict]] = {n: [] for n in names}
        for r in range(args.rounds):
            order = names[r % len(names) :] + names[: r % len(names)]
            for name in order:
                binary, path = binaries[name]
                stats = measure(name, binary, path, receiver, wrk, args, wd)
                runs[name].append(stats)
                note(
                    f"round {r + 1}/{args.rounds} {name}: {stats['rps']:.0f} req/s, p99 {stats['p99_ms']:.2f} ms, "
                    f"{stats['exports']} exports"
                )
    except (CommandFailed, subprocess.CalledProcessError) as e:
        print(e, file=sys.stderr)
        return 1
    finally:
        receiver.close()
        if not args.keep and not args.workdir:
            shutil.rmtree(wd, ignore_errors=True)

    summary = {}
    for name, rs in runs.items():
        summary[name] = {
            "rps": median([x["rps"] for x in rs]),
            "p50_ms": median([x["p50_ms"] for x in rs]),
            "p99_ms": median([x["p99_ms"] for x in rs]),
            "exports": median([x["exports"] for x in rs]),
            "export_kib": median([x["export_bytes"] for x in rs]) / 1024,
            "errors": sum(x["non2xx"] for x in rs),
        }
    rows = [
        [
            n,
            f"{s['rps']:.0f}",
            f"{s['p50_ms']:.2f}",
            f"{s['p99_ms']:.2f}",
            f"{s['exports']:.0f}",
            f"{s['export_kib']:.0f}",
            str(s["errors"]),
        ]
        for n, s in summary.items()
    ]
    print_table(
        f"Requests on loopback (wrk -t{args.threads} -c{args.connections} -d{args.duration}s, "
        f"median of {args.rounds} rounds)",
        ["server", "req/s", "p50 ms", "p99 ms", "OTLP exports", "exported KiB", "non-2xx"],
        rows,
    )
    pairs = [("auto", "manual")]
    if args.service:
        pairs.append(("service auto", "service manual"))
    ratio_rows = []

    def ratios(a: str, b: str, key: str) -> list[float]:
        return [x[key] / y[key] for x, y in zip(runs[a], runs[b], strict=False)]

    def spread(values: list[float]) -> str:
        return f"{min(values):.2f} .. {max(values):.2f}"

    for a, b in pairs:
        rps, p99, p50 = ratios(a, b, "rps"), ratios(a, b, "p99_ms"), ratios(a, b, "p50_ms")
        ratio_rows.append(
            [
                f"{a} / {b} req/s",
                f"{median(rps):.3f}",
                spread(rps),
                ">= 0.9",
                verdict(median(rps), 0.9, lower_is_better=False),
            ]
        )
        ratio_rows.append([f"{a} / {b} p99", f"{median(p99):.3f}", spread(p99), "<= 1.1", verdict(median(p99), 1.1)])
        ratio_rows.append([f"{a} / {b} p50", f"{median(p50):.3f}", spread(p50), "", ""])
        summary[f"{a} / {b}"] = {
            "rps_ratio": median(rps),
            "p99_ratio": median(p99),
            "p50_ratio": median(p50),
            "rps_ratios": rps,
            "p99_ratios": p99,
        }
    rps = ratios("auto", "none", "rps")
    ratio_rows.append(["auto / none req/s (cost of tracing at all)", f"{median(rps):.3f}", spread(rps), "", ""])
    print_table(
        "Ratios (median of the per-round ratios, and their range)",
        ["ratio", "median", "range over rounds", "target", "verdict"],
        ratio_rows,
    )
    result["runs"] = runs
    result["summary"] = summary
    emit_json(args.json, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
