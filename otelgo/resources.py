"""Where the templates and the rules (with the Go hook module) live, and
otelgo's own cache.

A source checkout or editable install keeps them at the repository's top
level; a wheel carries them under otelgo/_data.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from errno import ENOTDIR
from pathlib import Path
from stat import S_ISDIR

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    for candidate in (_PACKAGE.parent / name, _PACKAGE / "_data" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"otelgo installation is incomplete: no {name}/ directory near {_PACKAGE}")


def templates_dir() -> Path:
    return _data_dir("templates")


def rules_dir() -> Path:
    """The built-in rules: JSON rule files beside the Go hook module."""
    return _data_dir("rules")


def package_dir() -> Path:
    return _PACKAGE


CACHE_ENV = "OTELGO_CACHE"


class CacheDirError(Exception):
    pass


def cache_dir() -> Path:
    """otelgo's own cache (generated files, check verdicts, compile
    outcomes): $OTELGO_CACHE, else otelgo/ in the XDG cache directory.
    $XDG_CACHE_HOME counts only when absolute, as the XDG base directory
    specification asks: a relative one would put the cache in the user's
    tree. toolexec/protocol.py's toolid_dir and the native shim follow the
    same rule."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "otelgo"


def settle_cache_dir(gocache: Path) -> None:
    """Before a build writes to the cache: where cache_dir() cannot be made
    (a container's user whose home is not writable, whose go command works
    because GOCACHE is set), the cache goes into the go command's own build
    cache directory, which that build writes to anyway and `go clean -cache`
    leaves alone. The choice is put in the environment, so that the shim's
    processes, which the go command starts, use the same directory."""
    problem = _unusable()
    if problem is None:
        return
    if os.environ.get(CACHE_ENV):
        raise CacheDirError(f"{CACHE_ENV}: {problem}: set it to a writable directory")
    if gocache.is_absolute():
        os.environ[CACHE_ENV] = str(gocache / "otelgo")
        if (second := _unusable()) is None:
            return
        del os.environ[CACHE_ENV]
        problem += f", nor {second}"
    raise CacheDirError(f"otelgo's cache cannot be made in {problem}: set {CACHE_ENV} to a writable directory")


def _unusable() -> str | None:
    """Why cache_dir() cannot be written to, or None."""
    where = cache_dir()
    try:
        private_dir(where)
        if not os.access(where, os.W_OK | os.X_OK):
            return f"{where} (not writable)"
    except OSError as e:
        return f"{where} ({e.strerror or e})"
    return None


def private_dir(path: Path) -> Path:
    """Create the directory `path` inside cache_dir() (and whatever is
    missing of the way there) private to the user, 0700, as the XDG base
    directory specification asks: the cache holds generated code and build
    verdicts another user must not replace, and the names of the user's
    modules. An otelgo cache directory left by an older otelgo with wider
    permissions is narrowed."""
    root = cache_dir()
    for d in [*reversed(path.parents), path]:
        if root not in (d, *d.parents):
            if not d.exists():  # ~/.cache itself, or $XDG_CACHE_HOME
                os.mkdir(d, 0o700)
            continue
        try:
            os.mkdir(d, 0o700)
        except FileExistsError:
            st = d.stat()
            if not S_ISDIR(st.st_mode):
                raise NotADirectoryError(ENOTDIR, os.strerror(ENOTDIR), str(d)) from None
            if st.st_mode & 0o077 and st.st_uid == os.getuid():
                os.chmod(d, 0o700)
    return path


def installation_dir() -> Path:
    """What install.sh makes beside the installed package, so that a first
    build with an empty cache need not: the native shim, the validated
    rules, the semantic conventions copy, the hook verdicts."""
    return Path(sys.prefix) / "share" / "otelgo"


def readable_by_all(directory: Path) -> None:
    """Open a directory of the installation, made with private_dir's modes,
    to every user of it (0755 directories, 0644 files)."""
    for parent, _, names in os.walk(directory):
        os.chmod(parent, 0o755)
        for name in names:
            os.chmod(os.path.join(parent, name), 0o644)


def write_atomically(path: Path, data: str | bytes) -> None:
    """Write a file of otelgo's cache, whose directory is made private
    (private_dir): concurrent builds share the cache, and a reader sees the
    whole file or none of it. A failed write leaves no temporary file."""
    private_dir(path.parent)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        if isinstance(data, bytes):
            tmp.write_bytes(data)
        else:
            tmp.write_text(data)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise


def make_dir_atomically(dest: Path, fill: Callable[[Path], list[str]], manifest: str) -> None:
    """Make a directory of otelgo's cache all at once: fill(tmp) writes the
    files into a private directory beside dest and returns their names,
    which the file `manifest` lists, written last; then it is renamed into
    place. A dest without its manifest (half deleted by hand) is set aside
    first; one that another build made meanwhile (the same) stays."""
    import shutil  # here: the shim's instrumented compiles import this module, and never need them
    import tempfile

    dest.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if dest.is_dir() and not (dest / manifest).is_file():
        trash = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
        os.rename(dest, trash / "stale")
        shutil.rmtree(trash, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))  # 0700
    try:
        (tmp / manifest).write_text("".join(f + "\n" for f in fill(tmp)))
        try:
            os.rename(tmp, dest)
        except OSError:
            if not (dest / manifest).is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
