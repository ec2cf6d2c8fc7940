"""No cache pollution: after `otel go build`, the plain go commands (build,
test, run) of the same module are served nothing instrumented, and switching
rule sets back and forth never serves an archive built under the other set.

Instrumentation is seen by running the results: the user rule print.json
makes lib.Compute print "hook: ..."; the SDK bootstrap exports spans to the
receiver."""

from __future__ import annotations

import secrets
import shutil
import subprocess
from pathlib import Path

import harness

RELIABILITY = harness.TESTDATA / "reliability"
APP = RELIABILITY / "app"
PRINT_RULES = RELIABILITY / "hooks" / "print.json"


def traced_env(receiver) -> dict[str, str]:
    return {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}


def fresh_copy(src: Path, dest: Path, *files: str) -> Path:
    """A copy of a module whose `files` get a constant no build has seen, so
    that their packages are compiled, not found in the cache: first by the
    otel build, whose archives must then never reach a plain build."""
    shutil.copytree(src, dest)
    for name in files:
        path = dest / name
        path.write_text(path.read_text() + f"\nconst otelgoTestUnique{secrets.token_hex(6)} = 1\n")
    return dest


def run(binary: Path, *args: str, env=None) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(binary), *args], capture_output=True, text=True, timeout=60, env=harness.clean_env(env))
    assert proc.returncode == 0, proc.stderr
    return proc


def test_plain_go_commands_after_an_otel_build_are_uninstrumented(tmp_path, receiver):
    app = fresh_copy(APP, tmp_path / "app", "main.go", "lib/lib.go", "words/words.go")
    instrumented = tmp_path / "instrumented"
    harness.check_build(harness.otel_build(app, "--rules", str(PRINT_RULES), "-o", str(instrumented), "."))
    # Control: the instrumented program shows both signs, so their absence
    # below means something.
    proc = run(instrumented, "once", env=traced_env(receiver))
    assert "hook: Compute enter n=3" in proc.stdout
    receiver.wait_for_spans(lambda spans: {"CLIENT", "SERVER"} <= {s.kind for s in spans})
    receiver.clear()

    # go build: every package the otel build compiled (main, lib, net/http,
    # runtime, ...) is in the cache under otelgo's tool ID only.
    plain = tmp_path / "plain"
    harness.check_build(harness.go_build(app, "-o", str(plain), "."))
    assert b"otelgo" not in plain.read_bytes()
    proc = run(plain, "once", env=traced_env(receiver))
    assert proc.stdout.splitlines()[:2] == ["compute 3 = 10", "HI!"]
    assert "hook:" not in proc.stdout + proc.stderr

    # go run (its link cache too).
    proc = harness.go("run", ".", "once", cwd=app, env=traced_env(receiver))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[:2] == ["compute 3 = 10", "HI!"]
    assert "hook:" not in proc.stdout + proc.stderr

    # go test: the test binaries link lib and net/http.
    proc = harness.go("test", "-count=1", "-v", "./...", cwd=app, env=traced_env(receiver))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "lib test: Compute(3) = 10" in proc.stdout
    assert "--- PASS: TestComputeOverHTTP" in proc.stdout
    assert "hook:" not in proc.stdout + proc.stderr

    # All three programs have exited: whatever they would export was sent.
    assert receiver.records == []


def test_switching_rule_sets_never_serves_the_wrong_archive(tmp_path, testdata):
    """testdata/tricky with and without its rules, three times over: the
    hooks print exactly when the rules are on. (Without them the program
    reaches lib.Expensive, which panics unless its hook skips it.)"""
    module = fresh_copy(testdata / "tricky", tmp_path / "tricky", "lib/lib.go", "main.go")
    seen = []
    for i, rules_on in enumerate([True, False] * 3):
        out = tmp_path / f"tricky-{i}"
        args = ["--rules", str(module / "rules.json")] if rules_on else []
        harness.check_build(harness.otel_build(module, *args, "-o", str(out), "."))
        proc = subprocess.run(
            [str(out)],
            capture_output=True,
            text=True,
            timeout=60,
            env=harness.clean_env({"OTEL_TRACES_EXPORTER": "none"}),
        )
        hooked = [line for line in proc.stdout.splitlines() if line.startswith("hook:")]
        seen.append((rules_on, len(hooked)))
        where = (
            f"build {i} (rules {'on' if rules_on else 'off'}), exit {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
        )
        if rules_on:
            assert proc.returncode == 0, where
            assert "hook: Map enter example.com/tricky/lib.Map xs=[1 2]" in hooked, where
            assert "Scale {20 40}" in proc.stdout, where  # a hook replaced a parameter
            assert "Expensive 81" in proc.stdout, where  # a hook skipped the call
        else:
            assert hooked == [], where
            assert "Scale {2 4}" in proc.stdout, where  # the original call, untouched
            assert proc.returncode == 2 and "panic: Expensive must not run: the hook skips it" in proc.stderr, where
    assert [on for on, n in seen if n] == [True] * 3, seen
