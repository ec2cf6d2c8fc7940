"""A plan remembered: a rebuild whose inputs have not changed takes the
plan the last such build made, instead of planning again (rules, modules,
listings, matching, hook checks: a tenth of a second and more).

What a plan depends on, and how each is checked:

- the key, a digest of: otelgo's version and interpreter; the go command
  line as parsed, less the flags that change only what it prints (-x, -v,
  -debug-trace...); the directory; the go command's environment (`go env`'s
  answers, the whole process environment, the go env file, the go binary);
  the settings (otelgo.toml, flags) as resolved; and every file of
  otelgo's code, its templates and its rules tree, and the user's rule
  files, by path, size and modification time;
- the manifest, checked on every use: each directory of the build's
  packages outside GOROOT, the module cache and the rules tree, and each
  of their modules' root directories (go.mod, go.sum), with the go.mod's
  directory: every entry by name, a file the go command reads (a source,
  go.mod, go.sum: goheader.read_by_go) with its size and modification
  time, any other (the binary `go build` writes beside main.go) only as
  there; the go.mod of every directory the user's go.mod replaces a module
  with, and the files file rules add; with a pattern holding "...", which
  directories under those modules hold Go files; and that every file and
  directory the build dir names in otelgo's cache (generated files, module
  copies) is still there.

A Go file (not a test's) whose size or time changed still leaves the plan
as it was when what planning read of it is as it was: its header (what
`go list` reads, goheader.py) and, in a package a rule applies to (every
main package: the SDK's rule on func main), its functions' signatures
(hookcheck.py compares them with the hooks'). A package one of whose files
has an //otel: comment is read whole by planning (ignore.py,
spancomments.py): any change to it plans again. So the one-line edit of a
function's body or a constant takes the remembered plan, whose entry then
takes the new sizes and times.

Only plans of `go build` and `go install` in module mode (otelgo's go.mod
copy, no workspace or vendor directory), without -modfile or -overlay of
the user's and without --explain, --show-injected, --injected-dir or
--json, are remembered. A plan is kept in one file, written atomically:
the build dir's files, the plan without its package list and rules (read
when the build needs no summary), and the plan with what the summary
reads (_summarised).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
import re
import sys
from pathlib import Path

from otelgo import __version__
from otelgo.gocmd.flags import GoCommandLine
from otelgo.gocmd.goheader import header_digest, header_only, read_by_go
from otelgo.gocmd.golist import GoEnv, go_stamp
from otelgo.resources import cache_dir, package_dir, private_dir, rules_dir, templates_dir, write_atomically
from otelgo.ruleset.model import FileRule

KEEP = 32  # plans kept; the oldest go first
_HERE = "\0otelgo-build-dir\0"  # the build dir, in what is kept
# Files of the build dir that only planning reads (its listings' overlay,
# the copy of the user's go.mod its build list is read from).
_PLANNING_ONLY = {"list.json", "user.mod", "user.sum"}
# What changes between two shells without changing a build.
_VOLATILE = {"PWD", "OLDPWD", "SHLVL", "_", "OTELGO_PLAN", "OTELGO_PROGRESS"}


def key(cmd: GoCommandLine, env: GoEnv, config, cwd: Path) -> str | None:
    """The digest a plan of this build is kept under; None when such a plan
    is not remembered."""
    if (
        cmd.subcommand not in ("build", "install")
        or cmd.explain
        or cmd.summary_json
        or cmd.show_injected is not None
        or cmd.injected_dir
        or cmd.values.get("modfile")
        or cmd.values.get("overlay")
        or "-modfile" in env.goflags
        or "-overlay" in env.goflags
        or not env.gomod
        or env.gomod in (os.devnull, "/dev/null", "NUL")
        or env.gowork not in ("", "off")
    ):
        return None
    h = hashlib.sha256()

    def add(*parts) -> None:
        h.update(json.dumps(parts, default=str, sort_keys=True).encode())
        h.update(b"\n")

    add(__version__, sys.executable, sys.version, str(cwd))
    # -x or -debug-trace added to a build's command line builds the same.
    add(dataclasses.asdict(cmd.built_alike()), dataclasses.asdict(env), repr(config))
    add(sorted((k, v) for k, v in os.environ.items() if k not in _VOLATILE))
    add(go_stamp().decode(errors="replace"), _read(_goenv_file()))
    for root in dict.fromkeys((package_dir(), templates_dir(), rules_dir())):
        add(str(root), _tree(root))
    add([(str(p), _stat(p)) for p in config.rule_paths])
    return h.hexdigest()[:32]


def load(digest: str, build_dir: Path, whole: bool):
    """The plan kept under digest, its build dir's files written into
    build_dir; None when there is none or it does not check out. whole:
    with its package list and rules (the summary reads them)."""
    path = _path(digest)
    try:
        entry = pickle.loads(path.read_bytes())
        manifest = _manifest(entry["dirs"], entry["walk"], entry["needed"], entry["watched"])
        edited = entry["manifest"] != manifest
        if edited and not _only_bodies_changed(entry, manifest):
            return None
        plan = pickle.loads(entry["whole" if whole else "core"])
    except Exception:  # a damaged or older entry, whatever unpickling it raised: plan again
        return None
    if edited:
        # The next build with no further edit then takes the first check.
        try:
            write_atomically(path, pickle.dumps({**entry, "manifest": manifest}, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            pass
    try:
        for name, data in entry["files"].items():
            (build_dir / name).write_bytes(data.replace(_HERE.encode(), str(build_dir).encode()))
    except OSError:
        return None  # planning writes them all again
    _rebase(plan, build_dir)
    _toolids()
    try:
        os.utime(path)  # used: the last to go
    except OSError:
        pass
    return plan


def store(digest: str, plan, build_dir: Path, env: GoEnv, patterns: list[str]) -> None:
    """Keep a plan just made (only one of otelgo's go.mod copy)."""
    if "GOWORK" in plan.go_env or f"-modfile={build_dir / 'otel.mod'}" not in plan.go_flags:
        return
    try:
        files = {}
        for f in sorted(build_dir.iterdir()):
            if not f.is_file():
                return  # not a build dir this knows how to keep
            if f.name not in _PLANNING_ONLY:
                files[f.name] = f.read_bytes().replace(str(build_dir).encode(), _HERE.encode())
        dirs, roots = _local_dirs(plan, env)
        walk = roots if any("..." in p for p in patterns) else []
        needed = _needed(build_dir)
        watched = sorted({str(r.File) for r in plan.rules if isinstance(r, FileRule)} | _replaced_gomods(env))
        whole = _rebased(plan, build_dir)
        core = dataclasses.replace(whole, packages=[], rules=[])
        whole.packages = _summarised(plan)
        manifest = _manifest(dirs, walk, needed, watched)
        targeted = _targeted_dirs(plan)
        entry = {
            "files": files,
            "dirs": dirs,
            "walk": walk,
            "needed": needed,
            "watched": watched,
            "manifest": manifest,
            "targeted": targeted,
            "read": _read_by_planning(manifest, targeted),
            "core": pickle.dumps(core, protocol=pickle.HIGHEST_PROTOCOL),
            "whole": pickle.dumps(whole, protocol=pickle.HIGHEST_PROTOCOL),
        }
        path = _path(digest)
        write_atomically(path, pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL))
        entries = sorted(path.parent.glob("*.plan"), key=lambda p: p.stat().st_mtime)
        for old in entries[:-KEEP]:
            old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass  # a plan that cannot be kept is planned again next time


