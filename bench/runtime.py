"""Run-time benchmark: requests per second, latency, CPU, allocations and
memory of otelgo-built servers against the same servers instrumented by
hand, on loopback under wrk.

    .venv/bin/python bench/runtime.py [--rounds 5] [--duration 10] [--pairs http,sqlite,postgres] [--json FILE]

With the defaults (three pairs, seven servers, five rounds) it takes about
7 minutes on 2 cores, including the builds; it prints how long it took.

Pairs (testdata/bench):
  - http:     plainhttp built by `otel go build` ("auto") against otelhttp
              built by `go build` ("manual": otelhttp.NewHandler and the SDK
              set up by hand, the same SDK version and exporters as otelgo's
              bootstrap); plainhttp built by `go build` ("none") for scale.
              GET /hello.
  - sqlite:   the realistic service (`otel go build`) against its
              hand-instrumented twin (`go build`) on GET /items/7: gin
              route, a query through database/sql on SQLite (one
              connection, a file in the work directory: an in-memory
              database is lost with its connection, which database/sql
              replaces when a cancelled request interrupts a query at the
              end of wrk's warm-up; every later request of that round then
              failed with "no such table", on either side), slog.
  - postgres: the same two on PostgreSQL through pgx's database/sql driver
              with a pool of --pg-pool connections (the realistic case); the
              script starts a PostgreSQL server of its own on a free port
              (Debian's postgresql package, as tests/support/services.py).

Every server exports every span and its metrics to the same local OTLP/HTTP
receiver (in this process, answering 200 to every POST) with the SDK's
default batch processor. Each round starts every server afresh, checks that
the port it answers on is its own and that one request of the route
answers 2xx, warms it up with wrk, then measures; the order rotates between
rounds.

Every response's status is checked (a wrk Lua script counts the statuses).
A server that answers anything but 2xx, has socket errors or timeouts,
exits, or does not answer, fails its round: the round is reported with the
reason, left out of every figure and ratio, and the script exits with
status 1 at the end. A failed measurement is not a figure.

Per server and round, besides wrk's figures:
  - CPU per request: the server process's user + system time
    (/proc/PID/stat) over the measured run, divided by the requests wrk
    completed. It includes the process's background work (span export,
    metric collection), which is part of what instrumentation costs.
  - Allocations per request (service pairs): heap objects and bytes
    allocated over the measured run (runtime.ReadMemStats, which flushes
    every P's cache first, so the count is exact), read from the
    BENCH_STATS_ADDR endpoint that the service and the twin both serve
    (internal/benchstats: plain TCP, not seen by any instrumentation),
    divided by the requests.
  - Under steady load (samples every --sample seconds over the last two
    thirds of the measured run, median): resident set size (VmRSS), and for
    the service pairs the heap in use (HeapInuse) and goroutines.

Figures are medians over the successful rounds; ratios are medians of the
per-round ratios (rounds in which both sides succeeded), with their range.
wrk comes from Debian's package (apt-get install -y wrk); the script
installs it when it runs as root and wrk is missing.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    BENCH_DATA,
    REPO,
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
                # An empty Export*ServiceResponse.
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


# --- servers -----------------------------------------------------------------


@dataclass
class Variant:
    name: str
    module: str  # under testdata/bench
    instrumented: bool  # otel go build (else go build)
    path: str  # what wrk requests
    env: dict[str, str] = field(default_factory=dict)
    stats: bool = False  # serves BENCH_STATS_ADDR
    binary: Path | None = None


@dataclass
class Pair:
    key: str
    auto: str
    manual: str
    rps_min: float
    p99_max: float
    per_request: bool  # CPU, allocations and memory targets


PAIRS = {
    "http": Pair("http", "auto", "manual", 0.9, 1.1, False),
    "sqlite": Pair("sqlite", "service auto", "service manual", 1.0, 1.05, True),
    "postgres": Pair("postgres", "pg auto", "pg manual", 1.0, 1.05, True),
}
RSS_MAX = 1.1  # service RSS <= 1.1x the twin's


def variants_for(pairs: list[str], pg_dsn: str | None, pg_pool: int, wd: Path) -> list[Variant]:
    out = []
    if "http" in pairs:
        out += [
            Variant("auto", "plainhttp", True, "/hello"),
            Variant("manual", "otelhttp", False, "/hello"),
            Variant("none", "plainhttp", False, "/hello"),
        ]
    if "sqlite" in pairs:
        out += [
            Variant("service auto", "service", True, "/items/7", {"DB_DSN": str(wd / "auto.sqlite")}, stats=True),
            Variant("service manual", "twin", False, "/items/7", {"DB_DSN": str(wd / "manual.sqlite")}, stats=True),
        ]
    if "postgres" in pairs:
        pg = {"DB_DRIVER": "pgx", "DB_DSN": pg_dsn or "", "DB_POOL": str(pg_pool)}
        out += [
            Variant("pg auto", "service", True, "/items/7", dict(pg), stats=True),
            Variant("pg manual", "twin", False, "/items/7", dict(pg), stats=True),
        ]
    return out


def build_all(wd: Path, variants: list[Variant]) -> None:
    bins = wd / "bin"
    bins.mkdir(parents=True, exist_ok=True)
    go = find_go()
    built: dict[tuple[str, bool], Path] = {}
    for v in variants:
        key = (v.module, v.instrumented)
        if key not in built:
            binary = bins / f"{v.module}-{'otel' if v.instrumented else 'plain'}"
            how = "otel go build" if v.instrumented else "go build"
            note(f"building testdata/bench/{v.module} with {how} ...")
            if v.instrumented:
                run(otel_argv("build", "-q", "-o", str(binary), "."), BENCH_DATA / v.module, otel_env())
            else:
                run([go, "build", "-o", str(binary), "."], BENCH_DATA / v.module, clean_env())
            built[key] = binary
        v.binary = built[key]


# --- wrk ---------------------------------------------------------------------

# Counts every response's status per wrk thread and prints the totals at the
# end, with the first response that was not 2xx.
STATUS_LUA = """
threads = {}
function setup(thread) table.insert(threads, thread) end
counts = {}
sample = nil
function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  if (status < 200 or status > 299) and sample == nil then
    sample = status .. " " .. string.gsub(string.sub(body or "", 1, 300), "%s+", " ")
  end
