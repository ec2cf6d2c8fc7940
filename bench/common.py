"""Shared helpers of the benchmark scripts: paths, running otelgo and the go
command, timing, machine details, tables and JSON output.

Standard library only; rich draws the tables when it is installed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TESTDATA = REPO / "testdata"
BENCH_DATA = TESTDATA / "bench"


def otel_python() -> str:
    """The interpreter that runs otelgo: the checkout's virtualenv when there
    is one (./install.sh --dev), else the one running this script."""
    venv = REPO / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def find_go() -> str:
    go = shutil.which("go")
    if go is None:
        sys.exit("bench: no `go` command on PATH")
    return go


def clean_env(extra: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """os.environ without OTEL_*/OTELGO_* settings, plus `extra` (None
    removes a variable)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "OTELGO_"))}
    for k, v in (extra or {}).items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def otel_argv(*args: str) -> list[str]:
    """`otel go ARGS` from this checkout."""
    return [otel_python(), "-m", "otelgo", "go", *args]


def otel_env(extra: Mapping[str, str | None] | None = None) -> dict[str, str]:
    env = clean_env(extra)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


class CommandFailed(Exception):
    pass


def run(
    argv: Sequence[str], cwd: Path | str, env: Mapping[str, str], timeout: float = 3600
) -> tuple[float, subprocess.CompletedProcess]:
    """Run a command to completion, output captured; (wall seconds, result).
    Raises CommandFailed with the output when it fails."""
    start = time.perf_counter()
    proc = subprocess.run(list(argv), cwd=cwd, env=dict(env), capture_output=True, text=True, timeout=timeout)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise CommandFailed(
            f"{' '.join(map(str, argv))} (in {cwd}) failed with exit code {proc.returncode}\n"
            f"--- stdout\n{proc.stdout[-4000:]}\n--- stderr\n{proc.stderr[-4000:]}"
        )
    return elapsed, proc


# `go build -x` prints every tool it runs, one command line each; under
# -toolexec the line starts with the toolexec program, then the tool.
_TOOL_LINE = re.compile(r"(?:^|\s)\S*/pkg/tool/[^/\s]+/(compile|asm|link|cgo)(?:\.exe)?\s")


def count_actions(x_output: str) -> dict[str, int]:
    """Tool runs in the -x output of a build: {"compile": n, "link": n, ...}.
    Cached actions are not run, so they are not printed."""
    counts = {"compile": 0, "asm": 0, "link": 0, "cgo": 0}
    for line in x_output.splitlines():
        m = _TOOL_LINE.search(line)
        if m and "-V=full" not in line:
            counts[m.group(1)] += 1
    return counts


def phases(trace: Path, wall: float, main_pkg: str | None = None) -> dict[str, float]:
    """Where a build's wall time went, from the go command's -debug-trace:
    before the go command (otelgo's plan phase and start-up), loading
    packages, compiling (main), linking."""
    events = json.loads(trace.read_text())
    events = events if isinstance(events, list) else events.get("traceEvents", [])
    begun: dict[tuple, float] = {}
    spans: list[tuple[str, float]] = []
    for e in events:
        key = (e.get("name", ""), e.get("tid"))
        if e.get("ph") == "B":
            begun[key] = e["ts"]
        elif e.get("ph") == "E" and key in begun:
            spans.append((key[0], (e["ts"] - begun.pop(key)) / 1e6))

    def total(pred) -> float:
        return sum(d for n, d in spans if pred(n))

    go_total = total(lambda n: n == "Running build command")
    out = {
        "before the go command": wall - go_total,
        "go: load packages": total(lambda n: n == "load.PackagesAndErrors"),
        "go: compile": total(lambda n: n.startswith("Executing action (build ") and "check cache" not in n),
    }
    if main_pkg:
        out["go: compile, of which package main"] = total(lambda n: n == f"Executing action (build {main_pkg})")
    out["go: link"] = total(lambda n: n.startswith("Executing action (link "))
    out["go command, whole"] = go_total
    return out


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def copy_module(src: Path, dst: Path) -> Path:
    """A private copy of a Go module to build and edit."""
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".git"))
    return dst


def workdir(arg: str | None, prefix: str) -> Path:
    if arg:
        path = Path(arg).resolve()
        path.mkdir(parents=True, exist_ok=True)
        return path
    return Path(tempfile.mkdtemp(prefix=prefix))


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    info: dict[str, str] = {"nproc": str(os.cpu_count())}
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        m = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
        info["cpu"] = m.group(1).strip() if m else platform.processor()
        m = re.search(r"^cpu MHz\s*:\s*(.+)$", cpuinfo, re.M)
        if m:
            info["cpu_mhz"] = m.group(1).strip()
    except OSError:
        info["cpu"] = platform.processor()
    try:
        m = re.search(r"^MemTotal:\s*(\d+) kB", Path("/proc/meminfo").read_text(), re.M)
        if m:
            info["ram"] = f"{int(m.group(1)) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    try:
        info["loadavg"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        pass
    info["kernel"] = platform.release()
    info["go"] = subprocess.run([find_go(), "version"], capture_output=True, text=True).stdout.strip()
    info["python"] = subprocess.run([otel_python(), "--version"], capture_output=True, text=True).stdout.strip()
    return info


def arg_parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE ('-' for stdout)")
    return p


def emit_json(path: str | None, data: dict) -> None:
    if not path:
        return
    text = json.dumps(data, indent=1, default=str)
    if path == "-":
        print(text)
    else:
        Path(path).write_text(text + "\n")
        print(f"results written to {path}", file=sys.stderr)


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A table on stdout: rich's when available, plain text otherwise."""
    cells = [[_cell(v) for v in row] for row in rows]
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        widths = [max(len(str(c)), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
        print(f"\n{title}")
        print("  ".join(str(c).ljust(w) for c, w in zip(columns, widths, strict=False)))
        print("  ".join("-" * w for w in widths))
        for r in cells:
            print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=False)))
        return
    table = Table(*columns, title=title, title_justify="left")
    for r in cells:
        table.add_row(*r)
    console = Console()
    if not console.is_terminal:
        console = Console(width=200)
    console.print(table)


def _cell(v: object) -> str:
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) < 100 else f"{v:.1f}"
    return str(v)


def verdict(value: float, limit: float, lower_is_better: bool = True) -> str:
    """'met' or 'MISSED by X%' against a target."""
    if value != value:  # nan
        return "n/a"
    ok = value <= limit if lower_is_better else value >= limit
    if ok:
        return "met"
    off = (value / limit - 1) * 100 if lower_is_better else (1 - value / limit) * 100
    return f"MISSED by {off:.1f}%" if off < 1 else f"MISSED by {off:.0f}%"


def note(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)
