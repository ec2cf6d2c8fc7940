"""`otel view` with the README's demo: testdata/hello built by `otel go
build`, exporting to the viewer, whose tree is read off a real terminal
(a tmux pane of 80 columns)."""

from __future__ import annotations

import re
import subprocess

import harness
import pytest
from tmux import Tmux, have_tmux

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not have_tmux(), reason="tmux is not installed (apt-get install tmux)"),
]

DURATION = r"\d+(?:\.\d+)?(?:ns|µs|ms|s)"


@pytest.fixture(scope="module")
def hello(tmp_path_factory, testdata):
    out = tmp_path_factory.mktemp("view-hello") / "hello"
    harness.check_build(harness.otel_build(testdata / "hello", "-o", str(out), "."))
    return out


def assert_hello_tree(screen: str) -> None:
    """The header, the client span and the server span under it."""
    lines = screen.splitlines()
    top = next((i for i, x in enumerate(lines) if x.startswith("trace ")), None)
    assert top is not None, screen
    assert re.match(rf"trace [0-9a-f]{{32}}  hello  {DURATION}  2 spans$", lines[top]), screen
    assert re.match(rf"GET +client +{DURATION} [━╸╺]", lines[top + 1]), screen
    assert re.match(r"│  GET http://127\.0\.0\.1:\d+/hello/gopher  status=200$", lines[top + 2]), screen
    assert re.match(rf"└─ GET /hello/\{{name\}} +server +{DURATION} +[━╸╺]", lines[top + 3]), screen
    assert "route=/hello/{name}" in lines[top + 4] and "status=200" in lines[top + 4], screen
    assert max(len(x) for x in lines) <= 80, screen


def test_hello_exporting_to_the_viewer_in_a_terminal(hello):
    port = harness.free_port()
    cmd = harness.view_command("--traces", "1", "--http-port", str(port), "--grpc-port", "0")
    with Tmux(cmd, harness.view_env(), width=80) as term:
        term.wait_for("listening on")
        env = {
            "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{port}",
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf",
        }
        run = subprocess.run(
            [str(hello)], env=harness.clean_env(env), capture_output=True, text=True, timeout=60, check=False
        )
        assert (run.returncode, run.stdout) == (0, "200 OK hello, gopher\n"), run.stderr
        code, screen = term.wait_exit()
    assert code == 0, screen
    assert_hello_tree(screen)


def test_readme_demo_runs_hello_under_the_viewer(hello):
    # The README's form: the viewer runs the program itself, so it is
    # listening before the program exports.
    cmd = harness.view_command("--once", "--http-port", str(harness.free_port()), "--grpc-port", "0", "--", str(hello))
    with Tmux(cmd, harness.view_env(), width=80) as term:
        code, screen = term.wait_exit()
    assert code == 0, screen
    assert "200 OK hello, gopher" in screen
    assert_hello_tree(screen)
