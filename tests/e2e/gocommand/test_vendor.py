"""Vendor mode: a module with vendor/ builds offline from it, and otelgo
writes neither vendor/ nor go.mod/go.sum.

testdata/vendored (gorilla/mux, and a module replaced by a directory) is
copied and vendored with the real `go mod vendor`; the copy is then built
with GOPROXY=off, both with -mod=vendor and with the go command's own
default (go >= 1.14 and a vendor/ directory: vendor mode), and the program
runs against a real OTLP receiver.
"""

from __future__ import annotations

import http.client
import shutil
import subprocess

import harness
import pytest

OFFLINE = {"GOPROXY": "off", "GOFLAGS": "-mod=vendor"}


@pytest.fixture(scope="module")
def vendored(tmp_path_factory):
    """A copy of testdata/vendored with its vendor/ directory, and a
    snapshot of the copy's tree taken before any otel build. The vendored
    copy of example.com/greeting is patched, as users patch vendored code:
    what the program answers tells which copy was built."""
    module = tmp_path_factory.mktemp("vendored") / "app"
    shutil.copytree(harness.TESTDATA / "vendored", module)
    proc = subprocess.run(
        [harness.find_go(), "mod", "vendor"],
        cwd=module,
        capture_output=True,
        text=True,
        env=harness.clean_env({"GOFLAGS": "-mod=mod"}),
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert (module / "vendor" / "github.com" / "gorilla" / "mux" / "mux.go").is_file()
    assert "# example.com/greeting v0.0.0 => ./greeting" in (module / "vendor" / "modules.txt").read_text()
    greeting = module / "vendor" / "example.com" / "greeting" / "greeting.go"
    greeting.write_text(greeting.read_text().replace('"hello "', '"vendored hello "'))
    return module, harness.tree_snapshot(module)


def serve_one_request(binary, receiver, run_program, answer):
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}
    with run_program(binary, env=env) as prog:
        conn = http.client.HTTPConnection("127.0.0.1", prog.port, timeout=15)
        conn.request("GET", "/hello/gopher")
        resp = conn.getresponse()
        assert (resp.status, resp.read()) == (200, answer)
        conn.close()
        receiver.wait_for_spans(1)
    (span,) = [s for s in receiver.spans if s.kind == "SERVER"]
    return span


@pytest.mark.parametrize("mode", ["flag", "goflags", "default"])
def test_vendored_module_builds_offline_and_traces(vendored, mode, tmp_path, receiver, run_program):
    module, before = vendored
    args, env = ["-o", str(tmp_path / "app")], {"GOPROXY": "off", "GOFLAGS": None}
    if mode == "flag":
        args.insert(0, "-mod=vendor")
    elif mode == "goflags":
        env["GOFLAGS"] = "-mod=vendor"
    result = harness.check_build(harness.otel_build(module, *args, ".", env=env))
    assert "github.com/gorilla/mux v1.8.1" in result.stderr, result.stderr
    assert harness.diff_snapshots(before, harness.tree_snapshot(module)) == ""

    span = serve_one_request(tmp_path / "app", receiver, run_program, b"vendored hello gopher\n")
    assert span.name == "GET /hello/{name}", span.short()
    assert span.attributes["http.route"] == "/hello/{name}"
    assert span.attributes["url.path"] == "/hello/gopher"
    assert span.scope_name == "otelgo.dev/rules/nethttp"


def test_missing_hook_modules_are_named_with_what_to_run(vendored, tmp_path):
    """Offline with an empty module cache the hook packages' modules are
    nowhere: the build stops before compiling, says which and how to get
    them, and leaves the tree alone."""
    module, before = vendored
    env = dict(OFFLINE, GOMODCACHE=str(tmp_path / "empty-modcache"))
    result = harness.otel_build(module, "-o", str(tmp_path / "app"), ".", env=env)
    assert result.returncode != 0
    assert "neither in vendor/ nor in the module cache" in result.stderr, result.stderr
    assert "go.opentelemetry.io/otel/sdk@v1.41.0" in result.stderr
    assert "mod download" in result.stderr
    assert not (tmp_path / "app").exists()
    assert harness.diff_snapshots(before, harness.tree_snapshot(module)) == ""


def test_mod_mod_leaves_vendor_out(vendored, tmp_path, receiver, run_program):
    """-mod=mod is the user's way to build without vendor/: honoured (the
    replaced module comes from ./greeting, not from its patched copy)."""
    module, before = vendored
    harness.check_build(harness.otel_build(module, "-mod=mod", "-o", str(tmp_path / "app"), ".", env={"GOFLAGS": None}))
    assert harness.diff_snapshots(before, harness.tree_snapshot(module)) == ""
    span = serve_one_request(tmp_path / "app", receiver, run_program, b"hello gopher\n")
    assert span.attributes["http.route"] == "/hello/{name}"


def test_mod_vendor_without_a_vendor_directory_where_nothing_is_required(tmp_path, receiver, run_program):
    """A module that requires nothing builds with -mod=vendor and no vendor/
    (go asks for modules.txt only when there is a module to vendor): so does
    otel, offline, traced, writing nothing into the module (it failed on the
    missing modules.txt)."""
    module = tmp_path / "hello"
    shutil.copytree(harness.TESTDATA / "hello", module)
    before = harness.tree_snapshot(module)
    env = {"GOPROXY": "off", "GOFLAGS": None}
    assert harness.go("build", "-mod=vendor", "-o", str(tmp_path / "plain"), ".", cwd=module, env=env).returncode == 0
    harness.check_build(harness.otel_build(module, "-mod=vendor", "-o", str(tmp_path / "app"), ".", env=env))
    assert harness.diff_snapshots(before, harness.tree_snapshot(module)) == ""
    run_env = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}
    with run_program(tmp_path / "app", env=run_env, listen=False) as prog:
        assert prog.wait() == 0, prog.stderr
    spans = receiver.wait_for_spans(lambda s: {"CLIENT", "SERVER"} <= {x.kind for x in s})
    assert next(s for s in spans if s.kind == "SERVER").name == "GET /hello/{name}"
