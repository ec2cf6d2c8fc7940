"""Vendor mode: build from the user's vendor/ directory without writing it.

The go command reads vendor/modules.txt with os.ReadFile, not through
-overlay, from beside the main module's go.mod, or beside go.work in
workspace mode, and every package outside the main modules must be in that
vendor directory. The hook modules and what they require are not in the
user's. So a vendored build becomes a workspace build: a go.work that uses
the user's module(s) and the hook modules, and beside it a vendor/ directory
of symbolic links: the user's vendored packages, and the packages of the
modules the hook modules require, taken from the module cache (GOMODCACHE),
never from the network. Its modules.txt is written the way `go work vendor`
writes one, so that the go command's consistency check passes and the go
command picks vendor mode by itself, as it does for the user's directory.

That directory lives in otelgo's cache under a digest of what it holds:
the go command keys every package outside GOROOT on its directory, and the
same path in every build keeps the build cache warm.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from otelgo.gocmd.golist import GoEnv, Package, mod_edit_json, run_go
from otelgo.gocmd.modcache import escape
from otelgo.resources import cache_dir, private_dir
from otelgo.versions import Version, VersionError

MODULES_TXT = "modules.txt"


def user_vendor_dir(env: GoEnv, mod_flag: str | None) -> Path | None:
    """The user's vendor directory when the go command would build from it:
    -mod=vendor (flag or GOFLAGS), or no -mod and a vendor directory that
    the go command picks by default (go 1.14 or later, modules.txt written
    for the same mode, module or workspace)."""
    mode = mod_flag or _goflags_mod(env.goflags)
    if mode and mode != "vendor":
        return None
    workspace = bool(env.gowork) and env.gowork != "off"
    if not workspace and (not env.gomod or env.gomod == os.devnull):
        return None
    base = Path(env.gowork if workspace else env.gomod).parent
    vdir = base / "vendor"
    if mode == "vendor":
        return vdir
    go = _go_line(Path(env.gowork if workspace else env.gomod))
    if not vdir.is_dir() or not go or _version(go) < _version("1.14"):
        return None
    return vdir if _is_workspace_list(vdir) == workspace else None


def _goflags_mod(goflags: str) -> str | None:
    found = None
    for flag in goflags.split():
        name, _, value = flag.lstrip("-").partition("=")
        if name == "mod":
            found = value
    return found


def _go_line(modfile: Path) -> str:
    m = re.search(r"^go\s+(\S+)", modfile.read_text(), re.MULTILINE) if modfile.is_file() else None
    return m.group(1) if m else ""


def _version(text: str) -> Version:
    try:
        return Version.parse(text)
    except VersionError:
        return Version((0, 0, 0))


def _is_workspace_list(vdir: Path) -> bool:
    path = vdir / MODULES_TXT
    first = path.read_text().split("\n", 1)[0] if path.is_file() else ""
    return first.startswith("## ") and "workspace" in [e.strip() for e in first[3:].split(";")]


@dataclass
class _Module:
    """One `# path version` entry of modules.txt."""

    path: str
    version: str
    replacement: str = ""  # what `=>` names; directories absolute until written
    explicit: bool = False
    go: str = ""
    packages: dict[str, Path] = field(default_factory=dict)  # import path -> source directory


@dataclass
class _Main:
    root: Path
    data: dict  # `go mod edit -json`


@dataclass
class VendorSetup:
    gowork: Path
    missing: list[str]  # module@version the hooks need and the module cache lacks
    hook_roots: list[Path]


def cache_root() -> Path:
    return cache_dir() / "vendor"


def prepare(workfile: Path, user_vendor: Path, hook_roots: list[Path], env: GoEnv) -> VendorSetup:
    """The go.work written for this build (workfile), copied with a vendor
    directory beside it into otelgo's cache, named by its contents."""
    work = json.loads(run_go(["work", "edit", "-json", str(workfile)], workfile.parent))
    roots = [Path(u["DiskPath"]) for u in work.get("Use") or []]
    user_roots = [r for r in roots if r not in hook_roots]
    mains = [_Main(root, mod_edit_json(root / "go.mod", root)) for root in [*user_roots, *hook_roots]]
    hook_needs = {r["Path"] for m in mains[len(user_roots) :] for r in m.data.get("Require") or []}
    user = _read_list(user_vendor, user_vendor.parent)
    work_replace = work.get("Replace") or []
    modules, missing = _select(mains, user, hook_needs, work_replace, env.gomodcache)
    tail = _tail_replacements(mains, modules, work_replace)
    gowork = workfile.read_text() + _godebug(mains[: len(user_roots)], workfile)
    links = _links(modules)
    digest = hashlib.sha256("\n".join([gowork, _render(modules, tail, None), *map(str, links)]).encode()).hexdigest()
    target = cache_root() / digest[:24]
    if not (target / "go.work").is_file():
        _materialise(target, gowork, modules, tail, links)
    return VendorSetup(target / "go.work", missing, hook_roots)