def _summarised(plan) -> list:
    """The plan's packages with what report/summary.py reads of them: the
    dependencies of the programs, the directory and files of the programs
    and of the instrumented packages, the rest of every package. Every
    package's dependencies and directory (a Path, parsed again when
    unpickled) were nine tenths of what a no-change rebuild loaded."""
    kept = set(plan.commands) | set(plan.match.applied)
    return [
        p if p.import_path in kept else dataclasses.replace(p, deps=[], dir=None, go_files=[]) for p in plan.packages
    ]


def _path(digest: str) -> Path:
    return cache_dir() / "plans" / f"{digest}.plan"


def _toolids() -> None:
    from otelgo.toolexec.protocol import TOOLID_DIR

    try:
        private_dir(cache_dir() / TOOLID_DIR)
    except OSError:
        pass


def _rebased(plan, build_dir: Path):
    """The plan with the build dir spelled _HERE."""
    here = str(build_dir)
    return dataclasses.replace(
        plan,
        build_dir=Path(_HERE),
        go_flags=[f.replace(here, _HERE) for f in plan.go_flags],
        go_env={k: v.replace(here, _HERE) for k, v in plan.go_env.items()},
        extra_files=[f.replace(here, _HERE) for f in plan.extra_files],
        file_path=Path(str(plan.file_path).replace(here, _HERE)) if plan.file_path else None,
    )


