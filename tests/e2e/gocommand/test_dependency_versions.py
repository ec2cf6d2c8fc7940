"""The binary links the versions the user chose (issue: no silent
dependency upgrades). Programs whose go.mod holds older gRPC, x/net,
protobuf or OpenTelemetry are built with `otel go build`: every module of
the user's build list (`go list -m all`) has the same version in the
binary (`go version -m`), because otelgo picks the newest OpenTelemetry
release set whose requirements fit (rules/otelsets.json), or, older than
every set, builds the oldest set against the program's versions
(plan/fitted.py); the programs run and are traced end to end. Where the
program's own OpenTelemetry is older than every set, the build stops
before compiling with exit status 2 and says which module and the two ways
out; --allow-upgrades builds it and the summary lists the change.

testdata/olddeps: an HTTP server asking its own gRPC health server
(grpc.Dial, unary) and listing its services (server reflection, a
bidirectional stream), and pinging itself; go.mod = grpc 1.64.0 with the
x/net v0.22.0 it came with (the issue's case), grpc161.mod = the oldest
gRPC a release set fits as released, grpc156.mod = grpc 1.56.3 and
grpc150.mod = grpc 1.50.0 (the lowest the grpc rules claim, with protobuf
1.27 and the x/net and x/sys of 2020-21), older than any set's
requirements; otel119.mod = grpc 1.64 and OpenTelemetry v1.19.0.
testdata/oldotel: a hybrid program on OpenTelemetry v1.28.0 that sets up
its own SDK.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request
from pathlib import Path

import harness
import pytest
from otlp import by_trace, format_spans, one

pytestmark = pytest.mark.e2e

OLDDEPS = harness.TESTDATA / "olddeps"
OLDOTEL = harness.TESTDATA / "oldotel"
METHOD = "grpc.health.v1.Health/Check"
REFLECTION = "grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"


def build_list(module: Path, modfile: str | None = None) -> dict[str, str]:
    """`go list -m all` of the user's module: path -> version."""
    args = [harness.find_go(), "list", "-m", "-json", *([f"-modfile={modfile}"] if modfile else []), "all"]
    out = subprocess.run(args, cwd=module, capture_output=True, text=True, timeout=120, env=harness.clean_env())
    assert out.returncode == 0, out.stderr
    found, decoder, text, pos = {}, json.JSONDecoder(), out.stdout, 0
    while pos < len(text.rstrip()):
        while text[pos].isspace():
            pos += 1
        m, pos = decoder.raw_decode(text, pos)
        if not m.get("Main"):
            found[m["Path"]] = m["Version"]
    return found


def assert_versions_kept(binary: Path, module: Path, modfile: str | None = None) -> dict[str, str]:
    user, linked = build_list(module, modfile), harness.build_info(binary).modules
    changed = {m: (user[m], v) for m, v in linked.items() if m in user and user[m] != v}
    assert not changed, changed
    return linked


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return resp.status, resp.read().decode()


# modfile -> the gRPC it holds, and whether the set is fitted to it.
OLDDEPS_MODFILES = {
    "go.mod": ("v1.64.0", False),
    "grpc161.mod": ("v1.61.1", False),
    "grpc156.mod": ("v1.56.3", True),
    "grpc150.mod": ("v1.50.0", True),
}


@pytest.fixture(scope="module", params=list(OLDDEPS_MODFILES))
def olddeps(request, tmp_path_factory):
    out = tmp_path_factory.mktemp("olddeps") / "app"
    modfile = None if request.param == "go.mod" else request.param
    # -trimpath: test_build_is_reproducible builds the same again.
    args = ["-trimpath", *([f"-modfile={modfile}"] if modfile else [])]
    before = {p: p.read_bytes() for p in OLDDEPS.iterdir() if p.is_file()}
    result = harness.check_build(harness.otel_build(OLDDEPS, *args, "-o", str(out), "./cmd/app"))
    assert {p: p.read_bytes() for p in OLDDEPS.iterdir() if p.is_file()} == before
    return out, modfile, result


