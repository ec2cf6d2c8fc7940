"""Every go build mode that compiles the standard library anew, with real
programs (testdata/buildmodes): -race, -fuzz, PGO (default.pgo in the main
package and -pgo=FILE), -buildmode=pie, c-shared (a C host loads the
library, whose bootstrap sets the SDK up as it loads) and plugin (no SDK of
its own: the host's, an otelgo build too, traces the plugin's hooks; a
plain host is refused by the go runtime), -trimpath, GOEXPERIMENT,
GOAMD64=v3 and -a. Each builds, runs, and its spans arrive.

A lane outside the default run: OTELGO_BUILDMODES=1 pytest tests/e2e/buildmodes
(tests/README.md says how long it takes)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import harness
import pytest

MODULE = harness.TESTDATA / "buildmodes"


def otel(*args, cwd=MODULE, env=None):
    full = harness.clean_env(env)
    full["PYTHONPATH"] = str(harness.REPO_ROOT)
    return subprocess.run(
        [sys.executable, "-m", "otelgo", *args], cwd=cwd, env=full, capture_output=True, text=True, timeout=1800
    )


def go(*args, cwd=MODULE, env=None):
    return subprocess.run(
        [harness.find_go(), *args], cwd=cwd, env=harness.clean_env(env), capture_output=True, text=True, timeout=1800
    )


def build(out, *flags, cwd=MODULE, env=None, package="./cmd/app"):
    result = otel("go", "build", *flags, "-o", str(out), package, cwd=cwd, env=env)
    harness.check_build(result)
    return result


def run_app(binary, receiver, env=None) -> subprocess.CompletedProcess:
    """Run cmd/app against a target; its fetch.body span is the parent of the
    CLIENT span, whose traceparent the target got."""
    with harness.TargetServer() as target:
        run = subprocess.run(
            [str(binary)],
            capture_output=True,
            text=True,
            timeout=60,
            env=harness.clean_env(
                {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "TARGET_URL": target.url, **(env or {})}
            ),
        )
        sent = target.requests[0].headers.get("traceparent", "") if target.requests else ""
    spans = receiver.wait_for_spans(lambda s: {"INTERNAL", "CLIENT"} <= {x.kind for x in s})
    body = next(s for s in spans if s.name == "fetch.body")
    client = next(s for s in spans if s.kind == "CLIENT")
    assert client.parent_span_id == body.span_id and sent.split("-")[2] == client.span_id
    return run


def build_info(binary) -> str:
    info = go("version", "-m", str(binary))
    assert info.returncode == 0, info.stderr
    return info.stdout


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    """A CPU profile of the benchmark, from a plain go test: PGO's input."""
    path = tmp_path_factory.mktemp("pgo") / "cpu.pprof"
    made = go("test", "-count=1", "-run=^$", "-bench=.", "-benchtime=300x", f"-cpuprofile={path}", "./fetch")
    assert made.returncode == 0 and path.stat().st_size > 0, made.stdout + made.stderr
    return path