def _rebase(plan, build_dir: Path) -> None:
    here = str(build_dir)
    plan.build_dir = build_dir
    plan.go_flags = [f.replace(_HERE, here) for f in plan.go_flags]
    plan.go_env = {k: v.replace(_HERE, here) for k, v in plan.go_env.items()}
    plan.extra_files = [f.replace(_HERE, here) for f in plan.extra_files]
    plan.file_path = Path(str(plan.file_path).replace(_HERE, here)) if plan.file_path else None


def _local_dirs(plan, env: GoEnv) -> tuple[list[str], list[str]]:
    """The directories of the build's packages and of their modules' roots
    that can change (not in GOROOT, the module cache or the rules tree),
    and those modules' roots."""
    fixed = tuple(str(d).rstrip(os.sep) + os.sep for d in (env.goroot, env.gomodcache, rules_dir()))
    roots = {str(Path(env.gomod).parent)}
    dirs = set(roots)
    for p in plan.packages:
        if p.dir and not p.standard and not (str(p.dir) + os.sep).startswith(fixed):
            dirs.add(str(p.dir))
            if p.module_dir and not (p.module_dir + os.sep).startswith(fixed):
                roots.add(p.module_dir)
    return sorted(dirs | roots), sorted(roots)


def _replaced_gomods(env: GoEnv) -> set[str]:
    """The go.mod of each directory the user's go.mod replaces a module
    with: part of the module graph whether or not a package of it is built."""
    gomod = Path(env.gomod)
    found = set()
    for target in _replacement_targets(gomod.read_text()):
        if target.startswith(("./", "../", "/")) or target in (".", ".."):
            found.add(str((gomod.parent / target / "go.mod").resolve()))
    return found


def _needed(build_dir: Path) -> list[str]:
    """What the build dir names in otelgo's cache: the overlay's files and
    the directories otelgo's go.mod copy replaces modules with."""
    cache = str(cache_dir()) + os.sep
    named = set(json.loads((build_dir / "overlay.json").read_text()).get("Replace", {}).values())
    named |= set(_replacement_targets((build_dir / "otel.mod").read_text()))
    return sorted(n for n in named if n.startswith(cache))


def _replacement_targets(gomod_text: str) -> list[str]:
    """What a go.mod's replace directives point at, quoted or not (otelgo
    quotes the directories it writes)."""
    return [q or bare for q, bare in re.findall(r'=>\s*(?:"([^"]+)"|(\S+))\s*$', gomod_text, re.MULTILINE)]


def _targeted_dirs(plan) -> list[str]:
    """The directories of the build's packages that a rule applies to:
    planning reads their functions' signatures."""
    by_path = {p.import_path: p for p in plan.packages}
    paths = set()
    for key in plan.match.applied:
        paths |= set(plan.commands) if key == "main" else {key}
    return sorted(str(by_path[p].dir) for p in paths if p in by_path and by_path[p].dir)


