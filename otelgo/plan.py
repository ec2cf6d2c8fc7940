"""Plan a build: list its packages, match the rules, and write the build dir.

The build dir (outside the user's tree) holds the -modfile go.mod/go.sum or
go.work, the -overlay JSON that adds the bootstrap file to each package main,
plan.json, which the shim reads for every compile it instruments, and its
plain-text index, which the shim reads for every compile.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from otelgo import __version__, modfile, vendor
from otelgo.annotations import annotated_rules
from otelgo.check import check_hooks
from otelgo.goflags import GoCommandLine
from otelgo.golist import GoEnv, Package, go_subprocess_env, list_deps
from otelgo.match import MAIN, SDK_PACKAGE, Match, hook_packages_for, match_rules
from otelgo.render import render
from otelgo.resources import cache_dir, package_dir, rules_dir, templates_dir
from otelgo.rules import SPAN_HOOKS, FileRule, Rule, RuleError, describe
from otelgo.shim import INDEX_NAME

BOOTSTRAP_FILE = "otelgo_bootstrap.go"


@dataclass
class Plan:
    build_dir: Path
    go_flags: list[str]  # added to the user's flags
    go_env: dict[str, str]  # added to the go command's environment
    packages: list[Package]
    match: Match
    commands: dict[str, list[str]] = field(default_factory=dict)  # package main -> hook packages
    extra_files: list[str] = field(default_factory=list)  # appended to a go-files build
    warnings: list[str] = field(default_factory=list)  # rules that found no function
    rules: list[Rule] = field(default_factory=list)  # every rule loaded
    linked: set[str] = field(default_factory=set)  # packages in the programs built
    own: set[str] = field(default_factory=set)  # ... of which the programs import without otelgo
    file_path: Path | None = None


def make_plan(
    cmd: GoCommandLine, env: GoEnv, builtin: list[Rule], user: list[Rule], build_dir: Path, cwd: Path
) -> Plan:
    rules = builtin + user
    setup = modfile.prepare(env, build_dir, cmd.values.get("modfile"), cwd, rules, cmd.values.get("mod"))
    list_env = go_subprocess_env(setup.env)
    available = {m.path for m in setup.hook_modules}
    rules = [r for r in rules if _hook_available(r, available)]
    hook_pkgs = sorted({r.hook_package for r in rules if r.hook_package} | {SDK_PACKAGE, SPAN_HOOKS})
    # In workspace mode the go command refuses -mod=mod; there the go.work.sum
    # we wrote must already hold every sum the hook module needs.
    mod_flags = [] if "GOWORK" in setup.env else ["-mod=mod"]
    flags = [f for f in cmd.plan_flags() if not f.startswith("-mod=")]
    testing = cmd.subcommand == "test"

    def listed() -> list[Package]:
        return list_deps(
            [*(cmd.packages or ["."]), *hook_pkgs], [*setup.flags, *mod_flags, *flags], cwd, list_env, tests=testing
        )

    packages = listed()
    # A newer OpenTelemetry that the user's go.mod does not name (a
    # dependency's requirement) shows only in what the build selects.
    if modfile.align_opentelemetry(setup, {p.module_path: p.module_version for p in packages}, build_dir, cwd):
        packages = listed()
    if setup.vendor is not None and (problem := vendor.incomplete(packages, setup.vendor)):
        raise PlanError(problem)
    _check_hooks_listed(packages, hook_pkgs, rules)
    match = match_rules(rules, packages, env)
    _add_annotated(match, packages, env)
    by_path = {p.import_path: p for p in packages}
    user_targets = _user_targets(cmd, packages, hook_pkgs)
    verdict = check_hooks(match.applied, by_path, user_targets, cache_dir() / "checked", describe)
    if verdict.problems:
        raise PlanError("\n".join(verdict.problems) + "\nno package was compiled: fix these hooks and build again")
    plan = Plan(
        build_dir,
        list(setup.flags),
        dict(setup.env),
        packages,
        match,
        warnings=setup.notes + verdict.missing,
        rules=builtin + user,
    )
    overlay: dict[str, str] = {}
    for command, host in _bootstrap_hosts(user_targets, by_path, testing):
        hooks = hook_packages_for(command, by_path, match)
        plan.commands[command.import_path] = hooks
        own = {command.import_path, *command.deps}
        plan.own |= own
        plan.linked |= own | {MAIN}
        for hook in hooks:
            plan.linked |= {hook, *by_path[hook].deps} if hook in by_path else set()
        target = host.dir / _bootstrap_name(host, testing)
        overlay[str(target)] = str(_generated(env, "bootstrap.go.j2", package=host.name, imports=hooks))
        if command.import_path == "command-line-arguments":
            plan.extra_files.append(str(target))
    stamped = _stamp_local_packages(env, packages, user_targets, match, user, overlay)
    overlay_path = _write_overlay(build_dir, overlay, cmd.values.get("overlay"), cwd)
    plan.go_flags.append(f"-overlay={overlay_path}")
    # A user rule that applies nowhere, or only to the user's own packages
    # (stamped), changes no compile the tool ID keys.
    applied = {r for rules in match.applied.values() for r in rules}
    token_rules = builtin + [r for r in user if r in applied and r not in stamped]
    plan.file_path = _write_plan_file(build_dir, env, token_rules, match)
    return plan


def _add_annotated(match: Match, packages: list[Package], env: GoEnv) -> None:
    """Span rules from //otel:span comments in the user's own packages. The
    comments are in the sources, which key the cache already: these rules
    stay out of the instrumentation token."""
    for pkg in packages:
        if not _is_local(pkg, env):
            continue
        key = MAIN if pkg.is_command else pkg.import_path
        found = annotated_rules(pkg, key)
        if found:
            match.applied.setdefault(key, []).extend(found)
            match.versions.setdefault(key, "(main module)")


def _is_local(pkg: Package, env: GoEnv) -> bool:
    """A package of the user's own modules: the overlay can add files to it."""
    if pkg.standard or pkg.dir is None:
        return False
    return not any(pkg.dir.is_relative_to(d) for d in (env.gomodcache, env.goroot, rules_dir(), vendor.cache_root()))


