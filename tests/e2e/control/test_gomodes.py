"""The go command's modes that cost little on top of the default build,
with testdata/buildmodes (a package of the program's own module with a
//otel:span function, its tests, benchmark and fuzz target, a command):
coverage (-cover, -coverpkg=./... with -covermode=atomic: the same profile
as a plain go test), -bench, -n (prints, builds nothing), -ldflags=-s -w,
and the bare mode: `otel toolexec-flags` prints the GOFLAGS with which a
plain `go build` builds instrumented. (-work: test_injected.py. The modes
that compile the standard library anew -- -race, -fuzz, PGO, -trimpath,
-buildmode=pie/c-shared/plugin, GOEXPERIMENT, GOAMD64, -a -- are the lane
tests/e2e/buildmodes, outside the default run.)"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import harness
import pytest

MODULE = harness.TESTDATA / "buildmodes"


def otel(*args, cwd=MODULE, env=None):
    return harness.otel(*args, cwd=cwd, env=env)


def go(*args, cwd=MODULE, env=None):
    return subprocess.run(
        [harness.find_go(), *args], cwd=cwd, env=harness.clean_env(env), capture_output=True, text=True, timeout=900
    )


def sorted_profile(path) -> list[str]:
    lines = path.read_text().splitlines()
    return [lines[0], *sorted(set(lines[1:]))]


@pytest.mark.parametrize(
    "flags",
    [["-cover"], ["-coverpkg=./...", "-covermode=atomic"]],
    ids=["cover", "coverpkg-atomic"],
)
def test_coverage_is_that_of_a_plain_go_test(flags, tmp_path, receiver):
    """Coverage instruments the files the overlay adds too, unless otelgo
    keeps its own out: the profile is the plain build's, line for line,
    and the test still exports its spans."""
    ours, plain = tmp_path / "otel.out", tmp_path / "plain.out"
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "OTEL_METRICS_EXPORTER": "none"}
    instrumented = otel("go", "test", "-count=1", *flags, f"-coverprofile={ours}", "./...", env=env)
    assert instrumented.returncode == 0, instrumented.stdout + instrumented.stderr
    reference = go("test", "-count=1", *flags, f"-coverprofile={plain}", "./...")
    assert reference.returncode == 0, reference.stdout + reference.stderr
    assert sorted_profile(ours) == sorted_profile(plain)
    coverage = re.findall(r"coverage: .*", reference.stdout)
    assert coverage and re.findall(r"coverage: .*", instrumented.stdout) == coverage
    spans = receiver.wait_for_spans(lambda s: {"fetch.body"} <= {x.name for x in s})
    body = next(s for s in spans if s.name == "fetch.body")
    assert any(s.kind == "CLIENT" and s.parent_span_id == body.span_id for s in spans)


def test_bench_runs_the_instrumented_benchmark(receiver):
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "OTEL_METRICS_EXPORTER": "none"}
    result = otel("go", "test", "-count=1", "-run=^$", "-bench=.", "-benchtime=20x", "./fetch", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^BenchmarkBody\S*\s+20\s+\d+ ns/op", result.stdout, re.MULTILINE), result.stdout
    spans = receiver.wait_for_spans(lambda s: len([x for x in s if x.name == "fetch.body"]) >= 20)
    assert len({s.trace_id for s in spans if s.name == "fetch.body"}) >= 20


def test_n_prints_the_commands_and_builds_nothing(tmp_path):
    out = tmp_path / "app"
    result = otel("go", "build", "-n", "-o", str(out), "./cmd/app")
    assert result.returncode == 0, result.stderr
    assert not out.exists()
    # The link at least (the packages may all be in the cache), through the
    # native shim (otelgo/toolexec/nativeshim.py).
    assert re.search(r"/otelgo-shim \S+/link -o ", result.stderr), result.stderr[-2000:]
    assert "packagefile otelgo.dev/rules/sdk=" in result.stderr
    assert result.stderr.rstrip().endswith(
        "otel: -n: these are the commands of an instrumented build; nothing was built"
    )
    assert "otel: instrumented" not in result.stderr


def test_ldflags_strip(tmp_path, receiver):
    out = tmp_path / "app"
    harness.check_build(harness.otel_build(MODULE, "-ldflags=-s -w", "-o", str(out), "./cmd/app"))
    info = go("version", "-m", str(out))
    assert '-ldflags="-s -w"' in info.stdout, info.stdout
    nm = go("tool", "nm", str(out))
    assert nm.returncode != 0 and "no symbols" in nm.stderr
    check_app(out, receiver)


def check_app(binary, receiver):
    with harness.TargetServer() as target:
        run = subprocess.run(
            [str(binary)],
            capture_output=True,
            text=True,
            timeout=60,
            env=harness.clean_env({"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "TARGET_URL": target.url}),
        )
    assert run.returncode == 0 and run.stdout == "pong\n", run.stderr
    spans = receiver.wait_for_spans(lambda s: {"INTERNAL", "CLIENT"} <= {x.kind for x in s})
    body = next(s for s in spans if s.name == "fetch.body")
    client = next(s for s in spans if s.kind == "CLIENT")
    assert client.parent_span_id == body.span_id
    assert target.requests[0].headers["traceparent"].split("-")[2] == client.span_id


def test_bare_go_build_with_the_printed_goflags(tmp_path, receiver):
    module = tmp_path / "buildmodes"
    shutil.copytree(MODULE, module)
    printed = otel("toolexec-flags", "./cmd/app", cwd=module)
    assert printed.returncode == 0, printed.stderr
    goflags = printed.stdout.strip()
    assert goflags.startswith("-toolexec=") and " -modfile=" in goflags and " -overlay=" in goflags
    assert otel("toolexec-flags", "./cmd/app", cwd=module).stdout.strip() == goflags  # the same place each time
    out = tmp_path / "app"
    built = go("build", "-o", str(out), "./cmd/app", cwd=module, env={"GOFLAGS": goflags})
    assert built.returncode == 0, built.stderr
    check_app(out, receiver)
    again = go("build", "-x", "-o", str(out), "./cmd/app", cwd=module, env={"GOFLAGS": goflags})
    assert again.returncode == 0 and "/compile " not in again.stderr  # all in the cache
    # --env: the same, as lines for eval.
    assert otel("toolexec-flags", "--env", "./cmd/app", cwd=module).stdout.startswith("export GOFLAGS=")
    # A go.mod newer than the plan: the build refuses to run rather than build something else.
    os.utime(module / "go.mod")
    stale = go("build", "-o", str(out), "./cmd/app", cwd=module, env={"GOFLAGS": goflags})
    assert stale.returncode != 0
    assert f"otel: {module / 'go.mod'} changed after `otel toolexec-flags` planned this build: run it again" in (
        stale.stderr
    )


def test_bare_mode_refuses_files_named_on_the_command_line(tmp_path):
    """A go command that names its files builds those alone: GOFLAGS cannot
    add the file that sets up OpenTelemetry, and the link would fail on
    hooks no package provides. toolexec-flags says so before any build."""
    refused = otel("toolexec-flags", "cmd/app/main.go")
    assert refused.returncode != 0
    assert "otel toolexec-flags cannot instrument files named on the command line (cmd/app/main.go)" in refused.stderr
    assert "`otel go build cmd/app/main.go`" in refused.stderr and not refused.stdout
