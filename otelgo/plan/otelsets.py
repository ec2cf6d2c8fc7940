"""The OpenTelemetry release sets otelgo can build a program with.

otelgo's hook modules need OpenTelemetry modules (the API and SDK, the
exporters, contrib packages), and those modules need gRPC, protobuf, x/net,
x/sys... at the versions their go.mod files name. Minimal version selection
takes the highest requirement of every module, so the OpenTelemetry
releases otelgo adds must not require more than the program's own build
list has, or the binary would link other versions of the program's own
dependencies than the ones its author tested.

A set is one OpenTelemetry core release (go.opentelemetry.io/otel vX) with,
for every OpenTelemetry module a hook module requires, the release made for
that core: the core's own version for the modules released with it, else
the newest release whose go.mod requires a core no newer than it. Each set
also records what its modules require of other modules (`requires`): the
versions a program's build list must have at least, for the set to leave
them as they are.

The table is data, rules/otelsets.json, so that the same inputs choose the
same set on every machine, with no look-up at build time. It is made by

    python -m otelgo.plan.otelsets

which reads the modules' go.mod files through the go command (the module
proxy); run it after changing the OpenTelemetry modules a hook module
requires (a unit test checks that every one has a version in the table).
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from otelgo.gocmd.gomodtext import requirements
from otelgo.plan import exporters
from otelgo.resources import rules_dir
from otelgo.versions import Version, is_newer

CORE = "go.opentelemetry.io/otel"
OTEL_PREFIX = "go.opentelemetry.io/"
TABLE = "otelsets.json"

# The oldest core a set may have: the SDK bootstrap, net/http, database/sql
# and the other hooks of the root module compile against it (the log export
# packages need v1.28.0: otelgo leaves them out of an older set).
OLDEST_CORE = "v1.24.0"

# Hook packages every program imports that build only with some cores (a
# library's hook packages say so in their rule file's header).
BASE_PACKAGES = {
    "otelgo.dev/rules/sdk/logs": "[1.28.0,)",
    "otelgo.dev/rules/sdk/logs/otlpgrpc": "[1.28.0,)",
    "otelgo.dev/rules/sdk/logs/console": "[1.28.0,)",
    "otelgo.dev/rules/sdk/otlpgrpc": None,
    "otelgo.dev/rules/sdk/console": None,
    "otelgo.dev/rules/sdk/prometheus": None,
}


def base_packages(linked: set[str] | None = None) -> dict[str, str | None]:
    """BASE_PACKAGES a build imports: those of exporters (plan/exporters.py)
    only when in linked, the set of hook packages the build's exporters add
    (all of them when None)."""
    optional = exporters.optional_packages()
    return {p: c for p, c in BASE_PACKAGES.items() if linked is None or p not in optional or p in linked}


# Modules that an OpenTelemetry module requires only for its own tests: they
# never provide a package to a program, so an older one in the program's
# build list does not rule a set out.
TEST_ONLY = frozenset(
    {
        "github.com/stretchr/testify",
        "github.com/stretchr/objx",
        "github.com/davecgh/go-spew",
        "github.com/pmezard/go-difflib",
        "gopkg.in/yaml.v3",
        "gopkg.in/check.v1",
        "github.com/kr/pretty",
        "github.com/kr/text",
        "github.com/rogpeppe/go-internal",
        "go.uber.org/goleak",
        "github.com/google/go-cmp",
    }
)


@dataclass(frozen=True)
class ReleaseSet:
    core: str
    modules: dict[str, str]  # OpenTelemetry module -> its release in this set (absent: none for this core)
    requires: dict[str, dict[str, str]]  # OpenTelemetry module -> what its release's go.mod requires

    def conflicts(self, build_list: dict[str, str], in_use: set[str] | None = None) -> dict[str, str]:
        """Modules of the build list that this set would raise: path -> the
        version the set needs. in_use: the OpenTelemetry modules the build's
        hook modules require (all of them when None)."""
        needs: dict[str, str] = {}
        for module, version in self.modules.items():
            if in_use is not None and module not in in_use:
                continue
            for path, need in {module: version, **self.requires.get(module, {})}.items():
                if path not in needs or is_newer(need, needs[path]):
                    needs[path] = need
        found = {}
        for path, need in sorted(needs.items()):
            have = build_list.get(path)
            if have is None or path in TEST_ONLY:
                continue
            if is_newer(need, have):
                found[path] = need
        return found


def table_path() -> Path:
    return rules_dir() / TABLE


@lru_cache(maxsize=1)
def release_sets() -> tuple[ReleaseSet, ...]:
    """Every set, newest core first."""
    data = json.loads(table_path().read_text())
    sets = [ReleaseSet(s["core"], dict(s["modules"]), dict(s["requires"])) for s in data["sets"]]
    return tuple(sorted(sets, key=lambda s: Version.parse(s.core), reverse=True))


def set_for_core(core: str) -> ReleaseSet | None:
    return next((s for s in release_sets() if s.core == core), None)


# ---------------------------------------------------------------------------
# Making the table (maintainers, with the module proxy).


def _go(args: list[str]) -> str:
    import subprocess

    env = dict(os.environ, GOWORK="off", GOFLAGS="")
    proc = subprocess.run(["go", *args], capture_output=True, text=True, env=env, cwd="/")
    if proc.returncode != 0:
        raise LookupError(proc.stderr.strip())
    return proc.stdout


@cache
def _gomod(module: str, version: str) -> dict[str, str] | None:
    """module@version's requirements, None if the proxy has no such version."""
    try:
        info = json.loads(_go(["mod", "download", "-json", f"{module}@{version}"]))
    except (LookupError, ValueError):
        return None
    if info.get("Error") or not info.get("GoMod"):
        return None
    return {r.path: r.version for r in requirements(Path(info["GoMod"]).read_text())}