def test_race(receiver):
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "OTEL_METRICS_EXPORTER": "none"}
    result = otel("go", "test", "-count=1", "-race", "-v", "./fetch", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "--- PASS: TestBody" in result.stdout and "DATA RACE" not in result.stdout + result.stderr
    receiver.wait_for_spans(lambda s: "fetch.body" in {x.name for x in s})


def test_fuzz_briefly():
    result = otel("go", "test", "-run=^$", "-fuzz=FuzzWords", "-fuzztime=200x", "./fetch")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^ok\s+example\.com/buildmodes/fetch", result.stdout, re.MULTILINE), result.stdout


def test_pgo_default_profile_in_the_main_package(tmp_path, profile, receiver):
    module = tmp_path / "buildmodes"
    shutil.copytree(MODULE, module)
    shutil.copy(profile, module / "cmd" / "app" / "default.pgo")
    out = tmp_path / "app"
    build(out, cwd=module)
    assert f"-pgo={module / 'cmd' / 'app' / 'default.pgo'}" in build_info(out)
    run_app(out, receiver)


def test_pgo_file(tmp_path, profile, receiver):
    out = tmp_path / "app"
    build(out, f"-pgo={profile}")
    assert f"-pgo={profile}" in build_info(out)
    run_app(out, receiver)


def test_buildmode_pie(tmp_path, receiver):
    out = tmp_path / "app"
    build(out, "-buildmode=pie")
    assert "-buildmode=pie" in build_info(out)
    assert out.read_bytes()[16] == 3  # ELF e_type ET_DYN: position-independent
    run_app(out, receiver)


def test_buildmode_c_shared_loaded_by_a_c_host(tmp_path, receiver):
    lib = tmp_path / "libfetch.so"
    build(lib, "-buildmode=c-shared", package="./cshared")
    host = tmp_path / "chost"
    cc = subprocess.run(
        ["cc", "-o", str(host), str(MODULE / "chost" / "host.c"), "-ldl"], capture_output=True, text=True, timeout=120
    )
    assert cc.returncode == 0, cc.stderr
    with harness.TargetServer() as target:
        run = subprocess.run(
            [str(host), str(lib), target.url + "/cshared"],
            capture_output=True,
            text=True,
            timeout=60,
            env=harness.clean_env(
                {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}
            ),
        )
    assert run.returncode == 0 and run.stdout == "4\n", run.stdout + run.stderr  # len("pong")
    spans = receiver.wait_for_spans(lambda s: {"INTERNAL", "CLIENT"} <= {x.kind for x in s})
    body = next(s for s in spans if s.name == "fetch.body")
    assert next(s for s in spans if s.kind == "CLIENT").parent_span_id == body.span_id
    assert body.service_name == "chost"


def test_buildmode_plugin_traced_by_its_host(tmp_path, receiver):
    plugin = tmp_path / "fetch.so"
    built = build(plugin, "-buildmode=plugin", package="./plugin")
    assert "package main: main, span Fetch" in built.stderr
    host = tmp_path / "host"
    build(host, package="./host")
    with harness.TargetServer() as target:
        run = subprocess.run(
            [str(host)],
            capture_output=True,
            text=True,
            timeout=60,
            env=harness.clean_env(
                {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "PLUGIN": str(plugin), "TARGET_URL": target.url}
            ),
        )
    assert run.returncode == 0 and run.stdout == "pong\n", run.stderr
    assert "otelgo:" not in run.stderr  # no second SDK, no second report of the switches
    spans = receiver.wait_for_spans(lambda s: {"host.run", "plugin.fetch", "fetch.body"} <= {x.name for x in s})
    by_name = {s.name: s for s in spans}
    assert by_name["plugin.fetch"].parent_span_id == by_name["host.run"].span_id
    assert by_name["fetch.body"].parent_span_id == by_name["plugin.fetch"].span_id
    client = next(s for s in spans if s.kind == "CLIENT")
    assert client.parent_span_id == by_name["fetch.body"].span_id
    assert len({s.trace_id for s in spans}) == 1

    # A host that otelgo did not build: the go runtime refuses the plugin.
    plain = tmp_path / "plain-host"
    harness.check_build(harness.go_build(MODULE, "-o", str(plain), "./host"))
    refused = subprocess.run(
        [str(plain)], capture_output=True, text=True, timeout=60, env=harness.clean_env({"PLUGIN": str(plugin)})
    )
    assert refused.returncode == 1 and "plugin was built with a different version of package" in refused.stderr


def test_trimpath(tmp_path, receiver):
    out = tmp_path / "app"
    build(out, "-trimpath")
    assert "-trimpath=true" in build_info(out)
    run = run_app(out, receiver, env={"PANIC": "1"})
    assert run.returncode == 2 and "panic: asked to panic" in run.stderr
    line = harness.line_of(MODULE / "cmd" / "app" / "main.go", 'panic("asked to panic")')
    assert f"example.com/buildmodes/cmd/app/main.go:{line}" in run.stderr, run.stderr
    assert str(harness.REPO_ROOT) not in run.stderr and "/otelgo/" not in run.stderr


def test_goexperiment(tmp_path, receiver):
    out = tmp_path / "app"
    build(out, env={"GOEXPERIMENT": "jsonv2"})
    assert "GOEXPERIMENT=jsonv2" in build_info(out)
    run_app(out, receiver)


def test_goamd64_v3(tmp_path, receiver):
    out = tmp_path / "app"
    build(out, env={"GOAMD64": "v3", "GOARCH": "amd64"})
    assert "GOAMD64=v3" in build_info(out)
    run_app(out, receiver)


def test_a_rebuilds_everything(tmp_path, receiver):
    out = tmp_path / "app"
    result = build(out, "-a", "-x")
    compiled = set(re.findall(r"/compile -o \S+ .*? -p (\S+)", result.stderr))
    assert {"runtime", "net/http", "example.com/buildmodes/fetch", "otelgo.dev/rules/sdk"} <= compiled
    assert "net/http go" in result.stderr  # and instrumented
    run_app(out, receiver)