def test_old_grpc_and_x_net_keep_their_versions(olddeps):
    out, modfile, result = olddeps
    linked = assert_versions_kept(out, OLDDEPS, modfile)
    want, fitted = OLDDEPS_MODFILES[modfile or "go.mod"]
    assert linked["google.golang.org/grpc"] == want
    # The OpenTelemetry otelgo added is one that fits: the oldest set here.
    assert linked["go.opentelemetry.io/otel/sdk"] == "v1.24.0", linked
    assert "upgraded" not in result.stderr
    replaced = harness.build_info(out).replaced
    if fitted:
        # Built from copies whose go.mod asks for the program's versions.
        assert "built against your older modules" in result.stderr, result.stderr
        assert "; your modules keep their versions" in result.stderr
        assert replaced["go.opentelemetry.io/otel/sdk"].endswith("go.opentelemetry.io/otel/sdk@v1.24.0"), replaced
        assert "google.golang.org/grpc" not in replaced
    else:
        assert "OpenTelemetry: release set of core v1.24.0; your modules keep their versions" in result.stderr
        assert not [m for m in replaced if m.startswith("go.opentelemetry.io/")], replaced
    # The log export needs a newer OpenTelemetry: said, not built.
    assert "log/slog is left uninstrumented (otelgo.dev/rules/slog): it needs go.opentelemetry.io/" in result.stderr
    # The program's own gRPC is built as go build builds it, x/net/trace
    # included (test_sdk_dependencies.py: without it where gRPC is otelgo's).
    assert "grpcnotrace" not in harness.build_info(out).settings.get("-tags", "")
    names = harness.go("tool", "nm", str(out), cwd=out.parent)
    assert names.returncode == 0, names.stderr
    assert "golang.org/x/net/trace." in names.stdout


def test_old_grpc_is_traced_end_to_end(olddeps, receiver, run_program):
    out, modfile, _ = olddeps
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}
    with run_program(out, env=env) as app:
        assert get(app.url + "/check/shop") == (200, "SERVING\n")
        spans = receiver.wait_for_spans(5)
    assert len(by_trace(spans)) == 1, format_spans(spans)
    http_server = one(spans, name="GET /check/{service}")
    client, server = one(spans, kind="CLIENT", name=METHOD), one(spans, kind="SERVER", name=METHOD)
    ping_client = one(spans, kind="CLIENT", name="GET")
    ping_server = one(spans, kind="SERVER", name="GET /ping")
    assert client.parent_span_id == http_server.span_id
    assert server.parent_span_id == client.span_id
    assert ping_client.parent_span_id == http_server.span_id
    assert ping_server.parent_span_id == ping_client.span_id
    for span in (client, server):
        assert span.attributes["rpc.system.name"] == "grpc"
        assert span.attributes["rpc.method"] == METHOD
        assert span.attributes["rpc.response.status_code"] == "OK"
        assert span.attributes["server.address"] == "127.0.0.1"
        assert span.scope_name == "otelgo.dev/rules/grpc"


def test_old_grpc_streams_are_traced(olddeps, receiver, run_program):
    """A bidirectional stream: one CLIENT and one SERVER span for the whole
    stream, ended when it ends, in the request's trace."""
    out, _, _ = olddeps
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}
    with run_program(out, env=env) as app:
        status, body = get(app.url + "/services")
        assert status == 200 and "grpc.health.v1.Health" in body.split(), body
        spans = receiver.wait_for_spans(3)
    assert len(by_trace(spans)) == 1, format_spans(spans)
    http_server = one(spans, name="GET /services")
    client, server = one(spans, kind="CLIENT", name=REFLECTION), one(spans, kind="SERVER", name=REFLECTION)
    assert client.parent_span_id == http_server.span_id
    assert server.parent_span_id == client.span_id
    for span in (client, server):
        assert span.attributes["rpc.method"] == REFLECTION
        assert span.attributes["rpc.response.status_code"] == "OK"
        assert span.status_code == "UNSET"
    assert client.start_ns <= server.start_ns and server.end_ns <= client.end_ns <= http_server.end_ns


