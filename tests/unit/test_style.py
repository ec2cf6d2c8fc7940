"""The Python is formatted and linted as pyproject.toml pins (ruff)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import harness


def _ruff() -> str:
    found = Path(sys.executable).parent / "ruff"
    if found.exists():
        return str(found)
    ruff = shutil.which("ruff")
    assert ruff, "ruff is not installed: ./install.sh --dev installs the version pyproject.toml pins"
    return ruff


def test_ruff_format():
    proc = subprocess.run([_ruff(), "format", "--check", "."], cwd=harness.REPO_ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr + "\nrun: ruff format ."


def test_ruff_check():
    proc = subprocess.run([_ruff(), "check", "."], cwd=harness.REPO_ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
