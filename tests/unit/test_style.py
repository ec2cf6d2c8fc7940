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


def test_no_merge_conflict_left_in_a_tracked_file():
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=harness.REPO_ROOT, capture_output=True, check=True)
    left = []
    for name in listed.stdout.decode().split("\0"):
        path = harness.REPO_ROOT / name
        if not name or not path.is_file() or path.suffix in {".sum", ".png"}:
            continue
        try:
            text = path.read_text()
        except (UnicodeDecodeError, OSError):
            continue
        if any(line.startswith(("<<<<<<< ", ">>>>>>> ")) for line in text.splitlines()):
            left.append(name)
    assert left == []