def test_build_is_reproducible(olddeps, tmp_path):
    """The same inputs choose the same set and give the same bits."""
    out, modfile, _ = olddeps
    again = tmp_path / "app"
    args = ["-trimpath", *([f"-modfile={modfile}"] if modfile else [])]
    harness.check_build(harness.otel_build(OLDDEPS, *args, "-o", str(again), "./cmd/app"))
    assert again.read_bytes() == out.read_bytes()


def test_fitted_set_in_json(tmp_path):
    """Only OpenTelemetry's side is fitted: the Prometheus exporter, whose
    client_golang would need a newer xxhash and client_model than gRPC
    1.50's build list has, is left out, and said to be; the OTLP/gRPC
    exporters, which need only what the SDK needs, are fitted too."""
    out = tmp_path / "app"
    args = ["--json", "--exporters", "otlp,prometheus", "-modfile=grpc150.mod", "-o", str(out), "./cmd/app"]
    summary = json.loads(harness.check_build(harness.otel_build(OLDDEPS, *args)).stdout)
    assert summary["opentelemetry"] == "v1.24.0"
    assert "go.opentelemetry.io/otel/sdk@v1.24.0" in summary["opentelemetry_fitted"], summary
    assert "go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc@v1.24.0" in summary["opentelemetry_fitted"]
    assert not [m for m in summary["opentelemetry_fitted"] if not m.startswith(FITTABLE)], summary
    assert summary["changed"] == []
    assert summary["exporters"] == ["otlp", "otlp-grpc"], summary["exporters"]
    assert [line for line in summary["release_left_out"] if line.startswith("the Prometheus exporter")], summary


def test_a_workspace_keeps_its_versions_too(tmp_path, receiver, run_program):
    """The same choice in workspace mode (go.work): gRPC 1.64 with its x/net
    gets the set that fits, and is traced; older than every set, a
    workspace gets the message and its ways out (fitting is for module mode
    only)."""
    app = tmp_path / "ws" / "app"
    shutil.copytree(OLDDEPS, app)
    harness.check_build(harness.go("work", "init", "./app", cwd=app.parent))
    out = tmp_path / "app"
    result = harness.check_build(harness.otel_build(app, "-o", str(out), "./cmd/app"))
    linked = assert_versions_kept(out, app)
    assert linked["google.golang.org/grpc"] == "v1.64.0"
    assert linked["go.opentelemetry.io/otel/sdk"] == "v1.24.0", linked
    assert "your modules keep their versions" in result.stderr, result.stderr
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}
    with run_program(out, env=env) as running:
        assert get(running.url + "/check/shop") == (200, "SERVING\n")
        spans = receiver.wait_for_spans(5)
    assert len(by_trace(spans)) == 1, format_spans(spans)
    assert one(spans, kind="SERVER", name=METHOD).parent_span_id == one(spans, kind="CLIENT", name=METHOD).span_id

    (app / "go.mod").write_text((OLDDEPS / "grpc156.mod").read_text())
    (app / "go.sum").write_text((OLDDEPS / "grpc156.sum").read_text())
    refused = harness.otel_build(app, "-o", str(out), "./cmd/app")
    assert refused.returncode == 2, refused.stderr
    assert "otel:   google.golang.org/grpc: you have v1.56.3, the instrumentation needs v1.61.1" in refused.stderr
    assert "module mode only, not in a workspace" in refused.stderr, refused.stderr


# What otelgo may fit: OpenTelemetry's modules and those they alone bring.
FITTABLE = ("go.opentelemetry.io/", "github.com/grpc-ecosystem/grpc-gateway/", "github.com/cenkalti/backoff/")