def _read_by_planning(manifest: dict, targeted: list[str]) -> dict[str, str | None]:
    """For each Go file (not a test's) of the manifest: the digest of what
    planning read of it, None where any change plans again."""
    sources: dict[str, dict[str, bytes | None]] = {}
    for path, stat in manifest["entries"].items():
        if stat != "dir" and header_only(path):
            sources.setdefault(os.path.dirname(path), {})[path] = _source(path)
    read: dict[str, str | None] = {}
    for d, files in sources.items():
        whole = any(src is None or _DIRECTIVES in src for src in files.values())
        for path, src in files.items():
            read[path] = None if whole or src is None else _planned_digest(src, d in targeted)
    return read


def _only_bodies_changed(entry: dict, new: dict) -> bool:
    """The same entries, packages and cache files, and every file whose size
    or time differs is a Go file of which planning read the same."""
    old = entry["manifest"]
    if (
        any(old[k] != new[k] for k in ("packages", "needed", "watched"))
        or old["entries"].keys() != new["entries"].keys()
    ):
        return False
    read = entry.get("read", {})
    for path, stat in new["entries"].items():
        if old["entries"][path] == stat:
            continue
        src = _source(path) if read.get(path) is not None else None
        if src is None or _planned_digest(src, os.path.dirname(path) in entry["targeted"]) != read[path]:
            return False
    return True


_DIRECTIVES = b"//otel:"


def _source(path: str) -> bytes | None:
    try:
        return Path(path).read_bytes()
    except OSError:
        return None


def _planned_digest(src: bytes, signatures: bool) -> str | None:
    """What planning reads of a Go file: its header, and where asked the
    signature of each of its functions; None when unsure (an //otel:
    comment, a header or a file it cannot read cleanly)."""
    if _DIRECTIVES in src:
        return None
    header = header_digest(src)
    if header is None or not signatures:
        return header
    from otelgo.splice.gosource import parser  # tree-sitter: only once such a package was edited

    root = parser().parse(src).root_node
    if root.has_error:
        return None
    h = hashlib.sha256(header.encode())
    for decl in root.children:
        if decl.type in ("function_declaration", "method_declaration"):
            body = decl.child_by_field_name("body")
            h.update(src[decl.start_byte : body.start_byte if body else decl.end_byte] + b"\0")
    return h.hexdigest()[:32]


def _manifest(dirs: list[str], walk: list[str], needed: list[str], watched: list[str]) -> dict:
    entries = {}
    for d in dirs:
        try:
            with os.scandir(d) as it:
                for e in it:
                    if e.is_dir():
                        entries[e.path] = "dir"
                    elif read_by_go(e.name):
                        st = e.stat()
                        entries[e.path] = [st.st_size, st.st_mtime_ns]
                    else:
                        entries[e.path] = "there"
        except OSError:
            entries[d] = None
    packages = {}
    if walk:
        from otelgo.gocmd.listcache import _go_dirs

        packages = {root: sorted(_go_dirs(Path(root))) for root in walk}
    return {
        "entries": entries,
        "packages": packages,
        "needed": [os.path.exists(n) for n in needed],
        "watched": [_stat(Path(f)) for f in watched],
    }


def _tree(root: Path) -> list:
    """Every file under root (but compiled bytecode), by path, size and time."""
    out: list = []
    pending = [str(root)]
    while pending:
        try:
            with os.scandir(pending.pop()) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        for e in entries:
            if e.is_dir(follow_symlinks=False):
                if e.name != "__pycache__":
                    pending.append(e.path)
                continue
            try:
                st = e.stat()
                out.append((e.path, st.st_size, st.st_mtime_ns))
            except OSError:
                out.append((e.path, None))
    return out


def _stat(path: Path):
    try:
        st = os.stat(path)
        return [st.st_size, st.st_mtime_ns]
    except OSError:
        return None


def _goenv_file() -> Path:
    """The go command's own settings file (`go env -w`)."""
    if os.environ.get("GOENV"):
        return Path(os.environ["GOENV"])
    config = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(config) / "go" / "env"


def _read(path: Path) -> str | None:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return None