def incomplete(packages: list[Package], setup: VendorSetup) -> str | None:
    """A package the build needs from a module that is neither vendored nor
    in the module cache: which modules, and how to get them once."""
    lacking = sorted({m for m in setup.missing for p in packages if p.error and _within(p.import_path, m)})
    if not lacking:
        return None
    downloads = "\n".join(f"  go -C {root} mod download" for root in setup.hook_roots)
    return (
        "vendor mode: otelgo's hook packages need modules that are neither in vendor/ nor in the module cache:\n  "
        + "\n  ".join(lacking)
        + "\nput them in the module cache once, with network access (your vendor/ directory stays as it is):\n"
        + downloads
    )


def _within(package: str, module_at_version: str) -> bool:
    module = module_at_version.rsplit("@", 1)[0]
    return package == module or package.startswith(module + "/")


# --- reading -----------------------------------------------------------------


def _read_list(vdir: Path, base: Path) -> dict[tuple[str, str], _Module]:
    """The user's modules.txt: entries by (path, version); a wildcard
    replacement has the version ""."""
    found: dict[tuple[str, str], _Module] = {}
    path = vdir / MODULES_TXT
    current = None
    for line in path.read_text().splitlines() if path.is_file() else []:
        if line.startswith("# "):
            current = _entry_line(line[2:].split(), base)
            if current is not None:
                current = found.setdefault((current.path, current.version), current)
        elif current is not None and line.startswith("## "):
            for note in (n.strip() for n in line[3:].split(";")):
                current.explicit |= note == "explicit"
                current.go = note[3:] if note.startswith("go ") else current.go
        elif current is not None and line.strip() and not line.startswith("#"):
            current.packages[line.strip()] = vdir / line.strip()
    return found


def _entry_line(fields: list[str], base: Path) -> _Module | None:
    if len(fields) >= 2 and fields[1].startswith("v"):
        module, rest = _Module(fields[0], fields[1]), fields[2:]
    elif len(fields) >= 3 and fields[1] == "=>":
        module, rest = _Module(fields[0], ""), fields[1:]
    else:
        return None
    if len(rest) >= 2 and rest[0] == "=>":
        module.replacement = " ".join(rest[1:]) if len(rest) == 3 else _absolute(base, rest[1])
    return module


def _absolute(base: Path, target: str) -> str:
    return target if os.path.isabs(target) else os.path.normpath(base / target)


# --- choosing ----------------------------------------------------------------


