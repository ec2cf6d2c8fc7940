"""Every form of the go command line works with otel in front: files named
on the command line (`go build main.go`, `go run main.go`), `-C dir`,
several programs into `-o dir/`, and a package path instead of a pattern.
A main package of another module (built by its import path, or installed
and run as pkg@version) and `otel go install` are in test_install.py."""

from __future__ import annotations

import subprocess
import sys

import harness

HELLO = harness.TESTDATA / "hello"


def test_build_named_files(tmp_path, receiver):
    harness.check_build(harness.otel_go("build", "-o", str(tmp_path / "hello"), "main.go", cwd=HELLO))
    harness.assert_hello_traced(tmp_path / "hello", receiver)


def test_build_named_files_by_absolute_path(tmp_path, receiver):
    harness.check_build(harness.otel_go("build", "-o", str(tmp_path / "hello"), str(HELLO / "main.go"), cwd=HELLO))
    harness.assert_hello_traced(tmp_path / "hello", receiver)


def test_run_named_files_with_arguments(receiver):
    proc = harness.otel_go("run", "main.go", cwd=HELLO, env={"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint})
    assert proc.returncode == 0, proc.stderr
    assert "hello, gopher" in proc.stdout
    spans = receiver.wait_for_spans(lambda s: {"CLIENT", "SERVER"} <= {x.kind for x in s})
    assert {s.service_name for s in spans} == {"main"}  # go run names the binary after the file


def test_run_named_files_outside_any_module(tmp_path, receiver):
    """With no go.mod, go runs named files against the standard library: so
    does otel, traced, and the directory keeps only its file. -mod, which
    changes nothing there, does not stop it either (the workspace otel
    builds in would refuse -mod=mod)."""
    (tmp_path / "main.go").write_bytes((HELLO / "main.go").read_bytes())
    proc = harness.otel_go(
        "run",
        "-mod=vendor",
        "main.go",
        cwd=tmp_path,
        env={"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "GOFLAGS": "-mod=mod -trimpath"},
    )
    assert proc.returncode == 0, proc.stderr
    assert "hello, gopher" in proc.stdout
    spans = receiver.wait_for_spans(lambda s: {"CLIENT", "SERVER"} <= {x.kind for x in s})
    server = next(s for s in spans if s.kind == "SERVER")
    assert server.name == "GET /hello/{name}"
    assert [p.name for p in tmp_path.iterdir()] == ["main.go"]


def test_outside_any_module_go_refuses_and_so_does_otel(tmp_path):
    """What go refuses there (a package no module provides, a directory
    without go.mod) otel refuses with go's words and exit status, rather
    than building it against otelgo's own modules."""
    (tmp_path / "main.go").write_text(
        'package main\n\nimport "go.opentelemetry.io/otel"\n\nfunc main() { _ = otel.GetTracerProvider() }\n'
    )
    for args in (["run", "main.go"], ["build", "."]):
        plain = harness.go(*args, cwd=tmp_path)
        otel = harness.otel_go(*args, cwd=tmp_path)
        assert plain.returncode != 0, plain.stderr
        assert otel.returncode == plain.returncode, otel.stderr
        assert otel.stderr == plain.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["main.go"]


def test_dash_c_changes_directory_first(tmp_path, receiver):
    harness.check_build(harness.otel_go("build", "-C", str(HELLO), "-o", str(tmp_path / "hello"), ".", cwd=tmp_path))
    harness.assert_hello_traced(tmp_path / "hello", receiver)


def test_several_programs_into_a_directory(tmp_path):
    out = tmp_path / "bin"
    result = harness.check_build(
        harness.otel_go("build", "-o", f"{out}/", "./cmd/frontend", "./cmd/backend", cwd=harness.TESTDATA / "httpchain")
    )
    assert sorted(p.name for p in out.iterdir()) == ["backend", "frontend"]
    assert "for 2 programs" in result.stderr


def test_a_library_package_path_builds_as_go_builds_it():
    """A library package named by its import path: go build compiles it and
    writes nothing; so does otel go build."""
    for tool in (["go"], [sys.executable, "-m", "otelgo", "go"]):
        proc = subprocess.run(
            [*tool, "build", "net/http"],
            cwd=HELLO,
            env=harness.clean_env({"PYTHONPATH": str(harness.REPO_ROOT)}),
            capture_output=True,
            text=True,
            timeout=harness.BUILD_TIMEOUT,
        )
        assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in HELLO.iterdir()) == ["go.mod", "main.go"]
