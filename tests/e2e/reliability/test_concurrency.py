"""Concurrent and differently parallel builds: two `otel go build` of the same
module at the same moment (same new sources, so both compile and splice the
same packages at once, sharing the build cache and otelgo's own cache) both
succeed with instrumented binaries; `-p 1` and `-p 8` builds both succeed."""

from __future__ import annotations

import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import harness
import pytest

RELIABILITY = harness.TESTDATA / "reliability"
PRINT_RULES = RELIABILITY / "hooks" / "print.json"


def fresh_app(dest: Path) -> Path:
    """A copy of testdata/reliability/app with sources no build has seen."""
    shutil.copytree(RELIABILITY / "app", dest)
    for name in ("main.go", "lib/lib.go"):
        path = dest / name
        path.write_text(path.read_text() + f"\nconst otelgoTestUnique{secrets.token_hex(6)} = 1\n")
    return dest


def otel_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "otelgo", "go", "build", "--rules", str(PRINT_RULES), *args]


def otel_env(tmpdir: Path) -> dict[str, str]:
    tmpdir.mkdir(exist_ok=True)
    return harness.clean_env({"PYTHONPATH": str(harness.REPO_ROOT), "TMPDIR": str(tmpdir)})


def check_instrumented(binary: Path, receiver) -> None:
    receiver.clear()
    proc = subprocess.run(
        [str(binary), "once"],
        capture_output=True,
        text=True,
        timeout=60,
        env=harness.clean_env(
            {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}
        ),
    )
    assert proc.returncode == 0, proc.stderr
    assert "hook: Compute enter n=3" in proc.stdout, f"{binary.name}: {proc.stdout}"
    spans = receiver.wait_for_spans(lambda s: {"CLIENT", "SERVER"} <= {x.kind for x in s})
    assert {s.service_name for s in spans} == {binary.name}


def test_two_builds_of_one_module_at_once(tmp_path, receiver):
    app = fresh_app(tmp_path / "app")
    tmpdir = tmp_path / "tmp"
    outs = [tmp_path / "bin" / name for name in ("first", "second")]
    logs = [tmp_path / f"{out.name}.log" for out in outs]
    procs = []
    for out, log in zip(outs, logs, strict=True):
        with open(log, "wb") as f:
            procs.append(
                subprocess.Popen(
                    otel_argv("-o", str(out), "."),
                    cwd=app,
                    env=otel_env(tmpdir),
                    stdout=f,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                )
            )
    codes = [p.wait(timeout=harness.BUILD_TIMEOUT) for p in procs]
    assert codes == [0, 0], "\n".join(
        f"--- {log.name} (exit {c})\n{log.read_text()}" for log, c in zip(logs, codes, strict=True)
    )
    for out in outs:
        check_instrumented(out, receiver)
    assert sorted(p.name for p in tmpdir.iterdir() if p.name.startswith("otelgo")) == []


@pytest.mark.parametrize("parallelism", ["1", "8"])
def test_build_with_p(tmp_path, receiver, parallelism):
    app = fresh_app(tmp_path / "app")
    out = tmp_path / f"p{parallelism}"
    proc = subprocess.run(
        otel_argv("-p", parallelism, "-o", str(out), "."),
        cwd=app,
        env=otel_env(tmp_path / "tmp"),
        capture_output=True,
        text=True,
        timeout=harness.BUILD_TIMEOUT,
    )
    harness.check_build(proc)
    check_instrumented(out, receiver)
