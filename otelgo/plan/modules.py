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
from functools import cache, lru_cache
from pathlib import Path

from otelgo.gocmd.golist import GoEnv, cached_output, go_stamp, mod_edit_json, run_go
from otelgo.gocmd.importpath import is_standard
from otelgo.gocmd.jsonstream import json_stream
from otelgo.hookapi import ROOT_MODULE, SDK, SPANS
from otelgo.plan import exporters, fitted, otelreleases, otelsets, semconvcopy, vendor
from otelgo.plan.generated import cached_file
from otelgo.plan.match import MAIN
from otelgo.resources import rules_dir
from otelgo.ruleset.load import rule_source
from otelgo.ruleset.model import Rule
from otelgo.versions import Version, VersionError, VersionRange, is_newer

CONTRIB = "go.opentelemetry.io/contrib/"

# The hook packages every instrumented program imports.
MANDATORY = (SDK, SPANS)

# Modules that only otelgo's packages bring into a program, required at
# least at these versions where the program's build list does not have
# them (where it does, its version stays). protobuf before v1.36.12 looks
# up a method named "Methods" by reflection, which since Go 1.26 keeps
# reflect's Methods iterator, and with it the linker keeps every exported
# method of every type in the binary (golang/protobuf#1704). The older
# release sets bring the old protobuf API too, whose releases before
# v1.5.4 do not compile against a protobuf that new (neither is in a
# build list without the other: the old API requires the new).
RAISED_WHERE_NEW = {"google.golang.org/protobuf": "v1.36.12", "github.com/golang/protobuf": "v1.5.4"}


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
    build_list: dict[str, str] = field(default_factory=dict)  # the user's build list: module -> version
    release_set: otelsets.ReleaseSet | None = None  # the OpenTelemetry releases chosen for this build
    candidates: list[otelsets.ReleaseSet] = field(default_factory=list)  # sets that fit, newest first
    choices: dict[str, Choice] = field(default_factory=dict)  # a candidate's core -> what it builds
    conflicts: dict[str, str] = field(default_factory=dict)  # no set fits: module -> version the oldest needs
    fitting: bool = False  # no set fits as released: the oldest is fitted to the build list (fitted.py)
    fitted_modules: list[fitted.Fitted] = field(default_factory=list)  # its modules built from copies
    fit_problem: str = ""  # why the oldest set could not be fitted
    overlay: dict[str, str] = field(default_factory=dict)  # hook module go.mod -> its go.mod for this build
    unavailable: dict[str, str] = field(default_factory=dict)  # hook package -> why the chosen set cannot build it
    exporter_packages: set[str] | None = None  # the exporters' packages a program may link (None: all)


@dataclass(frozen=True)
class Choice:
    """What a release set means for one build: the hook packages it cannot
    build (package -> why), and the OpenTelemetry modules the others need."""

    unavailable: dict[str, str]
    in_use: frozenset[str]


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


@cache
def module_of(package: str) -> HookModule | None:
    """The hook module that holds a hook package (longest module path prefix)."""
    best = None
    for m in hook_modules():
        if (package == m.path or package.startswith(m.path + "/")) and (best is None or len(m.path) > len(best.path)):
            best = m
    return best


