"""Which rules apply to which packages of a build, and which hook packages
each program must link.

A rule applies to a package when the import paths are equal and the
package's version is in the rule's range: the Go toolchain's version for the
standard library, the module's version otherwise. ImportPath "main" stands
for every program (package main) the build produces.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from otelgo.gocmd.golist import GoEnv, Package
from otelgo.hookapi import PLUMBING, SDK
from otelgo.ruleset.model import FunctionRule, Rule, SpanRule
from otelgo.versions import Version, VersionError

MAIN = "main"

# The OpenTelemetry SDK's packages (go.opentelemetry.io/otel/sdk/trace, ...).
OTEL_SDK = "go.opentelemetry.io/otel/sdk/"


@dataclass
class Skipped:
    rule: Rule
    package: str
    version: str
    reason: str


@dataclass
class Match:
    """Rules matched by import path; what the shim sees under `-p`."""

    applied: dict[str, list[Rule]] = field(default_factory=dict)
    versions: dict[str, str] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)


def package_version(pkg: Package, env: GoEnv) -> Version | None:
    text = env.goversion if pkg.standard else pkg.module_version
    if not text:
        return None
    try:
        return Version.parse(text.split()[0])
    except VersionError:
        return None


# Packages no hook call may be spliced into, beyond the runtime and what it
# imports: what the trampolines and the hooks' panic reports rely on, and
# the sanitizers' runtimes.
_SENSITIVE = frozenset({"runtime", "unsafe", "sync/atomic", "internal/race", "runtime/race", "runtime/msan",
                        "runtime/asan", "runtime/cgo"})  # fmt: skip
SENSITIVE_REASON = (
    "the runtime and the packages it imports (and sync/atomic, the race detector's) get no hook calls: "
    "the trampolines and every hook run on them"
)


def runtime_sensitive(packages: list[Package]) -> frozenset[str]:
    """The packages of this build that function and span rules may not
    instrument: the runtime, everything it imports, and _SENSITIVE."""
    runtime = next((p for p in packages if p.import_path == "runtime"), None)
    return _SENSITIVE | frozenset(runtime.deps if runtime is not None else ())


def match_rules(rules: list[Rule], packages: list[Package], env: GoEnv) -> Match:
    by_path: dict[str, list[Rule]] = {}
    for rule in rules:
        by_path.setdefault(rule.ImportPath, []).append(rule)
    sensitive = runtime_sensitive(packages)
    result = Match()
    for pkg in packages:
        key = MAIN if pkg.is_command else pkg.import_path
        candidates = by_path.get(key, [])
        if not candidates or key in result.applied:
            continue
        version = package_version(pkg, env)
        shown = env.goversion if pkg.standard else (pkg.module_version or "(main module)")
        applied = []
        for rule in candidates:
            wanted = rule.version_range
            if pkg.standard and pkg.import_path in sensitive and isinstance(rule, (FunctionRule, SpanRule)):
                result.skipped.append(Skipped(rule, pkg.import_path, shown, SENSITIVE_REASON))
            elif wanted is None or version is None and not pkg.module_version and not pkg.standard:
                applied.append(rule)  # no range, or the user's own code, which has no version
            elif version is not None and wanted.contains(version):
                applied.append(rule)
            else:
                result.skipped.append(Skipped(rule, pkg.import_path, shown, f"version {shown} is outside {wanted}"))
        if applied:
            result.applied[key] = sorted(applied, key=lambda r: r.Order)
            result.versions[key] = shown
    return result


def leave_out_sdk_only(match: Match, commands: list[Package]) -> None:
    """Keep, on a package that no program links but through otelgo's SDK
    bootstrap and hook packages (grpc, which the OTLP exporters' protocol
    packages import; logr, the SDK's logger), only the rules of otelgo's
    plumbing (the SDK's own set-up, the goroutine context): no code of the
    program's runs through such a package, so a library's rules there would
    cost a splice and hook packages to trace nothing but the exporters' own
    calls, which are not traced.

    The OpenTelemetry SDK's own packages are the exception: every span of
    the program's starts there, whoever linked them, so a rule there stays
    when its hook package is linked for the program's packages anyway
    (net/http's, which hands an otelhttp handler the request's span)."""
    own = {MAIN} | {p.split(" [", 1)[0] for c in commands for p in (c.import_path, *c.deps)}
    linked = {r.hook_package for key in match.applied if key in own for r in match.applied[key]}
    for key in [k for k in match.applied if k not in own]:
        sdk = key.startswith(OTEL_SDK)
        kept = [r for r in match.applied[key] if r.hook_package in PLUMBING or sdk and r.hook_package in linked]
        if kept:
            match.applied[key] = kept
        else:
            del match.applied[key]
    match.skipped = [s for s in match.skipped if s.package in own]


def hook_packages_for(
    command: Package, packages: dict[str, Package], match: Match, base: list[str] | None = None
) -> list[str]:
    """The hook packages one program must import so that every hook that the
    instrumented packages in its binary call is linked in.

    Hook packages bring dependencies of their own (the SDK imports net/http,
    for one), which may be instrumented too, so this runs to a fixpoint.
    """
    base_set = set(base or [SDK])
    needed: set[str] = set(base_set)
    while True:
        in_binary = {command.import_path, *command.deps}
        for hook in needed:
            if hook in packages:
                in_binary.update([hook, *packages[hook].deps])
        # A test binary links the package under test (and what imports it) as
        # test variants, listed "pkg [pkg.test]": their rules are pkg's.
        in_binary = {p.split(" [", 1)[0] for p in in_binary}
        keys = {MAIN} | in_binary
        wanted = base_set | {r.hook_package for key in keys for r in match.applied.get(key, []) if r.hook_package}
        if wanted <= needed:
            return sorted(needed)
        needed |= wanted
