"""Make the hook modules available to the build without touching the user's files.

In module mode the go command is pointed at a copy of the user's go.mod in
the build dir (-modfile=.../otel.mod, with otel.sum beside it) that also
requires and replaces the hook modules. In workspace mode, where -modfile is
refused, a go.work in the build dir (passed as GOWORK) uses the user's
modules and the hook modules.

rules/ holds one root hook module (otelgo.dev/rules: the API, the SDK setup
and the standard library's hooks) and one module per third-party library,
which requires the lowest version of the library its rules support. A
library's hook module joins the build only when the user's modules require
that library, so otelgo never adds a library to a build, and never raises
one above what the user's own go.mod asks for.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from otelgo.gocmd.golist import GoEnv, run_go
from otelgo.hookapi import ROOT_MODULE
from otelgo.plan import otelreleases, vendor
from otelgo.resources import rules_dir
from otelgo.ruleset.load import rule_source
from otelgo.ruleset.model import Rule
from otelgo.versions import Version, VersionError

CONTRIB = "go.opentelemetry.io/contrib/"


@dataclass(frozen=True)
class HookModule:
    path: str
    dir: Path


@dataclass
class ModuleSetup:
    flags: list[str] = field(default_factory=list)  # go flags for every go command of the build
    env: dict[str, str] = field(default_factory=dict)
    hook_modules: list[HookModule] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # libraries left uninstrumented, and why
    modfile: Path | None = None  # the go.mod copy (module mode)
    aligned: dict[str, str] = field(default_factory=dict)  # contrib releases required for the user's OTel
    vendor: vendor.VendorSetup | None = None  # vendor mode: otelgo's vendor directory


class ModuleError(Exception):
    pass


@lru_cache(maxsize=1)
def hook_modules() -> tuple[HookModule, ...]:
    """The root hook module and every module nested in a library's folder
    (a folder rules/<lib>/<sub>/go.mod is the module otelgo.dev/rules/<lib>/<sub>)."""
    root = rules_dir()
    found = [HookModule(ROOT_MODULE, root)]
    for gomod in sorted(root.glob("*/**/go.mod")):
        found.append(HookModule(f"{ROOT_MODULE}/{gomod.parent.relative_to(root).as_posix()}", gomod.parent))
    return tuple(found)


def module_of(package: str) -> HookModule | None:
    """The hook module that holds a hook package (longest module path prefix)."""
    best = None
    for m in hook_modules():
        if (package == m.path or package.startswith(m.path + "/")) and (best is None or len(m.path) > len(best.path)):
            best = m
    return best


def prepare(
    env: GoEnv, build_dir: Path, user_modfile: str | None, cwd: Path, rules: list[Rule], mod_flag: str | None = None
) -> ModuleSetup:
    notes: list[str] = []
    vendored = vendor.user_vendor_dir(env, mod_flag)
    if env.gowork and env.gowork != "off":
        work = json.loads(run_go(["work", "edit", "-json", env.gowork], cwd))
        base = Path(env.gowork).parent
        gomods = [(base / u["DiskPath"]).resolve() / "go.mod" for u in work.get("Use") or []]
        required = _required_modules(gomods, cwd)
        needed = _needed(rules, required, notes) + _user_hook_modules(rules, required)
        setup = _workspace(work, base, build_dir, needed)
        setup.notes = notes
        align_opentelemetry(setup, required, build_dir, cwd)
        return _vendored(setup, vendored, env)
    if not env.gomod or env.gomod in ("/dev/null", "NUL"):
        raise ModuleError(
            "otel go build needs a Go module: run it in a directory with a go.mod "
            "(create one with `go mod init example.com/app`)"
        )
    if vendored and user_modfile:
        raise ModuleError(
            f"-modfile cannot be combined with vendor mode ({vendored}) in otel go build: "
            "add -mod=mod or -mod=readonly to build without the vendor directory"
        )
    gomod = (cwd / user_modfile).resolve() if user_modfile else Path(env.gomod)
    required = _required_modules([gomod], cwd)
    needed = _needed(rules, required, notes) + _user_hook_modules(rules, required)
    if vendored:
        # Vendor mode reads modules.txt beside go.mod or go.work only: the
        # module is built as a workspace of one, whose vendor/ is otelgo's.
        work = {"Go": _go_directive(gomod), "Use": [{"DiskPath": "."}]}
        setup = _workspace(work, gomod.parent, build_dir, needed)
    else:
        setup = _module(gomod, build_dir, needed)
    setup.notes = notes
    align_opentelemetry(setup, required, build_dir, cwd)
    return _vendored(setup, vendored, env)


def _vendored(setup: ModuleSetup, user_vendor: Path | None, env: GoEnv) -> ModuleSetup:
    if user_vendor is not None:
        setup.vendor = vendor.prepare(Path(setup.env["GOWORK"]), user_vendor, [m.dir for m in setup.hook_modules], env)
        setup.env["GOWORK"] = str(setup.vendor.gowork)
    return setup


def _user_hook_modules(rules: list[Rule], required: set[str]) -> list[HookModule]:
    """A user's rule file may sit in a Go module of its own that holds its
    hooks (not one the build already has): that module joins the build."""
    found: dict[str, HookModule] = {}
    for rule in rules:
        source = rule_source(rule)
        if not rule.hook_package or source is None or source.is_relative_to(rules_dir()):
            continue
        module = _enclosing_module(source.parent)
        if module is None or module.path in required or module.path in found:
            continue
        if rule.hook_package == module.path or rule.hook_package.startswith(module.path + "/"):
            found[module.path] = module
    return list(found.values())


def _enclosing_module(directory: Path) -> HookModule | None:
    for d in [directory, *directory.parents]:
        gomod = d / "go.mod"
        if gomod.is_file():
            m = re.search(r"^module\s+(\S+)", gomod.read_text(), re.MULTILINE)
            return HookModule(m.group(1).strip('"'), d) if m else None
    return None


def _required_modules(gomods: list[Path], cwd: Path) -> dict[str, str]:
    """Every module the user's go.mod files name, with the version asked for:
    their own ("") and what they require (since Go 1.17, every module that
    provides a package of the build)."""
    required: dict[str, str] = {}
    for gomod in gomods:
        data = json.loads(run_go(["mod", "edit", "-json", str(gomod)], cwd))
        required[data["Module"]["Path"]] = ""
        required.update({r["Path"]: r["Version"] for r in data.get("Require") or []})
    # What the root hook module requires is in every build, at that version
    # or newer: grpc, for one, which the SDK set-up's OTLP/gRPC exporter
    # links. Such a library's hook module must join every build. Were it
    # spliced in some builds and not in others, with the same sources and
    # tool ID, the go command would serve each build the other's archive:
    # a library left uninstrumented, or calling hooks the program lacks
    # (a link error).
    root = json.loads(run_go(["mod", "edit", "-json", str(hook_modules()[0].dir / "go.mod")], cwd))
    for r in root.get("Require") or []:
        required[r["Path"]] = _newer(required.get(r["Path"]), r["Version"])
    return required


def _newer(a: str | None, b: str) -> str:
    """The newer of two required versions; a, if b cannot be compared
    ("" for the user's own module)."""
    if a is None:
        return b
    try:
        return a if Version.parse(a) >= Version.parse(b) else b
    except VersionError:
        return a


def _needed(rules: list[Rule], required: dict[str, str], notes: list[str]) -> list[HookModule]:
    needed = {ROOT_MODULE: hook_modules()[0]}
    refused: set[str] = set()
    for rule in rules:
        m = module_of(rule.hook_package) if rule.hook_package else None
        if m is None or m.path in needed or m.path in refused:
            continue
        if _is_std_or_main(rule.ImportPath):
            needed[m.path] = m
            continue
        library = _library_module(rule.ImportPath, required)
        if library is None:
            continue
        too_old = _below_minimum(m, library, required[library])
        if too_old:
            refused.add(m.path)
            notes.append(too_old)
        else:
            needed[m.path] = m
    return list(needed.values())


def _library_module(import_path: str, required: dict[str, str]) -> str | None:
    """The module of the build that provides import_path: the longest module
    path that is import_path or a prefix of it. A path whose next element is
    a major version suffix belongs to another module (github.com/labstack/echo/v4
    is not a package of github.com/labstack/echo): a user of echo v3 does not
    bring in the hook module of echo v4, nor the versions it requires."""
    best = None
    for mod in required:
        if import_path != mod and not (
            import_path.startswith(mod + "/") and not _MAJOR_SUFFIX.match(import_path[len(mod) + 1 :])
        ):
            continue
        if best is None or len(mod) > len(best):
            best = mod
    return best


_MAJOR_SUFFIX = re.compile(r"v[0-9]+(/|$)")


def _below_minimum(m: HookModule, library: str, version: str) -> str | None:
    """Joining would raise the user's library to the hook module's minimum:
    rather than upgrade anything, leave that library uninstrumented."""
    want = _direct_requirements(m.dir / "go.mod").get(library)
    if not want or not version:
        return None
    try:
        if Version.parse(version) >= Version.parse(want):
            return None
    except VersionError:
        return None
    return f"{library} {version} is older than {want}, the oldest version {m.path} supports: its rules are left out"


def _direct_requirements(gomod: Path) -> dict[str, str]:
    text = gomod.read_text()
    lines = re.findall(r"^\s*(?:require\s+)?([\w.~/-]+\.[\w.~/-]+)\s+(v\S+)\s*(//.*)?$", text, re.MULTILINE)
    return {path: version for path, version, comment in lines if "indirect" not in comment}


def _is_std_or_main(import_path: str) -> bool:
    return "." not in import_path.split("/", 1)[0]


def _module(gomod: Path, build_dir: Path, needed: list[HookModule]) -> ModuleSetup:
    lines = [
        gomod.read_text().rstrip("\n"),
        "",
        "// Added by otelgo for this build only; the user's go.mod is not changed.",
    ]
    lines += [f"require {m.path} v0.0.0" for m in needed]
    lines += [f"replace {m.path} => {_quote(m.dir)}" for m in needed]
    modfile = build_dir / "otel.mod"
    modfile.write_text("\n".join(lines) + "\n")
    _merge_sums(build_dir / "otel.sum", [gomod.with_suffix(".sum")] + [m.dir / "go.sum" for m in needed])
    return ModuleSetup(flags=[f"-modfile={modfile}"], hook_modules=needed, modfile=modfile)


def _workspace(work: dict, base: Path, build_dir: Path, needed: list[HookModule]) -> ModuleSetup:
    # A workspace's go line must be at least every module's.
    go = _newest_go([work.get("Go") or ""] + [_go_directive(m.dir / "go.mod") for m in needed])
    lines = [f"go {go}"] if go else []
    if work.get("Toolchain"):
        lines.append(f"toolchain {work['Toolchain']}")
    uses = [(base / u["DiskPath"]).resolve() for u in work.get("Use") or []]
    lines += [f"use {_quote(u)}" for u in uses] + [f"use {_quote(m.dir)}" for m in needed]
    for r in work.get("Replace") or []:
        old = r["Old"]["Path"] + (" " + r["Old"]["Version"] if r["Old"].get("Version") else "")
        new = r["New"]["Path"]
        new = new + " " + r["New"]["Version"] if r["New"].get("Version") else _quote((base / new).resolve())
        lines.append(f"replace {old} => {new}")
    workfile = build_dir / "go.work"
    workfile.write_text("\n".join(lines) + "\n")
    _merge_sums(build_dir / "go.work.sum", [base / "go.work.sum"] + [m.dir / "go.sum" for m in needed])
    return ModuleSetup(env={"GOWORK": str(workfile)}, hook_modules=needed)


def align_opentelemetry(setup: ModuleSetup, selected: dict[str, str], build_dir: Path, cwd: Path) -> bool:
    """When the user's modules select a newer OpenTelemetry core than the
    hook modules require, require the contrib releases made for that core
    too (their go.mod files bring the matching otel/log, sdk/log, exporters
    and the rest): the user's version wins and the hooks build against it.
    selected: module path -> version the build selects (or the go.mod files
    require). True if the build's requirements changed."""
    core = selected.get(otelreleases.CORE)
    ours = _direct_requirements(hook_modules()[0].dir / "go.mod").get(otelreleases.CORE)
    if not core or not ours or not _is_newer(core, ours):
        return False
    wanted: dict[str, str] = {}
    for m in setup.hook_modules:
        for path, version in _direct_requirements(m.dir / "go.mod").items():
            if not path.startswith(CONTRIB) or path in wanted:
                continue
            try:
                release = otelreleases.matching_release(path, core)
            except otelreleases.ReleaseLookupError as e:
                raise ModuleError(
                    f"this build selects {otelreleases.CORE} {core}, newer than {ours} that otelgo's "
                    f"hooks require, and otelgo could not look up the release of {path} made for it: {e}"
                ) from None
            if release and _is_newer(release, setup.aligned.get(path, version)):
                wanted[path] = release
    if not wanted:
        return False
    setup.aligned.update(wanted)
    if setup.modfile is not None:
        run_go(["mod", "edit", *(f"-require={p}@{v}" for p, v in sorted(wanted.items())), str(setup.modfile)], cwd)
    else:
        _use_requirements(Path(setup.env["GOWORK"]), build_dir / "opentelemetry", wanted)
    return True


def _is_newer(a: str, b: str) -> bool:
    try:
        return Version.parse(a) > Version.parse(b)
    except VersionError:
        return False


def _use_requirements(workfile: Path, directory: Path, wanted: dict[str, str]) -> None:
    """Workspace mode: go.work holds no requirements, but a module it uses
    does. One of our own, in the build dir, requires the releases; its
    go.sum, filled by go get, holds their sums (-mod=mod is refused here)."""
    directory.mkdir(exist_ok=True)
    gomod = directory / "go.mod"
    gomod.write_text(f"module otelgo.dev/build/opentelemetry\n\ngo {_go_directive(workfile) or '1.24.0'}\n")
    env = dict(os.environ, GOWORK="off", GOFLAGS="-mod=mod")
    run_go(["get", *(f"{p}@{v}" for p, v in sorted(wanted.items()))], directory, env)
    # go get may raise the module's go line; the workspace's must follow.
    go = _newest_go([_go_directive(workfile), _go_directive(gomod)])
    run_go(
        ["work", "edit", f"-go={go}", f"-use={directory}", str(workfile)],
        directory,
        dict(os.environ, GOWORK=str(workfile)),
    )


def _go_directive(gomod: Path) -> str:
    m = re.search(r"^go\s+(\S+)", gomod.read_text(), re.MULTILINE)
    return m.group(1) if m else ""


def _newest_go(versions: list[str]) -> str:
    """The highest go version; "1.24" (the language) sorts before "1.24.0"."""
    valid = [v for v in versions if v]
    return max(valid, key=lambda v: (Version.parse(v), v.count(".")), default="")


def _merge_sums(target: Path, sources: list[Path]) -> None:
    seen: dict[str, None] = {}
    for src in sources:
        if src.is_file():
            for line in src.read_text().splitlines():
                if line.strip():
                    seen.setdefault(line.strip(), None)
    target.write_text("".join(line + "\n" for line in seen))


def _quote(path: Path) -> str:
    return json.dumps(str(path))
