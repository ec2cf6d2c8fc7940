"""The binary links the versions the user chose (issue: no silent
dependency upgrades). Programs whose go.mod holds older gRPC, x/net,
protobuf or OpenTelemetry are built with `otel go build`: every module of
the user's build list (`go list -m all`) has the same version in the
binary (`go version -m`), because otelgo picks the newest OpenTelemetry
release set whose requirements fit (rules/otelsets.json); the programs run
and are traced end to end. Where no set fits, the build stops before
compiling with exit status 2 and says which module and the two ways out;
--allow-upgrades builds it and the summary lists the change.

testdata/olddeps: an HTTP server asking its own gRPC health server
(grpc.Dial) and pinging itself; go.mod = grpc 1.64.0 with the x/net v0.22.0
it came with (the issue's case), grpc161.mod = the lowest gRPC the grpc
rules claim, grpc156.mod = grpc 1.56.3, older than any set allows.
testdata/oldotel: a hybrid program on OpenTelemetry v1.28.0 that sets up
its own SDK.
"""

from __future__ import annotations

import json
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


def binary_versions(binary: Path) -> dict[str, str]:
    r"""module path -> version, from `go version -m` ("\tdep\tPATH\tVERSION\tSUM")."""
    info = subprocess.run([harness.find_go(), "version", "-m", str(binary)], capture_output=True, text=True, timeout=60)
    assert info.returncode == 0, info.stderr
    fields = [line.split("\t") for line in info.stdout.splitlines()]
    return {f[2]: f[3] for f in fields if len(f) > 3 and f[1] == "dep"}


def assert_versions_kept(binary: Path, module: Path, modfile: str | None = None) -> dict[str, str]:
    user, linked = build_list(module, modfile), binary_versions(binary)
    changed = {m: (user[m], v) for m, v in linked.items() if m in user and user[m] != v}
    assert not changed, changed
    return linked


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return resp.status, resp.read().decode()


@pytest.fixture(scope="module", params=["go.mod", "grpc161.mod"])
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
    want = "v1.64.0" if modfile is None else "v1.61.1"
    assert linked["google.golang.org/grpc"] == want
    # The OpenTelemetry otelgo added is one that fits: the oldest set here.
    assert linked["go.opentelemetry.io/otel/sdk"] == "v1.24.0", linked
    assert "OpenTelemetry: release set of core v1.24.0; your modules keep their versions" in result.stderr
    assert "upgraded" not in result.stderr
    # The log export needs a newer OpenTelemetry: said, not built.
    assert "log/slog is left uninstrumented (otelgo.dev/rules/slog): it needs go.opentelemetry.io/" in result.stderr


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
        assert span.scope_name == "otelgo.dev/rules/grpc"


def test_build_is_reproducible(olddeps, tmp_path):
    """The same inputs choose the same set and give the same bits."""
    out, modfile, _ = olddeps
    again = tmp_path / "app"
    args = ["-trimpath", *([f"-modfile={modfile}"] if modfile else [])]
    harness.check_build(harness.otel_build(OLDDEPS, *args, "-o", str(again), "./cmd/app"))
    assert again.read_bytes() == out.read_bytes()


def test_no_set_fits_stops_before_compiling(tmp_path):
    out = tmp_path / "app"
    result = harness.otel_build(OLDDEPS, "-modfile=grpc156.mod", "-o", str(out), "./cmd/app")
    assert result.returncode == 2, result.stderr
    assert not out.exists()
    err = result.stderr
    assert "otel: no release of OpenTelemetry that otelgo supports fits this module's build list" in err, err
    assert "otel:   google.golang.org/grpc: you have v1.56.3, the instrumentation needs v1.61.1" in err, err
    assert "google.golang.org/grpc@v1.61.1" in err.splitlines()[-1] and "--allow-upgrades" in err, err

    as_json = harness.otel_build(OLDDEPS, "--json", "-modfile=grpc156.mod", "-o", str(out), "./cmd/app")
    assert as_json.returncode == 2
    data = json.loads(as_json.stdout)
    assert {"module": "google.golang.org/grpc", "from": "v1.56.3", "to": "v1.61.1"} in data["changed"], data


def test_allow_upgrades_builds_and_lists_the_changes(tmp_path, receiver, run_program):
    out = tmp_path / "app"
    result = harness.check_build(
        harness.otel_build(OLDDEPS, "--allow-upgrades", "-modfile=grpc156.mod", "-o", str(out), "./cmd/app")
    )
    linked = binary_versions(out)
    assert linked["google.golang.org/grpc"] != "v1.56.3"
    assert f"upgraded google.golang.org/grpc v1.56.3 → {linked['google.golang.org/grpc']}" in result.stderr
    summary = json.loads(
        harness.check_build(
            harness.otel_build(
                OLDDEPS, "--allow-upgrades", "--json", "-modfile=grpc156.mod", "-o", str(out), "./cmd/app"
            )
        ).stdout
    )
    changed = {c["module"]: (c["from"], c["to"]) for c in summary["changed"]}
    assert changed["google.golang.org/grpc"] == ("v1.56.3", linked["google.golang.org/grpc"])
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
