"""The -toolexec command: the native shim (native/shim.go) where it can be
built, else shim.py itself.

The go command starts the -toolexec command for every tool action: hundreds
in a cold build, four (the tools' -V=full) before a rebuild that changes
nothing can end. Python starts in 10-13 ms, a Go program in about 1, so the
fast path (a compile of a package no rule matched, any other tool, a -V=full
answer kept in otelgo's cache) runs as a small Go program that hands
everything else to shim.py. It is built once per source, interpreter and
host into otelgo's cache (`go build` of the standard library only, about a
second, most of it compiling packages the build needs anyway); a build that
fails is noted there and not tried again for the same key, the Python shim
doing the same work more slowly.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from otelgo.resources import cache_dir

_HERE = Path(__file__).resolve().parent
SHIM_PY = _HERE / "shim.py"
SOURCE = _HERE / "native" / "shim.go"
BINARY = "otelgo-shim"
FAILED = "failed"  # in the key's directory: why the build failed


def python_command() -> list[str]:
    """-I -S keeps the interpreter's start-up to the bare minimum; the shim
    finds the rest of otelgo through the plan when it needs it."""
    return [sys.executable, "-I", "-S", str(SHIM_PY)]


def command() -> str:
    """The -toolexec value, stable across builds: per-build state travels in
    OTELGO_PLAN."""
    native = _native()
    return shlex.quote(str(native)) if native else " ".join(shlex.quote(p) for p in python_command())


def _native() -> Path | None:
    if os.name != "posix":
        return None
    try:
        source = SOURCE.read_bytes()
    except OSError:
        return None
    paths = (
        "// Written by otelgo (toolexec/nativeshim.py): where the shim hands over.\n\n"
        "package main\n\n"
        f"const pythonPath = {_go_string(sys.executable)}\n\n"
        f"const shimPath = {_go_string(str(SHIM_PY))}\n"
    )
    key = hashlib.sha256(b"\0".join([source, paths.encode(), os.uname().machine.encode()])).hexdigest()[:16]
    where = cache_dir() / "shim" / key
    binary = where / BINARY
    if binary.is_file():
        return binary
    if (where / FAILED).exists():
        return None
    return _build(where, source, paths)


def _build(where: Path, source: bytes, paths: str) -> Path | None:
    go = shutil.which("go")
    if go is None:
        return None
    where.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=where) as tmp:
        work = Path(tmp)
        (work / "shim.go").write_bytes(source)
        (work / "paths.go").write_text(paths)
        (work / "go.mod").write_text("module otelgo.dev/shim\n\ngo 1.21\n")
        out = work / BINARY
        # For this machine, whatever the build it serves targets; the user's
        # go env file and GOFLAGS stay out (they may name another platform).
        env = {k: v for k, v in os.environ.items() if not k.startswith("GO") and k != "CGO_ENABLED"}
        env.update(GOENV="off", GOFLAGS="", GOWORK="off", GOTOOLCHAIN="local", CGO_ENABLED="0")
        if "GOCACHE" in os.environ:
            env["GOCACHE"] = os.environ["GOCACHE"]
        proc = subprocess.run([go, "build", "-o", str(out), "."], cwd=work, env=env, capture_output=True, text=True)
        if proc.returncode == 0:
            check = subprocess.run([str(out)], capture_output=True, text=True)  # runs here: says how to use it
            if check.returncode == 2 and "toolexec" in check.stderr:
                os.replace(out, where / BINARY)
                return where / BINARY
            proc = check
        (where / FAILED).write_text(f"exit {proc.returncode}\n{proc.stderr}")
    return None


def _go_string(s: str) -> str:
    # A JSON string without \u escapes of non-ASCII text is a Go string literal.
    return json.dumps(s, ensure_ascii=False)
