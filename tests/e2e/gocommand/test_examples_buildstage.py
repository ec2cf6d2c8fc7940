"""The Dockerfile's and the CI workflow's build step, run here as the script
they run (no Docker engine on these machines): non-interactive, with a fresh
HOME, it installs otelgo and builds an instrumented binary."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import harness


def test_build_stage_script_installs_and_builds_an_instrumented_binary(tmp_path, testdata, receiver):
    app = tmp_path / "src"
    shutil.copytree(testdata / "hello", app)
    home = tmp_path / "home"
    home.mkdir()
    out = tmp_path / "out" / "app"
    env = harness.clean_env(
        {"HOME": str(home), "OTELGO_SRC": str(harness.REPO_ROOT), "APP_DIR": str(app), "PKG": ".", "OUT": str(out)}
    )
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(
        [str(harness.REPO_ROOT / "examples" / "build-stage.sh")],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (home / ".local" / "bin" / "otel").exists()
    # The shim's fast path, built by install.sh under the key the build
    # looked for: the build did not start building it into otelgo's cache.
    assert list((home / ".local" / "share" / "otelgo" / "venv" / "share" / "otelgo" / "shim").glob("*/otelgo-shim"))
    cache = Path(env.get("XDG_CACHE_HOME") or home / ".cache")
    assert not (cache / "otelgo" / "shim").exists()
    run = subprocess.run(
        [str(out)],
        env=harness.clean_env({"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0 and "hello, gopher" in run.stdout
    spans = receiver.wait_for_spans(2)
    assert {s.kind for s in spans} == {"CLIENT", "SERVER"}
    # -trimpath: no path of the build machine in the binary's file names.
    assert str(app).encode() not in out.read_bytes()


def test_dockerfile_runs_the_tested_script():
    dockerfile = (harness.REPO_ROOT / "examples" / "Dockerfile").read_text()
    workflow = (harness.REPO_ROOT / "examples" / "github-actions.yml").read_text()
    assert "/otelgo/examples/build-stage.sh" in dockerfile
    assert "otelgo/examples/build-stage.sh" in workflow
