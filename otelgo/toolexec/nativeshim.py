"""The -toolexec command: the native shim (native/shim.go) where it is built,
else shim.py itself.

The go command starts the -toolexec command for every tool action: hundreds
in a cold build, four (the tools' -V=full) before a rebuild that changes
nothing can end. Python starts in 10-13 ms, a Go program in about 1, so the
fast path (a compile of a package no rule matched, any other tool, a -V=full
answer kept in otelgo's cache) runs as a small Go program that hands
everything else to shim.py.

It is built per source, interpreter and machine (`go build` of the standard
library only): by install.sh into the installation, like the bytecode, with
`python -m otelgo.toolexec.nativeshim`; else, the first time otelgo runs
without it, into otelgo's cache, in the background. With an empty GOCACHE
that build compiles the runtime and takes 10 s, which no build should wait
for: until it is there, builds run shim.py, which does the same work more
slowly. A build that fails is noted beside it and not tried again for the
same key.
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
import time
from pathlib import Path

from otelgo.resources import cache_dir, installation_dir

_HERE = Path(__file__).resolve().parent
SHIM_PY = _HERE / "shim.py"
SOURCE = _HERE / "native" / "shim.go"
BINARY = "otelgo-shim"
FAILED = "failed"  # beside the binary: why its build failed
BUILDING = "building"  # beside the binary: a background build runs
STALE_BUILD = 300  # seconds after which a background build is taken for dead


def python_command() -> list[str]:
    """-I -S keeps the interpreter's start-up to the bare minimum; the shim
    finds the rest of otelgo through the plan when it needs it."""
    return [sys.executable, "-I", "-S", str(SHIM_PY)]


def command() -> str:
    """The -toolexec value: the same for every build while the native shim
    is there (per-build state travels in OTELGO_PLAN)."""
    native = _native()
    return shlex.quote(str(native)) if native else " ".join(shlex.quote(p) for p in python_command())


def installed_dir() -> Path:
    return installation_dir() / "shim"


def _source() -> tuple[str, bytes, str] | None:
    """The key, the Go source and its paths.go; None where it cannot be built."""
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
    return key, source, paths


def _native() -> Path | None:
    found = _source()
    if found is None:
        return None
    key = found[0]
    for base in (installed_dir(), cache_dir() / "shim"):
        if (base / key / BINARY).is_file():
            return base / key / BINARY
    where = cache_dir() / "shim" / key
    try:
        if not (where / FAILED).exists() and _claim(where):
            subprocess.Popen(
                [sys.executable, "-m", "otelgo.toolexec.nativeshim", str(where)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # outlives this build, and its ^C
            )
    except OSError:
        pass  # a cache it cannot write: this build and the next run the Python shim
    return None


def _claim(where: Path) -> bool:
    """Whether this process starts the background build (no other one runs)."""
    where.mkdir(parents=True, exist_ok=True)
    mark = where / BUILDING
    try:
        if time.time() - mark.stat().st_mtime < STALE_BUILD:
            return False
        mark.unlink()
    except FileNotFoundError:
        pass
    try:
        os.close(os.open(mark, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        return False
    return True


def build(where: Path) -> Path | None:
    """Build the native shim into where/BINARY; None (and where/FAILED says
    why) when it cannot be built or does not run here."""
    found = _source()
    go = shutil.which("go")
    if found is None or go is None:
        return None
    _, source, paths = found
    where.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=where) as tmp:
        work = Path(tmp)
        (work / "shim.go").write_bytes(source)
        (work / "paths.go").write_text(paths)
        (work / "go.mod").write_text("module otelgo.dev/shim\n\ngo 1.21\n")
        out = work / BINARY
        # For this machine, whatever the builds it serves target: the user's
        # go env file and GOFLAGS stay out (they may name another platform).
        env = {k: v for k, v in os.environ.items() if not k.startswith("GO") and k != "CGO_ENABLED"}
        env.update(GOENV="off", GOFLAGS="", GOWORK="off", GOTOOLCHAIN="local", CGO_ENABLED="0")
        env["GOCACHE"] = _gocache(go)
        proc = subprocess.run([go, "build", "-o", str(out), "."], cwd=work, env=env, capture_output=True, text=True)
        if proc.returncode == 0:
            check = subprocess.run([str(out)], capture_output=True, text=True)  # runs here: says how to use it
            if check.returncode == 2 and "toolexec" in check.stderr:
                os.replace(out, where / BINARY)
                return where / BINARY
            proc = check
        (where / FAILED).write_text(f"exit {proc.returncode}\n{proc.stderr}")
    return None


def _gocache(go: str) -> str:
    """The user's GOCACHE (from the environment or the go env file): the
    standard library compiled for the shim is then there for their builds."""
    proc = subprocess.run([go, "env", "GOCACHE"], capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 and proc.stdout.strip() else os.environ.get("GOCACHE", "")


def _go_string(s: str) -> str:
    # A JSON string without \u escapes of non-ASCII text is a Go string literal.
    return json.dumps(s, ensure_ascii=False)


def main(argv: list[str]) -> int:
    """`python -m otelgo.toolexec.nativeshim [DIR]`: build the native shim
    into DIR/KEY (the installation's, by default: install.sh), or, with a
    cache directory otelgo chose, in the background."""
    if len(argv) > 1:
        where = Path(argv[1])
        try:
            build(where)
        finally:
            (where / BUILDING).unlink(missing_ok=True)
        return 0
    found = _source()
    if found is None:
        print("otelgo: no native shim on this platform; builds run the Python shim", file=sys.stderr)
        return 0
    where = installed_dir() / found[0]
    binary = build(where)
    if binary is None:
        failed = where / FAILED
        why = failed.read_text() if failed.exists() else ""
        print(f"otelgo: the native shim was not built; builds run the Python shim, more slowly\n{why}", file=sys.stderr)
        return 0
    print(binary)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
