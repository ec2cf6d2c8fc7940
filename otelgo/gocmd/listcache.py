"""`go list -deps`, remembered: a build whose inputs have not changed since
the last one takes the last one's answer, without running the go command.

A module whose go.mod says `go 1.16` or older is loaded without lazy module
loading: its `go list -deps` takes seconds where `go build` of an unchanged
program takes a fifth of one. What the answer depends on:

- the command line, the directory, the environment the go command reads
  (every GO* and CGO_* variable) and the go command itself: the key;
- the go.mod copy (or go.work) planning wrote and every file those name: in
  the key by content;
- the sources of every package outside GOROOT and the module cache (which
  do not change under a version): each such directory's files with their
  sizes and modification times (but for files the go command does not
  read, such as the binary `go build` writes beside main.go: only that they
  are there), and each such module's go.mod and go.sum,
  checked on every use; with a pattern holding "...", also which
  directories of the main modules hold Go files, so that a new package is
  seen.

A Go file (not a test's) whose size or time changed but whose header --
what the go command reads of it: build constraints, package clause,
imports, //go:embed lines (goheader.py) -- is as it was does not change
the answer: an edit of a function's body keeps the entry as it is, and
each check reads the headers of the files changed since it was written
again. The headers are kept in the entry by digest.

An entry that does not check out is a miss: the go command runs, and its
answer replaces the entry. Standard library only.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from otelgo.gocmd.goheader import header_digest, header_only, read_by_go
from otelgo.gocmd.jsonstream import json_stream

KEEP = 64  # entries kept; the oldest go first


@dataclass(frozen=True)
class ListCache:
    directory: Path
    immutable: tuple[Path, ...]  # GOROOT and GOMODCACHE: what is there never changes under its path

    def get(self, args: list[str], cwd: Path, env: dict[str, str], run: Callable[[], str]) -> str:
        """run()'s output (go list -json over args), or the last one's for
        the same inputs."""
        path = self.directory / f"{_key(args, cwd, env)}.json"
        try:
            entry = json.loads(path.read_text())
            manifest = _manifest(entry["roots"], entry["walk"])
            if entry.get("manifest") == manifest:
                return entry["output"]
            if _only_bodies_changed(entry["manifest"], manifest, entry["headers"]):
                # Not written again (megabytes): the next check reads the
                # changed files' headers again, a few small reads.
                return entry["output"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass
        output = run()
        walk = any("..." in a for a in args if not a.startswith("-"))
        roots, mains = _local_dirs(output, self.immutable, walk)
        manifest = _manifest(roots, mains)
        entry = {"output": output, "roots": roots, "walk": mains, "manifest": manifest, "headers": _headers(manifest)}
        _store(path, entry)
        return output


def _key(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    """The command line, directory and environment, with the files that
    planning writes anew for every build (-modfile, -overlay, GOWORK: in a
    new build dir each time) by their contents, not their paths."""
    named = {a.split("=", 1)[1] for a in args if a.startswith(("-modfile=", "-overlay="))}
    if env.get("GOWORK") not in (None, "", "off"):
        named.add(env["GOWORK"])
    h = hashlib.sha256(json.dumps([[_unnamed(a, named) for a in args], str(cwd)]).encode())
    for name in sorted(env):
        if name.startswith(("GO", "CGO_")):
            h.update(f"{name}={_unnamed(env[name], named)}\0".encode())
    go = shutil.which("go", path=env.get("PATH"))
    if go:
        st = os.stat(go)
        h.update(f"{go}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    for name in sorted(named):
        for f in (Path(name), Path(name).with_suffix(".sum")):
            try:
                h.update(hashlib.sha256(f.read_bytes()).digest())
            except OSError:
                h.update(b"absent")
    return h.hexdigest()[:32]


def _unnamed(text: str, named: set[str]) -> str:
    for name in named:
        text = text.replace(name, "<file>")
    return text


def _local_dirs(output: str, immutable: tuple[Path, ...], walk: bool) -> tuple[list[str], list[str]]:
    """The directories of local packages and of their modules' roots, and
    the main modules' roots to walk for new packages."""
    dirs: set[str] = set()
    mains: set[str] = set()
    for obj in json_stream(output):
        d, module = obj.get("Dir"), obj.get("Module") or {}
        if not d or obj.get("Standard") or any(Path(d).is_relative_to(p) for p in immutable):
            continue
        dirs.add(d)
        if module.get("Dir"):
            dirs.add(module["Dir"])
            if module.get("Main"):
                mains.add(module["Dir"])
    return sorted(dirs), sorted(mains) if walk else []


def _manifest(dirs: list[str], walk: list[str]) -> dict:
    """What may change the answer: the files of each directory (Go sources,
    assembly, go.mod, go.sum... with sizes and times; any other by name),
    and the directories holding Go files under each main module's root."""
    files = {}
    for d in dirs:
        try:
            with os.scandir(d) as it:
                for e in it:
                    if e.is_file():
                        st = e.stat()
                        files[e.path] = [st.st_size, st.st_mtime_ns] if read_by_go(e.name) else "there"
        except OSError:
            files[d] = None
    packages = {root: sorted(_go_dirs(Path(root))) for root in walk}
    return {"files": files, "packages": packages}


def _headers(manifest: dict) -> dict[str, str]:
    """path -> digest of the header of each such file (None: unreadable)."""
    headers = {}
    for f in manifest["files"]:
        if header_only(f):
            try:
                with open(f, "rb") as fh:
                    headers[f] = header_digest(fh.read())
            except OSError:
                headers[f] = None
    return headers


def _only_bodies_changed(old: dict, new: dict, headers: dict[str, str | None]) -> bool:
    """The same files and packages, and every file whose size or time
    differs is a Go file whose header is the one the answer was made with."""
    if old["packages"] != new["packages"] or old["files"].keys() != new["files"].keys():
        return False
    changed = [f for f, st in new["files"].items() if st != old["files"][f]]
    for f in changed:
        if not header_only(f) or headers.get(f) is None:
            return False
        try:
            with open(f, "rb") as fh:
                if header_digest(fh.read()) != headers[f]:
                    return False
        except OSError:
            return False
    return bool(changed)


def _go_dirs(root: Path):
    """Directories under root that hold .go files, as the go command's ...
    sees them: not testdata, _x or .x, nor nested modules."""
    for d, subdirs, names in os.walk(root):
        subdirs[:] = [
            s
            for s in subdirs
            if s != "testdata" and not s.startswith(("_", ".")) and not (Path(d, s) / "go.mod").exists()
        ]
        if any(n.endswith(".go") for n in names):
            yield str(Path(d).relative_to(root))


def _store(path: Path, entry: dict) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(entry))
        os.replace(tmp, path)
        entries = sorted(path.parent.glob("*.json"), key=lambda p: p.stat().st_mtime)
        for old in entries[:-KEEP]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # a cache that cannot be written is no error
