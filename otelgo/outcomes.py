"""What the compiles of matched packages really did, for the build summary.

The splicer may refuse a matched package (source it cannot handle); the
package is then compiled as it is. The go command caches that compile like
any other, so a later build with the same sources runs no compile for it
and the shim never hears of it. The refusal is therefore kept in otelgo's
cache, keyed by everything that decides it: the instrumentation token (the
splicer's code and the rules), the package, and its sources' contents. The
summary finds it whether the compile ran in this build or in an earlier one.

Standard library only: the compile side imports it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from otelgo.resources import cache_dir


def key(token: str, package: str, contents: list[bytes]) -> str:
    """The same for the compile (its source files) and the summary (go
    list's files of the package), whatever the files' paths."""
    h = hashlib.sha256(f"{token}\0{package}\0".encode())
    for digest in sorted(hashlib.sha256(data).digest() for data in contents):
        h.update(digest)
    return h.hexdigest()[:32]


def _path(key_: str) -> Path:
    return cache_dir() / "refused" / f"{key_}.json"


def record_refusal(key_: str, package: str, reason: str) -> None:
    path = _path(key_)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"package": package, "reason": reason}))
    os.replace(tmp, path)


def refusal(key_: str) -> str | None:
    """Why the package with this key was compiled uninstrumented, if it was."""
    try:
        return json.loads(_path(key_).read_text())["reason"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
