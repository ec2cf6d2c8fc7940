"""Progress in a real terminal (tmux): while the go command compiles, one
status line counts the compiles; in a pipe nothing but the summary."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid

import harness
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")]


def many_packages(root, n: int = 40):
    """A module whose packages were never compiled before (unique contents)."""
    salt = uuid.uuid4().hex
    (root / "go.mod").write_text("module example.com/many\n\ngo 1.24\n")
    imports = []
    for i in range(n):
        pkg = root / f"p{i}"
        pkg.mkdir()
        body = "\n".join(f"func F{j}(x int) int {{ return x*{j} + {i} }}" for j in range(200))
        (pkg / "p.go").write_text(f'package p{i}\n\nconst Salt = "{salt}"\n\n{body}\n')
        imports.append(f'\t_ "example.com/many/p{i}"')
    (root / "main.go").write_text("package main\n\nimport (\n" + "\n".join(imports) + "\n)\n\nfunc main() {}\n")


def test_terminal_build_shows_progress_then_the_summary(tmp_path):
    module = tmp_path / "many"
    module.mkdir()
    many_packages(module)
    session = f"otelgo-{uuid.uuid4().hex[:8]}"
    done = tmp_path / "done"
    command = (
        f"cd {module} && PYTHONPATH={harness.REPO_ROOT} {sys.executable} -m otelgo go build -o {tmp_path / 'app'} . ;"
        f" touch {done}; sleep 60"
    )
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "40", command], check=True)
    try:
        seen_progress, screen = False, ""
        deadline = time.monotonic() + 600
        while not done.exists() and time.monotonic() < deadline:
            screen = subprocess.run(
                ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
            ).stdout
            seen_progress |= "otel: compiled" in screen and "instrumented)" in screen
            time.sleep(0.1)
        assert done.exists(), screen
        screen = subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout
        assert seen_progress, screen
        assert "otel: instrumented" in screen and "otel: compiled" not in screen  # the status line is gone
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def test_pipe_gets_no_progress(tmp_path):
    module = tmp_path / "many"
    module.mkdir()
    many_packages(module, 5)
    result = harness.check_build(harness.otel_build(module, "-o", str(tmp_path / "app"), "."))
    assert "otel: compiled" not in result.stderr and "otel: instrumented" in result.stderr
