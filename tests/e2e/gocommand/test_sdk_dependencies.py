"""What the SDK's own dependencies bring to a program that does not have
them: only what the exporters need.

The OTLP exporters import gRPC and protobuf even over http/protobuf. In a
program without either (testdata/control, a net/http server on
http.DefaultServeMux):

- gRPC is built without golang.org/x/net/trace (-tags grpcnotrace, added to
  the user's tags): x/net/trace would add /debug/requests and
  /debug/events to the program's DefaultServeMux, which `go build` of the
  same program answers with 404;
- protobuf is v1.36.12 at least, the first that does not keep, with Go
  1.26's reflect, every exported method of every type in the binary.

In a program that uses gRPC itself, or has protobuf, neither happens
(test_dependency_versions.py: testdata/olddeps keeps x/net/trace and every
module's version).
"""

from __future__ import annotations

import urllib.error
import urllib.request

import harness
import pytest

pytestmark = pytest.mark.e2e

CONTROL = harness.TESTDATA / "control"


def symbols(binary) -> str:
    proc = harness.go("tool", "nm", str(binary), cwd=binary.parent)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def control(tmp_path_factory):
    out = tmp_path_factory.mktemp("sdkdeps") / "control"
    harness.check_build(harness.otel_build(CONTROL, "-tags", "mine other", "-o", str(out), "."))
    return out


def test_grpc_without_x_net_trace_and_the_users_tags_kept(control):
    info = harness.build_info(control)
    assert info.settings["-tags"] == "mine,other,grpcnotrace"
    assert "google.golang.org/grpc" in info.modules  # the exporters' configuration links it
    names = symbols(control)
    assert "golang.org/x/net/trace." not in names
    # Method dead code elimination still works: nothing keeps reflect's
    # method iterator (text/template's lookups, protobuf before v1.36.12).
    assert "reflect.(*rtype).Methods.func1" not in names


def test_protobuf_new_to_the_program_is_the_fixed_release(control):
    version = harness.build_info(control).modules["google.golang.org/protobuf"]
    major, minor, patch = (int(n) for n in version.removeprefix("v").split("-")[0].split("."))
    assert (major, minor, patch) >= (1, 36, 12), version


def test_default_mux_has_no_handlers_of_otelgos(control):
    with harness.TargetServer() as target:
        with harness.run_program(control, env={"TARGET_URL": target.url, "OTEL_SDK_DISABLED": "true"}) as prog:
            with urllib.request.urlopen(prog.url + "/healthz", timeout=30) as resp:
                assert resp.status == 200
            for path in ("/debug/requests", "/debug/events"):
                with pytest.raises(urllib.error.HTTPError) as e:
                    urllib.request.urlopen(prog.url + path, timeout=30)
                assert e.value.code == 404, path
