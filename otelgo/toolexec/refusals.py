"""What the compiles of matched packages really did, for the build summary.

The splicer may refuse a matched package (source it cannot handle); the
package is then compiled as it is. The go command caches that compile like
any other, so a later build with the same sources runs no compile for it
and the shim never hears of it. The refusal is therefore kept in otelgo's
cache, keyed by everything that decides it: the instrumentation token (the
splicer's code), the package, the digest of the rules applied to it, and
its sources' contents. The summary finds it whether the compile ran in this
build or in an earlier one.

Both sides compute the key here, each from what it sees of the same files:
the compile from its arguments (compile_sources), the summary from go list
and the overlay (package_sources). Standard library only: the compile side
imports it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from otelgo.resources import cache_dir, write_atomically
from otelgo.toolexec import protocol


def key(token: str, package: str, digest: str, contents: list[bytes]) -> str:
    """The same for the compile and the summary, whatever the files' paths."""
    return key_of(token, package, digest, file_digests(contents))


def file_digests(contents: list[bytes]) -> list[bytes]:
    """What the key takes of a package's sources. Planning keeps it for the
    packages whose sources cannot change while its plan stands (GOROOT, the
    module cache), so that a rebuild's summary does not read them again."""
    return sorted(hashlib.sha256(data).digest() for data in contents)


def key_of(token: str, package: str, digest: str, digests: list[bytes]) -> str:
    h = hashlib.sha256(f"{token}\0{package}\0{digest}\0".encode())
    for content_digest in digests:
        h.update(content_digest)
    return h.hexdigest()[:32]


def compile_sources(args: list[str], cwd: Path) -> list[bytes]:
    """The sources a compile run in cwd was given, as go list names the
    package's files (with what the overlay adds): files in the action's own
    directory (cgo's output) are not among them."""
    objdir = Path(os.path.abspath(cwd / (protocol.flag(args, "-o") or "_pkg_.a"))).parent
    paths = [Path(os.path.abspath(cwd / args[i])) for i in protocol.go_files(args)]
    return [p.read_bytes() for p in paths if not p.is_relative_to(objdir)]


def package_sources(directory: Path | None, go_files: list[str], overlay: dict[str, str]) -> list[bytes]:
    """The sources a compile of the package at directory gets: go list's
    files, and the files the overlay adds to that directory (the bootstrap,
    a rules stamp), each read where the overlay says."""
    if directory is None:
        return []
    paths = [str(directory / name) for name in go_files]
    paths += [
        p
        for p in overlay
        if Path(p).parent == directory
        and p.endswith(".go")
        and not p.endswith("_test.go")
        and p not in paths
        and overlay[p]
    ]
    return [Path(overlay.get(p) or p).read_bytes() for p in paths]


def _path(key_: str) -> Path:
    return cache_dir() / "refused" / f"{key_}.json"


def record(key_: str, package: str, reason: str) -> None:
    write_atomically(_path(key_), json.dumps({"package": package, "reason": reason}))


def reason(key_: str) -> str | None:
    """Why the package with this key was compiled uninstrumented, if it was."""
    try:
        return json.loads(_path(key_).read_text())["reason"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