end
function done(summary, latency, requests)
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("counts")) do io.write(string.format("status %d %d\\n", k, v)) end
    local s = t:get("sample")
    if s then io.write("sample " .. s .. "\\n") end
  end
end
"""


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


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def parse_wrk(text: str) -> dict:
    def latency(pct: str) -> float:
        m = re.search(rf"^\s*{pct}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        return float(m.group(1)) * _UNITS[m.group(2)] if m else float("nan")

    rps = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    total = re.search(r"^\s*(\d+) requests in", text, re.M)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    statuses: dict[int, int] = {}
    for m in re.finditer(r"^status (\d+) (\d+)$", text, re.M):
        statuses[int(m.group(1))] = statuses.get(int(m.group(1)), 0) + int(m.group(2))
    sample = re.search(r"^sample (.*)$", text, re.M)
    return {
        "rps": float(rps.group(1)) if rps else float("nan"),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "requests": int(total.group(1)) if total else 0,
        "statuses": statuses,
        "non2xx": sum(n for s, n in statuses.items() if not 200 <= s <= 299),
        "socket_errors": dict(zip(("connect", "read", "write", "timeout"), map(int, errors.groups()), strict=True))
        if errors
        else {},
        "sample": sample.group(1).strip() if sample else "",
    }


def wrk_problems(stats: dict, what: str) -> list[str]:
    """Why a wrk run is not a measurement; [] if it is one."""
    out = []
    if stats["requests"] == 0:
        out.append(f"{what}: no request completed")
    if stats["non2xx"]:
        counts = ", ".join(f"{n} x {s}" for s, n in sorted(stats["statuses"].items()) if not 200 <= s <= 299)
        out.append(
            f"{what}: {stats['non2xx']} of {stats['requests']} responses were not 2xx ({counts}); "
            f"first: {stats['sample'][:200]!r}"
        )
    elif stats["requests"] and sum(stats["statuses"].values()) != stats["requests"]:
        # every response goes through the Lua counter; a difference means it did not run
        out.append(f"{what}: the status counter saw {sum(stats['statuses'].values())} responses of {stats['requests']}")
    bad = {k: v for k, v in stats["socket_errors"].items() if v}
    if bad:
        out.append(f"{what}: socket errors " + ", ".join(f"{k} {v}" for k, v in bad.items()))
    return out


# --- the process -------------------------------------------------------------

CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14, 15)


def rss_bytes(pid: int) -> int:
    m = re.search(r"^VmRSS:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
    return int(m.group(1)) * 1024 if m else 0


def listener_inode(port: int) -> str | None:
    """The inode of the socket listening on 127.0.0.1:port, from /proc/net/tcp."""
    want = f"0100007F:{port:04X}"
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        parts = line.split()
        if parts[1] == want and parts[3] == "0A":  # LISTEN
            return parts[9]
    return None


def owns_socket(pid: int, inode: str) -> bool:
    target = f"socket:[{inode}]"
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                if os.readlink(fd) == target:
                    return True
    return False


def wait_listening(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    """Until the server listens on port. Fails if it exits, or if what
    listens there is another process's (a port taken between free_port()
    and the server's bind: wrk would measure someone else's server)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise Failure(f"the server exited with status {proc.returncode} before listening")
        inode = listener_inode(port)
        if inode is not None:
            if owns_socket(proc.pid, inode):
                return
            # another process listens there; ours may still be starting (and failing)
            time.sleep(0.2)
            if proc.poll() is None and not owns_socket(proc.pid, inode):
                raise Failure(f"port {port} is held by another process, not by the server")
        time.sleep(0.05)
    raise Failure(f"the server did not listen on port {port} within {timeout:.0f} s")