def _select(
    mains: list[_Main], user: dict, hook_needs: set[str], work_replace: list[dict], modcache: Path
) -> tuple[dict[tuple[str, str], _Module], list[str]]:
    """Every entry of the new modules.txt. A module's packages come at its
    highest version asked for (as minimal version selection would pick it):
    the user's vendored packages, and for modules the hooks require, the
    rest of the module from the module cache."""
    main_paths = {m.data["Module"]["Path"] for m in mains}
    modules: dict[tuple[str, str], _Module] = {}
    for m in mains:
        for r in m.data.get("Require") or []:
            entry = modules.setdefault((r["Path"], r["Version"]), _Module(r["Path"], r["Version"]))
            entry.explicit = True
    for key, entry in user.items():
        if entry.version and (entry.packages or key in modules):
            modules.setdefault(key, _Module(entry.path, entry.version, go=entry.go))
    selected: dict[str, str] = {}
    for path, version in modules:
        if path not in main_paths and (path not in selected or _version(version) > _version(selected[path])):
            selected[path] = version
    missing = []
    for (path, version), entry in modules.items():
        entry.replacement = _replacement(path, version, mains, work_replace)
        if path in main_paths:
            entry.go = _go_line(next(m.root for m in mains if m.data["Module"]["Path"] == path) / "go.mod")
            continue
        mine = user.get((path, selected[path]))
        if mine is not None:
            entry.go = entry.go or mine.go
        if version != selected[path]:
            continue
        entry.packages = dict(mine.packages) if mine is not None else {}
        if path in hook_needs:
            source = _module_source(path, version, entry.replacement, modcache)
            if source is None:
                missing.append(f"{path}@{version}")
            else:
                entry.go = entry.go or _go_line(source / "go.mod")
                for pkg, directory in _packages_in(source, path).items():
                    entry.packages.setdefault(pkg, directory)
    for (path, version), entry in modules.items():
        if path in selected and version != selected[path]:
            entry.go = entry.go or modules[(path, selected[path])].go
    return modules, missing


def _replacement(path: str, version: str, mains: list[_Main], work_replace: list[dict]) -> str:
    """What replaces path@version, as the go command resolves it: go.work
    first, then the modules' go.mod files (an exact version before a
    wildcard). A directory is absolute here."""
    for replaces, root in _replace_sources(mains, work_replace):
        for exact in (True, False):
            for r in replaces:
                old = r["Old"]
                if old["Path"] == path and old.get("Version", "") == (version if exact else ""):
                    return _target(r["New"], root)
    return ""


def _module_source(path: str, version: str, replacement: str, modcache: Path) -> Path | None:
    if replacement.startswith("/"):
        source = Path(replacement)
    elif replacement:
        path, version = replacement.split()
        source = modcache / f"{escape(path)}@{escape(version)}"
    else:
        source = modcache / f"{escape(path)}@{escape(version)}"
    return source if source.is_dir() else None


def _packages_in(root: Path, module: str) -> dict[str, Path]:
    """Directories of a module holding .go files, by import path, as the
    go command sees a module: no testdata, _ or . directories, no nested
    modules."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = [
            d
            for d in dirnames
            if not (d == "testdata" or d.startswith(("_", ".")) or d == "vendor" or (here / d / "go.mod").exists())
        ]
        if any(f.endswith(".go") for f in filenames):
            rel = here.relative_to(root).as_posix()
            found[module if rel == "." else f"{module}/{rel}"] = here
    return found


def _tail_replacements(mains: list[_Main], modules: dict, work_replace: list[dict]) -> list[tuple[str, str]]:
    """Replacements no entry shows (wildcards, unused ones), recorded at the
    end as `go work vendor` does: the consistency check looks for them."""
    main_paths = {m.data["Module"]["Path"] for m in mains}
    written = {key for key, e in modules.items() if e.replacement}
    tail = []
    for replaces, root in _replace_sources(mains, work_replace):
        for r in replaces:
            key = (r["Old"]["Path"], r["Old"].get("Version", ""))
            if key in written or (key[0] in main_paths and not key[1]):
                continue
            written.add(key)
            tail.append((" ".join(filter(None, key)), _target(r["New"], root)))
    return tail


def _replace_sources(mains: list[_Main], work_replace: list[dict]):
    """(replace directives, directory their paths are relative to), in the
    go command's order: go.work (written with absolute paths), then go.mod."""
    return [(work_replace, None)] + [(m.data.get("Replace") or [], m.root) for m in mains]


def _target(new: dict, root: Path | None) -> str:
    if new.get("Version"):
        return f"{new['Path']} {new['Version']}"
    return _absolute(root, new["Path"]) if root else new["Path"]


