"""Which release of an OpenTelemetry contrib module goes with a core release.

otelgo's hook modules require OTel Go at one release and the contrib
modules of that release (autoexport, autoprop, otelgrpc...). A user's
module may require a newer core: minimal version selection then builds the
hooks' contrib modules, and the unstable modules they require (otel/log,
otel/sdk/log, the log exporters), against a core they were never built
with, and the build can fail in the module cache. The fix is to require
the contrib release made for the user's core. Which one that is, each
contrib release's go.mod says (the go.opentelemetry.io/otel it requires):
this reads it from the module proxy (through the go command) and keeps
the answers under otelgo's cache, so a warm build asks nothing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from otelgo.gocmd.golist import GoCommandError, run_go
from otelgo.resources import cache_dir, private_dir
from otelgo.versions import Version, VersionError

CORE = "go.opentelemetry.io/otel"


class ReleaseLookupError(Exception):
    pass


def matching_release(module: str, core: str) -> str | None:
    """The newest release of `module` whose go.mod requires a core no newer
    than `core` (so that the user's core stays the one selected), or None
    if every release needs a newer core."""
    answers = _load()
    key = f"{module} for {core}"
    if key not in answers:
        answers[key] = _search(module, Version.parse(core), answers)
        _store(answers)
    return answers[key]


def _search(module: str, core: Version, answers: dict) -> str | None:
    """Binary search over the module's releases: a newer contrib release
    never requires an older core. A proxy's list of versions may miss some
    (a mirror's often does) while the versions themselves resolve: from the
    newest listed one that fits, or below the oldest listed when none does,
    the releases around it are tried too."""
    releases = _releases(module)
    lo, hi, best = 0, len(releases) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        if _core_of(module, releases[mid], answers) <= core:
            best, lo = releases[mid], mid + 1
        else:
            hi = mid - 1
    if best is None and releases:
        best = _older_unlisted(module, releases[0], core, answers)
    return _newer_unlisted(module, best, core, answers) if best else None


def _fits(module: str, version: str, core: Version, answers: dict) -> bool:
    """module@version requires a core no newer than `core`; False for a
    version that does not resolve (the versions tried beside the listed
    ones need not exist)."""
    try:
        return _core_of(module, version, answers) <= core
    except ReleaseLookupError:
        return False


def _older_unlisted(module: str, oldest: str, core: Version, answers: dict) -> str | None:
    """The newest minor release below `oldest` that fits, tried one minor
    at a time down to the first that does not resolve."""
    major, minor, _ = Version.parse(oldest).release
    for below in range(minor - 1, -1, -1):
        candidate = f"v{major}.{below}.0"
        try:
            if _core_of(module, candidate, answers) <= core:
                return candidate
        except ReleaseLookupError:
            break
    return None


def _newer_unlisted(module: str, best: str, core: Version, answers: dict) -> str:
    """The releases after `best` that fit: its next patch, else the next
    minor, as long as they resolve."""
    while True:
        major, minor, patch = Version.parse(best).release
        for candidate in (f"v{major}.{minor}.{patch + 1}", f"v{major}.{minor + 1}.0"):
            if _fits(module, candidate, core, answers):
                best = candidate
                break
        else:
            return best


def _releases(module: str) -> list[str]:
    out = json.loads(_go(["list", "-m", "-versions", "-json", module]))
    parsed = []
    for text in out.get("Versions") or []:
        try:
            v = Version.parse(text)
        except VersionError:
            continue
        if not v.prerelease:
            parsed.append((v, text))
    return [text for _, text in sorted(parsed)]


def _core_of(module: str, version: str, answers: dict) -> Version:
    """The go.opentelemetry.io/otel that module@version's go.mod requires."""
    key = f"{module}@{version} requires"
    if key not in answers:
        info = json.loads(_go(["list", "-m", "-json", f"{module}@{version}"]))
        gomod = json.loads(_go(["mod", "edit", "-json", info["GoMod"]]))
        required = {r["Path"]: r["Version"] for r in gomod.get("Require") or []}
        if CORE not in required:
            raise ReleaseLookupError(f"{module}@{version} does not require {CORE}")
        answers[key] = required[CORE]
    return Version.parse(answers[key])


def _go(args: list[str]) -> str:
    """Outside any module and workspace: only the proxy and the module
    cache answer, not the user's go.mod or GOFLAGS."""
    env = dict(os.environ, GOWORK="off", GOFLAGS="")
    where = cache_dir()
    private_dir(where)
    try:
        return run_go(args, where, env)
    except GoCommandError as e:
        raise ReleaseLookupError(" ".join(str(e).split())) from None


def _path() -> Path:
    return cache_dir() / "otel-releases.json"


def _load() -> dict:
    try:
        return json.loads(_path().read_text())
    except (OSError, ValueError):
        return {}


def _store(answers: dict) -> None:
    path = _path()
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(answers, indent=1, sort_keys=True))
    os.replace(tmp, path)