def read_stats(port: int) -> dict:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        data = b""
        while chunk := s.recv(4096):
            data += chunk
    return json.loads(data)


def preflight(url: str) -> None:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            resp.read()
    except urllib.error.HTTPError as e:
        raise Failure(f"GET {url} answered {e.code}: {e.read()[:200]!r}") from None
    except OSError as e:
        raise Failure(f"GET {url} failed: {e}") from None


class Failure(Exception):
    """A measurement that is not one, and why."""


def log_tail(log: Path, lines: int = 4) -> str:
    try:
        text = log.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(line[:200] for line in text[-lines:])


def measure(v: Variant, receiver: Receiver, wrk: str, lua: Path, args, logs: Path) -> dict:
    """One server, one round: wrk figures, CPU, allocations, memory, and
    "failure" (a reason) when the round is not a measurement."""
    port = free_port()
    stats_port = free_port() if v.stats else None
    env = clean_env(
        {
            **v.env,
            "ADDR": f"127.0.0.1:{port}",
            "BENCH_STATS_ADDR": f"127.0.0.1:{stats_port}" if stats_port else None,
            "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
            "OTEL_SERVICE_NAME": v.name.replace(" ", "-"),
            "GOMAXPROCS": str(args.gomaxprocs) if args.gomaxprocs else None,
        }
    )
    log = logs / f"{v.name.replace(' ', '-')}.log"
    with log.open("ab") as f:
        f.write(f"--- {time.strftime('%H:%M:%S')} start\n".encode())
        f.flush()
        proc = subprocess.Popen([str(v.binary)], env=env, stdout=f, stderr=subprocess.STDOUT)
    out: dict = {"failure": None}
    try:
        wait_listening(port, proc)
        if stats_port:
            wait_listening(stats_port, proc)
        url = f"http://127.0.0.1:{port}{v.path}"
        preflight(url)
        base = [wrk, "-t", str(args.threads), "-c", str(args.connections), "-s", str(lua)]
        warm = subprocess.run([*base, "-d", f"{args.warmup}s", url], capture_output=True, text=True)
        problems = wrk_problems(parse_wrk(warm.stdout), "warm-up")
        if warm.returncode != 0 or problems:
            raise Failure("; ".join(problems) or f"wrk failed: {warm.stderr.strip()[:300]}")
        receiver.take()
        before = read_stats(stats_port) if stats_port else None
        cpu0 = cpu_seconds(proc.pid)
        t0 = time.monotonic()
        wrk_proc = subprocess.Popen(
            [*base, "-d", f"{args.duration}s", "--latency", url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        samples = []
        while wrk_proc.poll() is None:
            time.sleep(args.sample)
            if wrk_proc.poll() is not None or proc.poll() is not None:
                break
            if time.monotonic() - t0 >= args.duration / 3:
                sample = {"rss": rss_bytes(proc.pid)}
                if stats_port:
                    s = read_stats(stats_port)
                    sample.update(heap_inuse=s["heap_inuse"], goroutines=s["goroutines"])
                samples.append(sample)
        stdout, stderr = wrk_proc.communicate()
        if proc.poll() is not None:
            raise Failure(f"the server exited with status {proc.returncode} during the measurement")
        cpu = cpu_seconds(proc.pid) - cpu0
        after = read_stats(stats_port) if stats_port else None
        stats = parse_wrk(stdout)
        problems = wrk_problems(stats, "measured run")
        if wrk_proc.returncode != 0 or problems:
            raise Failure("; ".join(problems) or f"wrk failed: {stderr.strip()[:300]}")
        n = stats["requests"]
        out.update(stats)
        out["cpu_us_per_req"] = cpu / n * 1e6
        out["cpu_cores"] = cpu / args.duration
        if before and after:
            out["allocs_per_req"] = (after["mallocs"] - before["mallocs"]) / n
            out["alloc_bytes_per_req"] = (after["total_alloc"] - before["total_alloc"]) / n
            out["gcs"] = after["num_gc"] - before["num_gc"]
        if samples:
            out["rss_mib"] = median([s["rss"] for s in samples]) / 2**20
            if stats_port:
                out["heap_inuse_mib"] = median([s["heap_inuse"] for s in samples]) / 2**20
                out["goroutines"] = median([s["goroutines"] for s in samples])
        out["samples"] = len(samples)
    except (Failure, OSError, ValueError, KeyError) as e:
        tail = log_tail(log)
        out["failure"] = f"{e}" + (f" [server log: {tail}]" if tail else "")
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    # Spans of the measured run (and the tail of the warm-up), flushed at exit.
    out["exports"], out["export_bytes"] = receiver.take()
    return out


# --- PostgreSQL --------------------------------------------------------------


@contextlib.contextmanager
def postgres():
    """A PostgreSQL server of this run's own, as the test suite starts one."""
    import glob

    for binary in ("initdb", "postgres", "createdb"):
        if not (shutil.which(binary) or glob.glob(f"/usr/lib/postgresql/*/bin/{binary}")):
            sys.exit(f"bench: {binary} not found: install Debian's postgresql package (tests/install-services.sh)")
    sys.path.insert(0, str(REPO / "tests" / "support"))
    from services import postgres_server  # the suite's fixture, without pytest

    tmp = workdir(None, "otelgo-bench-pg-")
    try:
        with postgres_server(tmp) as server:
            yield server.url
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --- main --------------------------------------------------------------------


def main() -> int:
    p = arg_parser(__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=5, help="rounds (each server once per round); default 5")
    p.add_argument("--duration", type=int, default=10, help="seconds of each measured wrk run; default 10")
    p.add_argument("--warmup", type=int, default=3, help="seconds of wrk before each measurement; default 3")
    p.add_argument("--threads", type=int, default=1, help="wrk threads; default 1")
    p.add_argument("--connections", type=int, default=32, help="wrk connections; default 32")
    p.add_argument("--gomaxprocs", type=int, default=0, help="GOMAXPROCS of the servers; default: Go's")
    p.add_argument(
        "--pairs", default="http,sqlite,postgres", help="comma-separated: http, sqlite, postgres; default all three"
    )
    p.add_argument("--pg-pool", type=int, default=8, help="PostgreSQL pool size (DB_POOL); default 8")
    p.add_argument("--sample", type=float, default=1.0, help="seconds between memory samples; default 1")
    p.add_argument("--service", action="store_true", help="(kept for old command lines: the pairs are all run)")
    p.add_argument("--workdir")
    p.add_argument("--keep", action="store_true")
    args = p.parse_args()
    pairs = [x.strip() for x in args.pairs.split(",") if x.strip()]
    unknown = set(pairs) - set(PAIRS)
    if unknown:
        p.error(f"unknown pairs: {', '.join(sorted(unknown))} (http, sqlite, postgres)")

    started = time.monotonic()
    wrk = ensure_wrk()
    wd = workdir(args.workdir, "otelgo-bench-runtime-")
    lua = wd / "status.lua"
    lua.write_text(STATUS_LUA)
    result: dict = {"machine": machine(), "settings": {k: v for k, v in vars(args).items() if k != "json"}}
    loads = [os.getloadavg()[0]]
    receiver = Receiver()
    runs: dict[str, list[dict]] = {}
    try:
        with contextlib.ExitStack() as stack:
            pg_dsn = None
            if "postgres" in pairs:
                note("starting PostgreSQL ...")
                pg_dsn = stack.enter_context(postgres())
            variants = variants_for(pairs, pg_dsn, args.pg_pool, wd)
            build_all(wd, variants)
            runs = {v.name: [] for v in variants}
            for r in range(args.rounds):
                order = variants[r % len(variants) :] + variants[: r % len(variants)]
                for v in order:
                    stats = measure(v, receiver, wrk, lua, args, wd)
                    stats["round"] = r + 1
                    runs[v.name].append(stats)
                    loads.append(os.getloadavg()[0])
                    if stats["failure"]:
                        note(f"round {r + 1}/{args.rounds} {v.name}: FAILED: {stats['failure']}")
                    else:
                        note(
                            f"round {r + 1}/{args.rounds} {v.name}: {stats['rps']:.0f} req/s, "
                            f"p99 {stats['p99_ms']:.2f} ms, {stats['cpu_us_per_req']:.1f} us CPU/req"
                            + (f", {stats['allocs_per_req']:.1f} allocs/req" if "allocs_per_req" in stats else "")
                        )
    except CommandFailed as e:
        print(e, file=sys.stderr)
        return 1
    finally:
        receiver.close()
        if not args.keep and not args.workdir:
            shutil.rmtree(wd, ignore_errors=True)

    result["load"] = {"min": min(loads), "max": max(loads)}
    summary = report(runs, pairs, args)
    failures = [(name, x["round"], x["failure"]) for name, rs in runs.items() for x in rs if x["failure"]]
    if failures:
        print_table(
            "FAILED MEASUREMENTS (left out of every figure above)",
            ["server", "round", "why"],
            [[n, r, why] for n, r, why in failures],
        )
    print(f"\nload average (1 min) during the run: {min(loads):.2f} .. {max(loads):.2f}")
    result["elapsed_s"] = time.monotonic() - started
    print(f"bench/runtime.py took {result['elapsed_s'] / 60:.1f} min")
    result["runs"] = runs
    result["summary"] = summary
    result["failures"] = [{"server": n, "round": r, "why": w} for n, r, w in failures]
    emit_json(args.json, result)
    if failures:
        print(f"bench: {len(failures)} measurement(s) failed; see above", file=sys.stderr)
        return 1
    return 0


def _fmt(value: float | None, spec: str) -> str:
    return "" if value is None or value != value else format(value, spec)


def report(runs: dict[str, list[dict]], pairs: list[str], args) -> dict:
    summary: dict = {}
    rows = []
    for name, rs in runs.items():
        ok = [x for x in rs if not x["failure"]]

        def med(key: str, ok=ok) -> float | None:
            values = [x[key] for x in ok if key in x]
            return median(values) if values else None

        s = {
            k: med(k)
            for k in (
                "rps",
                "p50_ms",
                "p99_ms",
                "cpu_us_per_req",
                "allocs_per_req",
                "alloc_bytes_per_req",
                "rss_mib",
                "heap_inuse_mib",
                "goroutines",
                "exports",
                "export_bytes",
            )
        }
        s["rounds_ok"], s["rounds_failed"] = len(ok), len(rs) - len(ok)
        summary[name] = s
        rows.append(
            [
                name,
                f"{s['rounds_ok']}/{len(rs)}",
                _fmt(s["rps"], ".0f"),
                _fmt(s["p50_ms"], ".2f"),
                _fmt(s["p99_ms"], ".2f"),
                _fmt(s["cpu_us_per_req"], ".1f"),
                _fmt(s["allocs_per_req"], ".1f"),
                _fmt(None if s["alloc_bytes_per_req"] is None else s["alloc_bytes_per_req"] / 1024, ".1f"),
                _fmt(s["rss_mib"], ".1f"),
                _fmt(s["heap_inuse_mib"], ".1f"),
                _fmt(s["goroutines"], ".0f"),
                _fmt(s["exports"], ".0f"),
            ]
        )
    print_table(
        f"Servers on loopback (wrk -t{args.threads} -c{args.connections} -d{args.duration}s; "
        "medians over the rounds that succeeded)",
        [
            "server",
            "rounds ok",
            "req/s",
            "p50 ms",
            "p99 ms",
            "CPU us/req",
            "allocs/req",
            "KiB alloc/req",
            "RSS MiB",
            "heap in use MiB",
            "goroutines",
            "OTLP exports",
        ],
        rows,
    )

    ratio_rows = []

    def ratios(a: str, b: str, key: str) -> list[float]:
        by_round = {x["round"]: x for x in runs[b] if not x["failure"]}
        return [
            x[key] / by_round[x["round"]][key]
            for x in runs[a]
            if not x["failure"] and x["round"] in by_round and key in x and key in by_round[x["round"]]
        ]

    def row(label: str, values: list[float], target: str = "", limit: float | None = None, lower: bool = True):
        med_ = median(values) if values else float("nan")
        spread = f"{min(values):.2f} .. {max(values):.2f}" if values else "no round succeeded"
        v = verdict(med_, limit, lower) if limit is not None else ""
        ratio_rows.append([label, f"{med_:.3f}", spread, len(values), target, v])
        return med_

    for key in pairs:
        pair = PAIRS[key]
        a, b = pair.auto, pair.manual
        entry: dict = {}
        entry["rps"] = row(f"{a} / {b} req/s", ratios(a, b, "rps"), f">= {pair.rps_min}", pair.rps_min, False)
        entry["p99"] = row(f"{a} / {b} p99", ratios(a, b, "p99_ms"), f"<= {pair.p99_max}", pair.p99_max)
        entry["p50"] = row(f"{a} / {b} p50", ratios(a, b, "p50_ms"))
        if pair.per_request:
            entry["cpu"] = row(f"{a} / {b} CPU per request", ratios(a, b, "cpu_us_per_req"), "<= 1.0", 1.0)
            entry["allocs"] = row(f"{a} / {b} allocations per request", ratios(a, b, "allocs_per_req"), "<= 1.0", 1.0)
            entry["rss"] = row(f"{a} / {b} RSS under load", ratios(a, b, "rss_mib"), f"<= {RSS_MAX}", RSS_MAX)
            entry["heap"] = row(f"{a} / {b} heap in use", ratios(a, b, "heap_inuse_mib"))
        else:
            entry["cpu"] = row(f"{a} / {b} CPU per request", ratios(a, b, "cpu_us_per_req"))
            entry["rss"] = row(f"{a} / {b} RSS under load", ratios(a, b, "rss_mib"))
        summary[f"{a} / {b}"] = entry
        if key == "http":
            summary["auto / none"] = {
                "rps": row("auto / none req/s (what tracing costs at all)", ratios(a, "none", "rps"))
            }
    print_table(
        "Ratios (median of the per-round ratios over the rounds both sides succeeded, and their range)",
        ["ratio", "median", "range", "rounds", "target", "verdict"],
        ratio_rows,
    )
    return summary


if __name__ == "__main__":
    sys.exit(main())