def test_no_set_fits_stops_before_compiling(tmp_path):
    """The program's own OpenTelemetry (v1.19.0) is older than every set's:
    otelgo does not lower it, nor build the set against it."""
    out = tmp_path / "app"
    result = harness.otel_build(OLDDEPS, "-modfile=otel119.mod", "-o", str(out), "./cmd/app")
    assert result.returncode == 2, result.stderr
    assert not out.exists()
    err = result.stderr
    assert "otel: no release of OpenTelemetry that otelgo supports fits this module's build list" in err, err
    assert "otel:   go.opentelemetry.io/otel: you have v1.19.0, the instrumentation needs v1.24.0" in err, err
    assert "go.opentelemetry.io/otel@v1.24.0" in err.splitlines()[-1] and "--allow-upgrades" in err, err

    as_json = harness.otel_build(OLDDEPS, "--json", "-modfile=otel119.mod", "-o", str(out), "./cmd/app")
    assert as_json.returncode == 2
    data = json.loads(as_json.stdout)
    assert {"module": "go.opentelemetry.io/otel", "from": "v1.19.0", "to": "v1.24.0"} in data["changed"], data


def test_allow_upgrades_builds_and_lists_the_changes(tmp_path, receiver, run_program):
    out = tmp_path / "app"
    result = harness.check_build(
        harness.otel_build(OLDDEPS, "--allow-upgrades", "-modfile=otel119.mod", "-o", str(out), "./cmd/app")
    )
    linked = harness.build_info(out).modules
    assert linked["go.opentelemetry.io/otel"] != "v1.19.0"
    assert f"upgraded go.opentelemetry.io/otel v1.19.0 → {linked['go.opentelemetry.io/otel']}" in result.stderr
    summary = json.loads(
        harness.check_build(
            harness.otel_build(
                OLDDEPS, "--allow-upgrades", "--json", "-modfile=otel119.mod", "-o", str(out), "./cmd/app"
            )
        ).stdout
    )
    changed = {c["module"]: (c["from"], c["to"]) for c in summary["changed"]}
    assert changed["go.opentelemetry.io/otel"] == ("v1.19.0", linked["go.opentelemetry.io/otel"])
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}
    with run_program(out, env=env) as app:
        assert get(app.url + "/check/shop") == (200, "SERVING\n")
        receiver.wait_for_spans(5)


def test_hybrid_program_on_opentelemetry_v1_28(tmp_path, receiver):
    """The program's own SDK (v1.28.0, with its own exporter) stays; the
    automatic spans join its traces."""
    out = tmp_path / "owntp"
    result = harness.check_build(harness.otel_build(OLDOTEL, "-o", str(out), "./cmd/owntp"))
    linked = assert_versions_kept(out, OLDOTEL)
    assert linked["go.opentelemetry.io/otel"] == "v1.28.0"
    assert linked["go.opentelemetry.io/otel/sdk"] == "v1.28.0"
    assert linked["google.golang.org/grpc"] == "v1.64.0"
    assert "your modules keep their versions" in result.stderr
    with harness.TargetServer() as backend:
        env = {
            "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint,
            "OTEL_BSP_SCHEDULE_DELAY": "100",
            "BACKEND_URL": backend.url + "/data",
        }
        with harness.run_program(out, env=env) as prog:
            assert get(prog.url + "/work")[0] == 200
            spans = receiver.wait_for_spans(3)
    assert {s.service_name for s in spans} == {"owntp-service"}
    assert len(by_trace(spans)) == 1, format_spans(spans)
    own = one(spans, name="own-span")
    client = one(spans, kind="CLIENT")
    server = one(spans, kind="SERVER")
    assert own.parent_span_id == server.span_id and client.parent_span_id == own.span_id
    assert backend.requests[0].headers["traceparent"].split("-")[2] == client.span_id