def _stamp_local_packages(env, packages, commands, match, user, overlay) -> set[Rule]:
    """User rules on the user's own packages are keyed into the go command's
    cache through a stamp file in each such package (an overlay), not through
    the tool ID: changing such a rule rebuilds that package, not the whole
    standard library. Returns the rules handled this way."""
    user_set = set(user)
    stamped: set[Rule] = set()
    targets: dict[str, tuple[Package, list[Rule]]] = {}
    for pkg in packages:
        key = MAIN if pkg.is_command else pkg.import_path
        rules = [r for r in match.applied.get(key, []) if r in user_set]
        if rules and _is_local(pkg, env):
            targets[pkg.import_path] = (pkg, rules)
    # A rule is stamped only if every package it applies to is local.
    for rule in user:
        applies = [p for p in packages if rule in match.applied.get(MAIN if p.is_command else p.import_path, [])]
        if applies and all(p.import_path in targets for p in applies):
            stamped.add(rule)
    for pkg, rules in targets.values():
        digest = hashlib.sha256(_rules_digest_input(rules)).hexdigest()[:16]
        overlay[str(pkg.dir / "otelgo_rules.go")] = str(
            _generated(env, "rules_stamp.go.j2", package=pkg.name, digest=digest)
        )
    return stamped


class PlanError(Exception):
    pass


def _hook_available(rule: Rule, modules: set[str]) -> bool:
    """Built-in rules for libraries the build does not require are dropped;
    a user's rule's hooks live outside rules/ and always stay."""
    m = modfile.module_of(rule.hook_package) if rule.hook_package else None
    return m is None or m.path in modules


def _check_hooks_listed(packages: list[Package], hook_pkgs: list[str], rules: list[Rule]) -> None:
    """A hook package the go command cannot load: one line for each rule
    that names it, in the words of the other rule errors."""
    broken = {p.import_path: " ".join(p.error.split()) for p in packages if p.import_path in hook_pkgs and p.error}
    if not broken:
        return
    hint = (
        "a rule's hook package must be in your module, in a module your go.mod requires, "
        "or in the Go module that holds the rule file"
    )
    problems = [
        f"{describe(r)}: Path: hook package {r.hook_package} cannot be loaded ({broken[r.hook_package]}); {hint}"
        for r in rules
        if r.hook_package in broken
    ]
    if not problems:  # otelgo's own hook packages: an incomplete installation
        raise PlanError("; ".join(f"hook package {path}: {error}" for path, error in broken.items()))
    raise RuleError(problems)


def _user_targets(cmd: GoCommandLine, packages: list[Package], hook_pkgs: list[str]) -> list[Package]:
    return [p for p in packages if p.is_command and p.import_path not in hook_pkgs]