def _listed(module: str) -> list[Version]:
    out = json.loads(_go(["list", "-m", "-versions", "-json", module]))
    found = []
    for text in out.get("Versions") or []:
        v = Version.parse(text)
        if not v.prerelease:
            found.append(v)
    return sorted(found)


@cache
def _releases(module: str) -> list[str]:
    """The module's releases: the proxy's list, and the minor releases
    between its entries that a mirror's list may miss (x.y.0 to x.y.2)."""
    listed = _listed(module)
    if not listed:
        return []
    from concurrent.futures import ThreadPoolExecutor

    found = {str(v) for v in listed}
    probes = []
    for major in sorted({v.release[0] for v in listed}):
        top = max(v.release[1] for v in listed if v.release[0] == major)
        probes += [f"v{major}.{minor}.{patch}" for minor in range(top + 1) for patch in range(2)]
    probes = [p for p in probes if p not in found]
    with ThreadPoolExecutor(8) as pool:
        exists = list(pool.map(lambda text: _gomod(module, text) is not None, probes))
    found.update(p for p, ok in zip(probes, exists, strict=True) if ok)
    return sorted(found, key=Version.parse)


def _release_for(module: str, core: str, train: bool) -> str | None:
    if module == CORE:
        return core
    if train:
        return core if _gomod(module, core) is not None else None
    best = None
    for version in _releases(module):
        requires = _gomod(module, version) or {}
        needs = requires.get(CORE)
        if needs and not is_newer(needs, core):
            best = version
    return best


@lru_cache(maxsize=1)
def hook_module_requirements() -> dict[str, str]:
    """The OpenTelemetry modules the hook modules require directly, with the
    version rules/go.mod (or the first hook module naming it) gives."""
    found: dict[str, str] = {}
    for gomod in sorted(rules_dir().glob("**/go.mod")):
        text = gomod.read_text()
        for path, version, comment in re.findall(
            r"^\s*(?:require\s+)?(go\.opentelemetry\.io/\S+)\s+(v\S+)\s*(//.*)?$", text, re.MULTILINE
        ):
            if "indirect" not in comment:
                found.setdefault(path, version)
    return found


def _consistent(entry: dict) -> dict:
    """A module another of the set's releases requires is taken at the
    version that release requires (as minimal version selection would
    select it), not at its own newest release for the core: a mirror may
    list a later patch of one module of a release train only (otel/log
    v0.12.2 beside sdk/log v0.12.0), which the rest was not built with."""
    modules = entry["modules"]
    for _ in range(3):
        requires = {
            module: {p: v for p, v in sorted((_gomod(module, version) or {}).items()) if p not in TEST_ONLY}
            for module, version in modules.items()
        }
        wanted = {}
        for needs in requires.values():
            for path, version in needs.items():
                if path in modules and (path not in wanted or is_newer(version, wanted[path])):
                    wanted[path] = version
        if all(modules[p] == v for p, v in wanted.items()):
            break
        modules.update(wanted)
    entry["requires"] = requires
    return entry


def make_table(cores: list[str]) -> dict:
    wanted = hook_module_requirements()
    ours = wanted[CORE]
    sets = []
    for core in cores:
        modules = {}
        for module, version in sorted(wanted.items()):
            release = _release_for(module, core, train=version == ours)
            if release:
                modules[module] = release
        sets.append(_consistent({"core": core, "modules": modules, "requires": {}}))
        print(f"{core}: {len(modules)} modules", file=sys.stderr)
    return {
        "comment": "Made by `python -m otelgo.plan.otelsets`; see otelgo/plan/otelsets.py.",
        "sets": sets,
    }


def _cores() -> list[str]:
    ours = Version.parse(hook_module_requirements()[CORE])
    oldest = Version.parse(OLDEST_CORE)
    return [str(v) for v in _listed(CORE) if oldest <= v <= ours and v.release[2] == 0]


def main() -> None:
    if sys.argv[1:] == ["--consistent"]:  # redo only the consistency pass of the table as it is
        table = json.loads(table_path().read_text())
        table["sets"] = [_consistent(entry) for entry in table["sets"]]
    else:
        table = make_table(_cores())
    table_path().write_text(json.dumps(table, indent=1) + "\n")
    print(f"wrote {table_path()}", file=sys.stderr)


if __name__ == "__main__":
    main()
