"""Seeing what was injected: --show-injected prints the unified diff of each
instrumented package's sources against the originals, --injected-dir writes
the files, and they are exactly what the compiler was given (compared with
the copies the compile leaves in the go command's -work directory); otel
diff PKG prints one package's diff and builds nothing."""

from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path

import harness

MODULE = harness.TESTDATA / "control"


def otel(*args, cwd):
    return harness.otel(*args, cwd=cwd)


def test_show_injected_is_what_the_compiler_was_given(tmp_path):
    # A directory no earlier run used: package main compiles afresh, however
    # warm the shared build cache (pytest numbers its directories afresh).
    module = tmp_path / f"control-{uuid.uuid4().hex[:12]}"
    shutil.copytree(MODULE, module)
    out = tmp_path / "injected"
    result = harness.check_build(
        harness.otel_build(
            module, "--show-injected=main", "--injected-dir", str(out), "-work", "-o", str(tmp_path / "bin"), "."
        )
    )
    diff = result.stdout
    main_go = module / "main.go"
    # A unified diff of package main's files, the trampolines added.
    assert diff.startswith("--- a/example.com/control/main.go\n+++ b/example.com/control/main.go\n"), diff[:300]
    assert f"+/*line {main_go}:6:1*/package main\n" in diff
    assert "-func audit(ctx context.Context) {\n" in diff
    assert "+func audit(ctx context.Context) { if otelgoQuietOn { defer otelgoResume(otelgoSuppress()) };\n" in diff
    assert "--- /dev/null\n+++ b/example.com/control/otelgo_trampolines.go\n" in diff
    assert "--- /dev/null\n+++ b/example.com/control/otelgo_bootstrap.go\n" in diff
    assert "+++ b/net/http/" not in diff  # only the package asked for
    # The files written are those the compile of package main used.
    work = re.search(r"^WORK=(\S+)$", result.stderr, re.MULTILINE)
    assert work, result.stderr
    # The action directory of package main's compile: the one with probe.go.
    action = next(p.parent for p in Path(work.group(1)).glob("b*/otelgo/probe.go"))
    compiled = {p.name: p.read_text() for p in action.glob("*.go")}
    shutil.rmtree(work.group(1), ignore_errors=True)
    written = {p.name: p for p in (out / "example.com/control").iterdir()}
    assert {"main.go", "probe.go", "otelgo_trampolines.go", "otelgo_bootstrap.go"} <= set(written)
    for name in ("main.go", "probe.go", "otelgo_trampolines.go"):
        assert name in compiled, f"{name} not among the compile's copies: {sorted(compiled)}"
        assert written[name].read_text() == compiled[name], name
    assert f"otel: wrote {len(written)} files under {out}" in result.stderr


def test_otel_diff_prints_one_package_and_builds_nothing(tmp_path):
    result = otel("diff", "net/http", cwd=MODULE)
    assert result.returncode == 0, result.stderr
    assert re.search(
        r"^-func \(t \*Transport\) RoundTrip\(req \*Request\) \(\*Response, error\) \{\n"
        r"\+func \(t \*Transport\) RoundTrip\(req \*Request\) \(otelgoR0 \*Response, otelgoR1 error\) \{ if otelgoOn",
        result.stdout,
        re.MULTILINE,
    ), result.stdout[:2000]
    assert {m for m in re.findall(r"^\+\+\+ b/(\S+)/[^/\s]+$", result.stdout, re.MULTILINE)} == {"net/http"}
    assert "otel: instrumented" not in result.stderr  # no build, no summary
    missing = otel("diff", "example.com/nothing", cwd=MODULE)
    assert missing.returncode == 1
    assert "otel: no instrumented package is named example.com/nothing; instrumented: database/sql," in missing.stderr
