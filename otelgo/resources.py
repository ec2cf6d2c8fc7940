"""Where the templates and the rules (with the Go hook module) live, and
otelgo's own cache.

A source checkout or editable install keeps them at the repository's top
level; a wheel carries them under otelgo/_data.
"""

from __future__ import annotations

import os
from pathlib import Path

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


def cache_dir() -> Path:
    """otelgo's own cache (generated files, check verdicts, compile outcomes)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "otelgo"


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
            if st.st_mode & 0o077 and st.st_uid == os.getuid():
                os.chmod(d, 0o700)
    return path


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