def prepare(
    env: GoEnv,
    build_dir: Path,
    user_modfile: str | None,
    cwd: Path,
    rules: list[Rule],
    mod_flag: str | None = None,
    linked_exporters: tuple[str, ...] | None = None,
) -> ModuleSetup:
    notes: list[str] = []
    vendored = vendor.user_vendor_dir(env, mod_flag)
    if env.gowork and env.gowork != "off":
        work = json.loads(run_go(["work", "edit", "-json", env.gowork], cwd))
        base = Path(env.gowork).parent
        gomods = [(base / u["DiskPath"]).resolve() / "go.mod" for u in work.get("Use") or []]
        if missing := [str(g) for g in gomods if not g.is_file()]:
            # The go command refuses such a workspace: in its own words.
            run_go(["list", "-m"], cwd)
            raise ModuleError(f"{env.gowork} uses directories with no go.mod: {', '.join(missing)}")
        required = _required_modules(gomods, cwd)
        needed = _needed(rules, required, notes) + _user_hook_modules(rules, required)
        setup = _workspace(work, base, build_dir, needed)
        setup.notes = notes
        setup.build_list = _workspace_build_list(work, base, build_dir, cwd)
        _may_link(setup, linked_exporters)
        if not vendored:
            _choose_and_apply(setup, rules, needed, env, build_dir, cwd)
        align_opentelemetry(setup, required, build_dir, cwd)
        return _vendored(setup, vendored, env)
    if env.gomod == os.devnull:  # never vendored: user_vendor_dir() wants a go.mod or go.work
        return _outside_module(rules, build_dir, cwd, env, notes, linked_exporters)
    if not env.gomod:
        raise ModuleError(
            "otel go build needs module mode: GO111MODULE=off (GOPATH mode) builds without the "
            "go.mod files that bring the OpenTelemetry SDK; unset GO111MODULE or set it to on"
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
        setup.build_list = _vendored_build_list(vendored)
        _may_link(setup, linked_exporters)
    else:
        setup = _module(gomod, build_dir, needed)
        setup.build_list = user_build_list(gomod, build_dir, cwd)
        _may_link(setup, linked_exporters)
        _choose_and_apply(setup, rules, needed, env, build_dir, cwd)
    setup.notes = notes
    align_opentelemetry(setup, required, build_dir, cwd)
    return _vendored(setup, vendored, env)


def _outside_module(
    rules: list[Rule],
    build_dir: Path,
    cwd: Path,
    env: GoEnv,
    notes: list[str],
    linked_exporters: tuple[str, ...] | None,
) -> ModuleSetup:
    """Outside any module, go builds the files it is named against the
    standard library alone (gocmd/outside.py has let go refuse anything else). A
    workspace of otelgo's hook modules alone gives that build the SDK: the
    user has no go.mod to copy, nor a build list of their own."""
    required = _required_modules([], cwd)
    needed = _needed(rules, required, notes) + _user_hook_modules(rules, required)
    setup = _workspace({}, cwd, build_dir, needed)
    setup.notes = notes
    _may_link(setup, linked_exporters)
    _choose_and_apply(setup, rules, needed, env, build_dir, cwd)
    align_opentelemetry(setup, required, build_dir, cwd)
    return setup


def _choose_and_apply(
    setup: ModuleSetup, rules: list[Rule], needed: list[HookModule], env: GoEnv, build_dir: Path, cwd: Path
) -> None:
    choose_release_set(setup, hook_packages_of(rules, needed, setup.exporter_packages))
    if setup.fitting and setup.modfile is None:
        # The hook modules' own requirements would need fitting too there:
        # a workspace requires what its modules import, at their versions.
        setup.candidates, setup.choices, setup.fitting = [], {}, False
        setup.fit_problem = "otelgo fits a set to older modules in module mode only, not in a workspace (go.work)"
    if setup.fitting:
        _fit(setup, env, cwd)
    if setup.candidates:
        apply_release_set(setup, setup.candidates[0], build_dir)


def user_build_list(gomod: Path, build_dir: Path, cwd: Path) -> dict[str, str]:
    """`go list -m all` of the user's module as it is, without otelgo's
    modules: module path -> version (a module replaced by another version
    is that version; the main module and directory replacements are left
    out). Run on a copy of go.mod and go.sum, so that nothing of the
    user's is written even where the go command would complete them."""
    copy = build_dir / "user.mod"
    text = gomod.read_text()
    copy.write_text(text)
    if gomod.with_suffix(".sum").is_file():
        copy.with_suffix(".sum").write_text(gomod.with_suffix(".sum").read_text())
    env = dict(os.environ, GOWORK="off")

    def listed() -> str:
        return run_go(["list", "-m", "-json", "-mod=mod", f"-modfile={copy}", "all"], gomod.parent, env)

    # Cached: the build list is go.mod's, with the go.mod files of the
    # directories it replaces modules with (what is in the module cache
    # never changes under its path).
    key = [text.encode(), go_stamp()]
    for r in mod_edit_json(gomod).get("Replace") or []:
        if not r["New"].get("Version"):
            local = (gomod.parent / r["New"]["Path"]).resolve() / "go.mod"
            key.append(str(local).encode() + b"=" + (local.read_bytes() if local.is_file() else b""))
    return _module_versions(cached_output("buildlist", b"\0".join(key), listed))


def _workspace_build_list(work: dict, base: Path, build_dir: Path, cwd: Path) -> dict[str, str]:
    """The same for a workspace, through a copy of its go.work (and
    go.work.sum), which the go command may complete."""
    copy = build_dir / "userwork"
    copy.mkdir(exist_ok=True)
    _workspace(work, base, copy, [])
    env = dict(os.environ, GOWORK=str(copy / "go.work"))
    return _module_versions(run_go(["list", "-m", "-json", "all"], cwd, env))


def _module_versions(out: str) -> dict[str, str]:
    found = {}
    for m in json_stream(out):
        replace = m.get("Replace") or {}
        version = replace.get("Version") or m.get("Version") or ""
        if version and not m.get("Main"):
            found[m["Path"]] = version
    return found


def _vendored_build_list(vendor_dir: Path) -> dict[str, str]:
    """vendor/modules.txt: "# path version" lines (and "=> path version").
    None there (no vendor directory at all) is an empty build list: -mod=vendor
    builds a module that requires nothing without one."""
    found = {}
    listed = vendor_dir / "modules.txt"
    for line in listed.read_text().splitlines() if listed.is_file() else []:
        parts = line.split()
        if len(parts) >= 3 and parts[0] == "#" and parts[2].startswith("v"):
            found[parts[1]] = parts[5] if len(parts) >= 6 and parts[3] == "=>" else parts[2]
    return found


def _may_link(setup: ModuleSetup, linked: tuple[str, ...] | None) -> None:
    if linked is not None:
        setup.exporter_packages = exporters.packages(exporters.with_users(linked, setup.build_list))


def hook_packages_of(
    rules: list[Rule], needed: list[HookModule], linked: set[str] | None = None
) -> dict[str, str | None]:
    """The hook packages a build may import, but for the SDK's: package ->
    the OpenTelemetry cores its hooks build with (None: every one). linked:
    the exporters' packages the build asked for (otelsets.base_packages)."""
    joined = {m.path for m in needed}
    found: dict[str, str | None] = {}
    for r in rules:
        owner = module_of(r.hook_package) if r.hook_package else None
        if owner is not None and owner.path in joined:
            found.setdefault(r.hook_package, r.library.opentelemetry if r.library else None)
    found.update(otelsets.base_packages(linked))
    return found


def choose_release_set(setup: ModuleSetup, packages: dict[str, str | None]) -> None:
    """The OpenTelemetry sets, newest first, whose releases of what the SDK
    bootstrap needs require nothing newer than the user's build list has;
    each with the hook packages it leaves out (packages: those the build
    may import, with the cores their hooks build with): the ones that need
    a module the set has no release of, or another core, or whose modules'
    releases would raise one of the user's. A user whose core is newer than
    every set's gets the newest set, which align_opentelemetry then follows
    to the user's core."""
    sets = otelsets.release_sets()
    user_core = setup.build_list.get(otelsets.CORE)
    if user_core and is_newer(user_core, sets[0].core):
        setup.candidates = [sets[0]]
        setup.choices = {sets[0].core: evaluate(sets[0], {}, packages)}
        return
    for s in sets:
        if user_core and is_newer(user_core, s.core):
            # The SDK, its metrics and exporters of an older core than the
            # user's API do not build with it (its interfaces grow).
            continue
        choice = evaluate(s, setup.build_list, packages)
        if choice is not None:
            setup.candidates.append(s)
            setup.choices[s.core] = choice
    if not setup.candidates:
        older = [s for s in sets if not (user_core and is_newer(user_core, s.core))]
        oldest = (older or sets)[-1]
        conflicts = oldest.conflicts(setup.build_list, _mandatory_modules())
        # The program's own OpenTelemetry, older than the oldest set, is what
        # stops the build: the rest would be fitted once it is newer.
        own_otel = {m: v for m, v in conflicts.items() if m.startswith(otelsets.OTEL_PREFIX)}
        setup.conflicts = own_otel or conflicts
        if older and not own_otel:
            # Only modules the program shares with OpenTelemetry are older:
            # the oldest set is built against them (fitted.py). Its releases
            # stay what they are: the program's OpenTelemetry is not lowered.
            choice = evaluate(oldest, setup.build_list, packages, fitted=True)
            if choice is not None:
                setup.candidates, setup.choices, setup.fitting = [oldest], {oldest.core: choice}, True


def _fit(setup: ModuleSetup, env: GoEnv, cwd: Path) -> None:
    """The fitted copies of the chosen set's modules, each replacing its
    module in otelgo's go.mod copy; when they cannot be made, no set is
    chosen (the build stops with the conflicts)."""
    chosen = setup.candidates[0]
    in_use = setup.choices[chosen.core].in_use
    assert setup.modfile is not None
    # A module the user's go.mod replaces already is theirs to choose.
    theirs = {r["Old"]["Path"] for r in mod_edit_json(setup.modfile).get("Replace") or []}
    try:
        setup.fitted_modules = fitted.fit(
            {m: v for m, v in chosen.modules.items() if m in in_use}, setup.build_list, env.gomodcache, cwd, theirs
        )
    except fitted.FitError as e:
        setup.candidates, setup.choices, setup.fitting, setup.fit_problem = [], {}, False, str(e)
        return
    setup.conflicts = {}
    lines = [f"replace {f.module} => {_quote(f.copy)}" for f in setup.fitted_modules]
    with setup.modfile.open("a") as out:
        out.write("\n".join(lines) + "\n")


def _mandatory_modules() -> set[str]:
    return set().union(*(package_modules(p) for p in MANDATORY))


def evaluate(
    s: otelsets.ReleaseSet, build_list: dict[str, str], packages: dict[str, str | None], fitted: bool = False
) -> Choice | None:
    """What set s builds for a build with this build list: None when it
    cannot build the SDK bootstrap without raising a module of it. fitted:
    the bootstrap's modules are built against the build list (fitted.py),
    and so is another hook package that would raise only what the
    bootstrap would; one that would raise more (the Prometheus exporter's
    client_golang and client_model against an older protobuf) is left out:
    OpenTelemetry's code is known to build against the modules the
    bootstrap lowers, a third party's is not."""
    mandatory = _mandatory_modules()
    lowered = s.conflicts(build_list, mandatory)
    if any(m not in s.modules for m in mandatory) or lowered and not fitted:
        return None
    core = Version.parse(s.core)
    unavailable: dict[str, str] = {}
    in_use = set(mandatory)
    for package, cores in sorted(packages.items()):
        if package in MANDATORY:
            continue
        needs = package_modules(package)
        missing = sorted(m for m in needs if m not in s.modules)
        if missing:
            unavailable[package] = f"it needs {missing[0]}, which OpenTelemetry {s.core} does not have"
            continue
        if cores and not VersionRange.parse(cores).contains(core):
            unavailable[package] = (
                f"its hooks build with OpenTelemetry {cores}, and the one that fits this build is {s.core}"
            )
            continue
        if conflicts := {m: v for m, v in s.conflicts(build_list, needs).items() if m not in lowered}:
            module, need = next(iter(conflicts.items()))
            unavailable[package] = (
                f"what it needs of OpenTelemetry {s.core} requires {module} {need}, "
                f"and this build has {build_list[module]}"
            )
            continue
        in_use |= needs
    return Choice(unavailable, frozenset(in_use))


@cache
def package_modules(package: str) -> frozenset[str]:
    """The OpenTelemetry modules a hook package needs: those of the
    packages it imports, and of the hook packages it imports in turn."""
    if package == semconvcopy.COPY or package.startswith(semconvcopy.COPY + "/"):
        return semconvcopy.MODULES  # made at build time (semconvcopy.py): not on disk
    otel = sorted(otelsets.hook_module_requirements(), key=len, reverse=True)
    owner = module_of(package)
    if owner is None:
        return frozenset()
    directory = owner.dir / package[len(owner.path) :].lstrip("/")
    found: set[str] = set()
    for imp in sorted(_imports(directory)) if directory.is_dir() else []:
        module = next((m for m in otel if imp == m or imp.startswith(m + "/")), None)
        if module:
            found.add(module)
        elif imp.startswith(ROOT_MODULE + "/") and imp != package:
            found |= package_modules(imp)
    return frozenset(found)


def apply_release_set(setup: ModuleSetup, chosen: otelsets.ReleaseSet, build_dir: Path) -> None:
    """Each hook module's go.mod, as the go command sees it in this build
    (through -overlay), requires the chosen set's release of the
    OpenTelemetry modules it names that the build's hook packages need
    (none of those only the packages the set leaves out need), and of the
    rest only what it requires directly (see _gomod_for_set): the modules
    the OpenTelemetry releases need come from their own go.mod files, at
    the versions they name."""
    choice = setup.choices.get(chosen.core) or Choice({}, frozenset(chosen.modules))
    setup.release_set = chosen
    setup.overlay = {str(f.copy / "go.mod"): str(f.gomod) for f in setup.fitted_modules}
    setup.unavailable = dict(choice.unavailable)
    workspace = setup.modfile is None
    for m in setup.hook_modules:
        if not m.dir.is_relative_to(rules_dir()):
            continue  # a user's hook module: its go.mod is the user's
        # Under a digest of its text: the same path for the same go.mod in
        # every build (the plan's go list cache keys on the overlay).
        text = _gomod_for_set(m.dir / "go.mod", chosen, setup.build_list, choice.in_use, workspace)
        target = cached_file(text, ".mod")
        setup.overlay[str(m.dir / "go.mod")] = str(target)


def _gomod_for_set(
    gomod: Path,
    chosen: otelsets.ReleaseSet,
    build_list: dict[str, str],
    in_use: frozenset[str] | None = None,
    workspace: bool = False,
) -> str:
    """The hook module's go.mod for this build: OpenTelemetry modules at
    the chosen set's releases; other modules it requires directly only when
    neither the user's build list has them (there the user's version is
    the one selected, and the hooks build against it) nor the set's
    releases require them (prometheus/client_golang: at their version);
    indirect ones not at all: they come from the go.mod files of what is
    required. In workspace mode, where nothing completes otelgo's go.mod
    files and a module must require what its packages import, the other
    direct requirements stay, at the user's version or the one the set's
    releases require, whichever applies."""
    data = mod_edit_json(gomod)
    lines = [f"module {data['Module']['Path']}", "", f"go {data.get('Go') or '1.24.0'}", ""]
    for r in data.get("Require") or []:
        path, version = r["Path"], r["Version"]
        if path.startswith(otelsets.OTEL_PREFIX):
            version = chosen.modules.get(path)
            if version is None or in_use is not None and path not in in_use:
                continue
        elif r.get("Indirect"):
            continue
        elif path in build_list or any(path in needs for needs in chosen.requires.values()):
            if not workspace:
                continue
            version = build_list.get(path) or max(
                (needs[path] for needs in chosen.requires.values() if path in needs), key=Version.parse
            )
        lines.append(f"require {path} {version}")
    if data["Module"]["Path"] == ROOT_MODULE:
        lines += [f"require {path} {version}" for path, version in RAISED_WHERE_NEW.items() if path not in build_list]
    for r in data.get("Replace") or []:
        old = r["Old"]["Path"] + (" " + r["Old"]["Version"] if r["Old"].get("Version") else "")
        new = r["New"]["Path"]
        new = new + " " + r["New"]["Version"] if r["New"].get("Version") else _quote((gomod.parent / new).resolve())
        lines.append(f"replace {old} => {new}")
    return "\n".join(lines) + "\n"


_IMPORT_BLOCK = re.compile(r"^import\s*\(([^)]*)\)|^import\s+(?:[\w.]+\s+)?\"([^\"]+)\"", re.MULTILINE)


def _imports(directory: Path) -> set[str]:
    found: set[str] = set()
    for f in directory.glob("*.go"):
        if f.name.endswith("_test.go"):
            continue
        for block, single in _IMPORT_BLOCK.findall(f.read_text()):
            found.update(re.findall(r'"([^"]+)"', block) if block else [single])
    return found


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
        data = mod_edit_json(gomod, cwd)
        required[data["Module"]["Path"]] = ""
        required.update({r["Path"]: r["Version"] for r in data.get("Require") or []})
    # What the root hook module requires is in every build, at that version
    # or newer: grpc, for one, which the SDK set-up's OTLP/gRPC exporter
    # links. Such a library's hook module must join every build. Were it
    # spliced in some builds and not in others, with the same sources and
    # tool ID, the go command would serve each build the other's archive:
    # a library left uninstrumented, or calling hooks the program lacks
    # (a link error).
    root = mod_edit_json(hook_modules()[0].dir / "go.mod", cwd)
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
        if is_standard(rule.ImportPath) or rule.ImportPath == MAIN:
            needed[m.path] = m
            continue
        library = _library_module(rule.ImportPath, required)
        if library is None:
            continue
        too_old = _below_minimum(m, library, required[library], rules)
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


def _below_minimum(m: HookModule, library: str, version: str, rules: list[Rule]) -> str | None:
    """Joining would raise the user's library to the hook module's minimum:
    rather than upgrade anything, leave that library uninstrumented. The
    minimum is the lowest version the module's rules on the library claim
    (their Version ranges), else what its go.mod requires."""
    want = _rules_minimum(m, library, rules) or _direct_requirements(m.dir / "go.mod").get(library)
    if not want or not version:
        return None
    try:
        if Version.parse(version) >= Version.parse(want):
            return None
    except VersionError:
        return None
    return f"{library} {version} is older than {want}, the oldest version {m.path} supports: its rules are left out"


def _rules_minimum(m: HookModule, library: str, rules: list[Rule]) -> str | None:
    lows = []
    for rule in rules:
        if (
            rule.hook_package
            and module_of(rule.hook_package) == m
            and (rule.ImportPath == library or rule.ImportPath.startswith(library + "/"))
        ):
            try:
                r = rule.version_range
            except VersionError:
                continue
            if r is not None and r.low is not None:
                lows.append(r.low)
    return str(min(lows)) if lows else None


def _direct_requirements(gomod: Path) -> dict[str, str]:
    text = gomod.read_text()
    lines = re.findall(r"^\s*(?:require\s+)?([\w.~/-]+\.[\w.~/-]+)\s+(v\S+)\s*(//.*)?$", text, re.MULTILINE)
    return {path: version for path, version, comment in lines if "indirect" not in comment}


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
    if not core or not ours or not is_newer(core, ours):
        return False
    wanted: dict[str, str] = {}
    for m in setup.hook_modules:
        for path, version in _direct_requirements(m.dir / "go.mod").items():
            if not path.startswith(otelsets.OTEL_PREFIX) or path == otelreleases.CORE or path in wanted:
                continue
            if version == ours:  # released with the core (the exporters): the user's core
                if is_newer(core, setup.aligned.get(path, version)):
                    wanted[path] = core
                continue
            try:
                release = otelreleases.matching_release(path, core)
            except otelreleases.ReleaseLookupError as e:
                raise ModuleError(
                    f"this build selects {otelreleases.CORE} {core}, newer than {ours} that otelgo's "
                    f"hooks require, and otelgo could not look up the release of {path} made for it: {e}"
                ) from None
            if release and is_newer(release, setup.aligned.get(path, version)):
                wanted[path] = release
    if not wanted:
        return False
    setup.aligned.update(wanted)
    if setup.modfile is not None:
        run_go(["mod", "edit", *(f"-require={p}@{v}" for p, v in sorted(wanted.items())), str(setup.modfile)], cwd)
    else:
        _use_requirements(Path(setup.env["GOWORK"]), build_dir / "opentelemetry", wanted)
    return True


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