def _bootstrap_hosts(commands: list[Package], by_path: dict[str, Package], testing: bool):
    """(binary, package that gets the bootstrap file) pairs. A program's
    bootstrap joins its package main; a test binary's joins the package under
    test as a _test.go file, since the go command generates the test main."""
    for command in commands:
        if not testing:
            if command.dir is not None:
                yield command, command
            continue
        tested = by_path.get(command.import_path.removesuffix(".test"))
        if command.import_path.endswith(".test") and tested is not None and tested.dir is not None:
            yield command, tested


def _bootstrap_name(host: Package, testing: bool) -> str:
    # Never shadow a file of the user's: the overlay would replace it.
    suffix = "_test.go" if testing else ".go"
    name, n = BOOTSTRAP_FILE.removesuffix(".go") + suffix, 1
    while host.dir is not None and (host.dir / name).exists():
        n += 1
        name = f"otelgo_bootstrap{n}{suffix}"
    return name


def _generated(env: GoEnv, template: str, **context) -> Path:
    """The file a template renders to with this context. The path is kept
    under a digest of the template and the context, so that a plan that
    rendered the same before neither renders nor imports jinja2."""
    key = json.dumps([template, (templates_dir() / template).read_text(), context], sort_keys=True)
    memo = cache_dir() / "rendered" / hashlib.sha256(key.encode()).hexdigest()[:24]
    try:
        path = Path(memo.read_text())
        if path.exists():
            return path
    except OSError:
        pass
    path = _write_generated(env, render(template, **context))
    _write_atomically(memo, str(path))
    return path


def _write_generated(env: GoEnv, text: str) -> Path:
    """Content-addressed, so that the file's path is the same in every build
    that needs the same text (the go command's cache keys stay stable)."""
    digest = hashlib.sha256(text.encode()).hexdigest()[:24]
    path = cache_dir() / "generated" / f"{digest}.go"
    if not path.exists():
        _write_atomically(path, text)
    return path


def _write_atomically(path: Path, text: str) -> None:
    """Concurrent builds share the cache: a reader sees all or nothing."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _write_overlay(build_dir: Path, ours: dict[str, str], user_overlay: str | None, cwd: Path) -> Path:
    replace = {}
    if user_overlay:
        replace.update(json.loads((cwd / user_overlay).read_text()).get("Replace", {}))
    replace.update(ours)
    path = build_dir / "overlay.json"
    path.write_text(json.dumps({"Replace": replace}, indent=1))
    return path


def _write_plan_file(build_dir: Path, env: GoEnv, rules: list[Rule], match: Match) -> Path:
    token = instrumentation_token(rules)
    plan = {
        "otelgo": __version__,
        "token": token,
        "python_path": [p for p in sys.path if p],
        "goversion": env.goversion,
        "packages": {
            key: {"version": match.versions[key], "rules": [r.to_dict() for r in applied]}
            for key, applied in match.applied.items()
        },
    }
    path = build_dir / "plan.json"
    path.write_text(json.dumps(plan, indent=1))
    write_shim_index(build_dir, token, plan["packages"])
    return path


def write_shim_index(build_dir: Path, token: str, packages) -> None:
    """What the shim's fast path reads instead of plan.json, without json:
    the token, then the import paths a rule matched, each line ended by
    a newline."""
    (build_dir / INDEX_NAME).write_text("".join(f"{line}\n" for line in [token, *packages]))


# The modules whose code decides what a compile of a matched package produces.
_COMPILE_MODULES = ("shim.py", "toolexec.py", "compile.py", "splice.py", "codegen.py", "render.py")


def instrumentation_token(rules: list[Rule]) -> str:
    """Everything that decides how a package is instrumented: the compile-side
    code, the templates and the rules. Planning, the CLI and the summary are
    not part of it, and neither is the hook packages' Go code: the go command
    keys those packages on their sources like any other."""
    h = hashlib.sha256(__version__.encode())
    for path in [*(package_dir() / m for m in _COMPILE_MODULES), *sorted(templates_dir().glob("*.j2"))]:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    h.update(_rules_digest_input(rules))
    return h.hexdigest()[:16]


def _rules_digest_input(rules: list[Rule]) -> bytes:
    """The rules, and the contents of the files that file rules add."""
    data = json.dumps([r.to_dict() for r in rules], sort_keys=True).encode()
    for r in rules:
        if isinstance(r, FileRule):
            data += Path(r.File).read_bytes()
    return data


__all__ = ["MAIN", "Plan", "PlanError", "make_plan", "instrumentation_token"]