# --- writing -----------------------------------------------------------------


def _godebug(user_mains: list[_Main], workfile: Path) -> str:
    """go.work's go line may be newer than the user's go.mod (the hook
    modules need theirs): keep the user's GODEBUG defaults and settings,
    which a workspace takes from go.work only."""
    if len(user_mains) != 1 or not user_mains[0].data.get("Go"):
        return ""
    lines = [f"godebug default=go{user_mains[0].data['Go']}"] if _go_line(workfile) != user_mains[0].data["Go"] else []
    lines += [f"godebug {g['Key']}={g['Value']}" for g in user_mains[0].data.get("GoDebug") or []]
    return "".join(line + "\n" for line in lines)


def _render(modules: dict, tail: list[str], base: Path | None) -> str:
    """modules.txt; directories relative to base as the go command writes
    them (absolute when base is None, for the digest)."""
    out = ["## workspace"]
    for key in sorted(modules, key=lambda k: (k[0], _version(k[1]), k[1])):
        entry = modules[key]
        line = f"# {entry.path} {entry.version}"
        if entry.replacement:
            line += " => " + _directory(entry.replacement, base)
        out.append(line)
        notes = (["explicit"] if entry.explicit else []) + ([f"go {entry.go}"] if entry.go else [])
        if notes:
            out.append("## " + "; ".join(notes))
        out += sorted(entry.packages)
    out += [f"# {old} => {_directory(target, base)}" for old, target in tail]
    return "\n".join(out) + "\n"


def _directory(target: str, base: Path | None) -> str:
    if base is None or not target.startswith("/"):
        return target
    rel = os.path.relpath(target, base)
    return rel if rel.startswith("..") else "./" + rel


def _links(modules: dict) -> list[tuple[str, str]]:
    """(path in vendor/, what it holds): each package a directory of its
    own, its files and non-package subdirectories one by one (a package's
    directory may hold packages of other modules)."""
    packages = {pkg: src for e in modules.values() for pkg, src in e.packages.items()}
    parents = {p[:i] for p in packages for i in range(len(p) + 1) if i == len(p) or p[i] == "/"}
    links = []
    for pkg in sorted(packages):
        try:
            entries = sorted(os.scandir(packages[pkg]), key=lambda e: e.name)
        except OSError:
            continue
        for e in entries:
            if e.name != "testdata" and not (e.is_dir() and f"{pkg}/{e.name}" in parents):
                links.append((f"{pkg}/{e.name}", e.path))
    return links


# Files the compilers read: linked. Anything else may be embedded, and
# //go:embed refuses symbolic links, so it is hard-linked or copied.
_SOURCE_SUFFIXES = (".go", ".s", ".S", ".c", ".h", ".cc", ".cpp", ".cxx", ".hh", ".hpp", ".hxx", ".m", ".syso")


def _place(source: str, dest: Path) -> None:
    if source.endswith(_SOURCE_SUFFIXES) and not os.path.isdir(source):
        dest.symlink_to(source)
    elif os.path.isdir(source):
        shutil.copytree(source, dest, copy_function=_link_or_copy, ignore=shutil.ignore_patterns("testdata"))
    else:
        _link_or_copy(source, dest)


def _link_or_copy(source: str, dest) -> None:
    try:
        os.link(source, dest)
    except OSError:
        shutil.copy2(source, dest)


def _materialise(
    target: Path, gowork: str, modules: dict, tail: list[tuple[str, str]], links: list[tuple[str, str]]
) -> None:
    """Written aside and renamed into place: concurrent builds share it."""
    private_dir(target.parent)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    vendor = tmp / "vendor"
    for rel, source in links:
        dest = vendor / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        _place(source, dest)
    (tmp / "go.work").write_text(gowork)
    vendor.mkdir(parents=True, exist_ok=True)
    (vendor / MODULES_TXT).write_text(_render(modules, tail, target))
    try:
        os.rename(tmp, target)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)  # another build made it first
