"""Plan a build: list its packages, match the rules, and write the build dir.

The build dir (outside the user's tree) holds the -modfile go.mod/go.sum or
go.work, the -overlay JSON that adds the bootstrap file to each package main
(and the rules stamps, plan/cachekeys.py), and the plan file with its index,
which the shim reads (toolexec/protocol.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from otelgo import __version__
from otelgo.gocmd.flags import GoCommandLine, UsageError
from otelgo.gocmd.golist import (
    GoCommandError,
    GoEnv,
    Package,
    go_subprocess_env,
    list_deps,
    mod_edit_json,
    run_go,
)
from otelgo.gocmd.gomodtext import requirements
from otelgo.gocmd.listcache import ListCache
from otelgo.hookapi import API, SDK, SPANS
from otelgo.plan import (
    cachekeys,
    exporters,
    ignore,
    modcopy,
    modules,
    otelreleases,
    otelsets,
    semconvcopy,
    vendor,
    without,
)
from otelgo.plan.generated import cached_file, generated
from otelgo.plan.hookcheck import check_hooks
from otelgo.plan.ignore import Ignored
from otelgo.plan.match import MAIN, Match, hook_packages_for, leave_out_sdk_only, match_rules
from otelgo.plan.result import Options, Plan
from otelgo.plan.spancomments import annotated_rules
from otelgo.resources import cache_dir, private_dir, rules_dir, write_atomically
from otelgo.ruleset.load import describe
from otelgo.ruleset.model import Rule
from otelgo.ruleset.syntax import RuleError
from otelgo.splice.gosource import SpliceError
from otelgo.toolexec import protocol, refusals
from otelgo.versions import is_newer

BOOTSTRAP_FILE = "otelgo_bootstrap.go"


class UpgradeError(Exception):
    """The instrumentation would change a module of the user's build list."""

    def __init__(self, message: str, changes: dict[str, tuple[str, str]]):
        super().__init__(message)
        # --json: the modules, as the summary lists changes.
        self.data = {"changed": [{"module": m, "from": a, "to": b} for m, (a, b) in changes.items()]}


class PlanError(Exception):
    pass


def make_plan(
    cmd: GoCommandLine, env: GoEnv, rules: list[Rule], build_dir: Path, cwd: Path, options: Options | None = None
) -> Plan:
    loaded = rules
    options = options or Options()
    try:
        rules, left_out_by_flag = without.leave_out(rules, options.without)
    except without.WithoutError as e:
        raise UsageError(str(e)) from None
    try:
        linked_exporters = exporters.chosen(options.exporters)
    except exporters.ExporterError as e:
        raise UsageError(str(e)) from None
    setup = modules.prepare(
        env, build_dir, cmd.values.get("modfile"), cwd, rules, cmd.values.get("mod"), linked_exporters
    )
    if setup.conflicts and not options.allow_upgrades:
        conflicts = {m: (setup.build_list[m], need) for m, need in sorted(setup.conflicts.items())}
        raise UpgradeError(_no_release_set(setup), conflicts)
    list_env = go_subprocess_env(setup.env)
    available = {m.path for m in setup.hook_modules}
    rules = [r for r in rules if _hook_available(r, available)]
    # The user's packages load with the user's -mod (readonly by default),
    # as go build loads them: where it fails, so does the plan. otelgo's go.mod
    # copy is completed for otelgo's own packages first (_complete_modfile).
    # In workspace mode the go.work.sum we wrote holds the hook modules' sums.
    mod_flags = [f for f in cmd.plan_flags() if f.startswith("-mod=")]
    flags = [f for f in cmd.plan_flags() if not f.startswith("-mod=")]
    testing = cmd.subcommand == "test"
    listed_before = ListCache(cache_dir() / "golist", (env.goroot, env.gomodcache))
    # Its go list runs beside the rest of planning: a cold one takes a
    # fifth of a second, and nothing else waits for it.
    sums: Future | None = None
    if setup.modfile is not None and setup.vendor is None and not cmd.values.get("modfile"):
        pool = ThreadPoolExecutor(1)
        sums = pool.submit(_check_user_sums, cmd, [*mod_flags, *flags], env, cwd, list_env, listed_before, testing)
        pool.shutdown(wait=False)
    tries = setup.candidates[:3] or [None]
    # The semantic conventions package the hooks import, not in rules/ on disk.
    try:
        semconv = semconvcopy.overlay(rules_dir(), cache_dir(), env.gomodcache)
    except (semconvcopy.SemconvError, OSError) as e:
        raise PlanError(f"otelgo cannot make the semantic conventions package its hooks import: {e}") from None
    # A try's listing completes otelgo's go.mod copy: the next starts afresh.
    pristine = {f: f.read_text() for f in _modfiles(setup)}
    for attempt, chosen in enumerate(tries):
        if chosen is not None and chosen is not setup.release_set:
            for f, text in pristine.items():
                f.write_text(text)
            modules.apply_release_set(setup, chosen, build_dir)
        usable = [r for r in rules if r.hook_package not in setup.unavailable]
        base = [SDK] + [
            p for p in sorted(otelsets.base_packages(setup.exporter_packages)) if p not in setup.unavailable
        ]
        hook_pkgs = sorted({r.hook_package for r in usable if r.hook_package} | {*base, SPANS})
        importer, importer_file = _hook_importer(setup, env, hook_pkgs)
        listing_overlay = _write_overlay(
            build_dir, _with_users(cmd, cwd, {**semconv, **setup.overlay, **importer_file}), "list.json"
        )

        def listed(
            hook_pkgs: list[str] = hook_pkgs, listing_overlay: Path = listing_overlay, importer: list[str] = importer
        ) -> list[Package]:
            patterns = [*(cmd.packages or ["."]), *hook_pkgs, *importer]
            raised = _complete_modfile(setup, [*hook_pkgs, *importer], listing_overlay, flags, cwd, list_env, env)
            # otelgo's packages raise a module of the user's: the listing
            # shows which (and the next release set is tried); -mod=mod gives
            # the go.sum entries of the raised versions to the listing, and to
            # the build when --allow-upgrades accepts them.
            mod = ["-mod=mod"] if raised else mod_flags
            args = [*setup.flags, f"-overlay={listing_overlay}", *mod, *flags]
            found = list_deps(patterns, args, cwd, list_env, tests=testing, cache=listed_before)
            return [p for p in found if p.import_path not in importer]

        try:
            packages = listed()
        finally:
            # Where go build would stop on the user's go.sum, that is the
            # error to show, before any of the listing's.
            if sums is not None:
                sums.result()
        # A newer OpenTelemetry that the user's go.mod does not name (a
        # dependency's requirement) shows only in what the build selects.
        if modules.align_opentelemetry(setup, {p.module_path: p.module_version for p in packages}, build_dir, cwd):
            packages = listed()
        changed = _changed_modules(setup.build_list, packages)
        if not changed or attempt == len(tries) - 1:
            break
    # A main package in the module cache, where the overlay cannot add the
    # bootstrap file: its module is replaced by a copy outside it (modcopy.py).
    copied = _copy_modcache_hosts(packages, hook_pkgs, setup, env, testing, cwd)
    if copied:
        packages = listed()
    if changed and not options.allow_upgrades:
        raise UpgradeError(_upgrade_message(changed, setup), changed)
    rules = usable
    release_left_out = _left_out(loaded, setup)
    if setup.vendor is not None and (problem := vendor.incomplete(packages, setup.vendor)):
        raise PlanError(problem)
    _check_hooks_listed(packages, hook_pkgs, rules)
    match = match_rules(rules, packages, env)
    spans_left_out = any(without.names(name, SPANS) for name in options.without)
    ignored, left_out = _add_annotated(match, packages, env, spans_left_out)
    by_path = {p.import_path: p for p in packages}
    # (go list -test lists the hook packages' own test binaries too: not the user's.)
    commands = [p for p in packages if p.is_command and not _of_hooks(p, hook_pkgs)]
    if commands:
        leave_out_sdk_only(match, commands)
    verdict = check_hooks(match.applied, by_path, commands, cache_dir() / "checked", describe)
    if verdict.problems:
        raise PlanError("\n".join(verdict.problems) + "\nno package was compiled: fix these hooks and build again")
    plan = Plan(
        build_dir,
        list(setup.flags),
        dict(setup.env),
        packages,
        match,
        warnings=setup.notes + verdict.missing,
        rules=loaded,
        token=cachekeys.instrumentation_token(),
        ignored=ignored,
        left_out=left_out,
        options=options,
        without=left_out_by_flag,
        release_set=setup.release_set.core if setup.release_set else "",
        core=next((p.module_version for p in packages if p.module_path == otelreleases.CORE), ""),
        fitted=[f"{f.module}@{f.version}" for f in setup.fitted_modules],
        changed=changed,
        release_left_out=release_left_out,
        base_hooks=base,
        notes=[
            f"{module} {version} is built from a copy of it in {where} (the module cache takes no added files): "
            "go version -m shows that replacement after the module's line"
            for module, (version, where) in copied.items()
        ],
    )
    overlay: dict[str, str] = {**semconv, **setup.overlay}
    # A plugin's bootstrap only links its hooks: its host (built by otelgo
    # too, or the go command refuses to load it) sets up the SDK, once, and
    # checks the run-time switches.
    plugin = cmd.values.get("buildmode") == "plugin"
    known = [] if plugin else sorted({r.hook_package for r in loaded if r.hook_package} | {SPANS})
    optional = exporters.optional_packages()
    linked_by_any: set[str] = set()
    for command, host in _bootstrap_hosts(commands, by_path, testing):
        # Exporters the program links: those of the build, those that join a
        # program using their package, less any the release set left out
        # (release_left_out says why; otlp-grpc stays without its log part).
        names = [
            n
            for n in exporters.with_users(linked_exporters, set(command.deps))
            if not exporters.packages((n,)) or exporters.packages((n,)) & set(base)
        ]
        linked_by_any.update(names)
        program_base = [p for p in base if p not in optional or p in exporters.packages(tuple(names))]
        hooks = hook_packages_for(command, by_path, match, program_base)
        plan.commands[command.import_path] = hooks
        own = {command.import_path, *command.deps}
        plan.own |= own
        plan.linked |= own | {MAIN}
        for hook in hooks:
            plan.linked |= {hook, *by_path[hook].deps} if hook in by_path else set()
        target = host.dir / _bootstrap_name(host, testing)
        package = f"{host.name}_test" if testing else host.name
        overlay[str(target)] = str(generated("bootstrap.go.j2", package=package, imports=hooks, known=known, api=API))
        if host.import_path == "command-line-arguments":  # the files named, and a test's of them
            plan.extra_files.append(_beside_named_files(target, cmd.packages, cwd))
    plan.exporters = exporters.ordered(linked_by_any)
    plan.digests = {key: cachekeys.rules_digest(applied) for key, applied in match.applied.items()}
    keyed = {
        pkg.import_path: (pkg, plan.digests[key])
        for pkg in packages
        if (key := MAIN if pkg.is_command else pkg.import_path) in plan.digests
        and (key != MAIN or pkg.import_path in plan.commands)
    }
    others = _not_local(env)
    stamps, markers = cachekeys.key_packages(
        keyed, lambda p: p.standard or _is_local(p, env, others), cmd, env, cwd, by_path
    )
    overlay.update(stamps)
    overlay = _with_users(cmd, cwd, overlay)
    overlay_path = _write_overlay(build_dir, overlay)
    plan.go_flags += [f"-overlay={overlay_path}", *markers]
    for pkg, _ in keyed.values():
        if pkg.dir is not None and not _is_local(pkg, env, others):
            sources = refusals.package_sources(pkg.dir, pkg.go_files, overlay)
            plan.fixed_sources[pkg.import_path] = refusals.file_digests(sources)
    if tags := exporters.build_tags(_user_dependencies(packages, hook_pkgs)):
        plan.go_flags.append(cmd.tags_with(env.goflags, tags))
    plan.file_path = Path(protocol.write_plan(build_dir, _plan_file(plan, env)))
    with contextlib.suppress(OSError):  # where the shim keeps the tools' -V=full answers
        private_dir(cache_dir() / protocol.TOOLID_DIR)
    return plan


def _user_dependencies(packages: list[Package], hook_pkgs: list[str]) -> set[str]:
    """The packages the user's build has without otelgo's: those named on
    the command line and their dependencies."""
    out: set[str] = set()
    for p in packages:
        if not p.dep_only and not _of_hooks(p, hook_pkgs):
            out |= {p.import_path, *p.deps}
    return out


def _of_hooks(pkg: Package, hook_pkgs: list[str]) -> bool:
    """A hook package, or what `go list -test` lists with it: its test
    binary (P.test), external tests (P_test) and variants (P [P.test])."""
    return pkg.import_path.split(" ")[0].removesuffix(".test").removesuffix("_test") in hook_pkgs


def _check_user_sums(
    cmd: GoCommandLine, flags: list[str], env: GoEnv, cwd: Path, list_env: dict[str, str], cache, testing: bool
) -> None:
    """go build checks the user's packages against the user's go.sum. otelgo
    builds them with its copy, completed for otelgo's own packages
    (_complete_modfile), which may add an entry the user's lacks: where go
    build stops on a missing go.sum entry, so does otelgo, in its words.
    The listing is of a copy of go.mod and go.sum as they are, at a path
    that depends on their text only, so that the listing cache keeps it."""
    gomod = Path(env.gomod)
    sums = gomod.with_suffix(".sum")
    mod_text, sum_text = gomod.read_text(), sums.read_text() if sums.is_file() else ""
    digest = hashlib.sha256((mod_text + "\0" + sum_text).encode()).hexdigest()[:24]
    pristine = cache_dir() / "pristine" / digest / "go.mod"
    if not pristine.is_file():
        write_atomically(pristine.with_suffix(".sum"), sum_text)
        write_atomically(pristine, mod_text)
    args = [f"-modfile={pristine}", *flags]
    if cmd.values.get("overlay"):
        args.append(f"-overlay={cmd.values['overlay']}")
    missing = "missing go.sum entry"
    for pkg in list_deps(cmd.packages or ["."], args, cwd, list_env, tests=testing, cache=cache, needle=missing):
        if pkg.error.startswith(missing):
            raise GoCommandError(f"{pkg.error_pos}: {pkg.error}" if pkg.error_pos else pkg.error, 1)


def _plan_file(plan: Plan, env: GoEnv) -> dict:
    packages = {
        key: {
            "version": plan.match.versions[key],
            "digest": plan.digests[key],
            "rules": [r.to_dict() for r in applied],
        }
        for key, applied in plan.match.applied.items()
    }
    if MAIN in packages:
        # A main package is compiled as -p main, except where it is built as
        # a library (-buildmode=plugin, the package a test imports): then
        # under its import path, which must find the same rules.
        for pkg in plan.packages:
            if pkg.is_command and not pkg.import_path.endswith(".test"):
                packages.setdefault(pkg.import_path, {**packages[MAIN], "key": MAIN})
    return {
        "otelgo": __version__,
        "token": plan.token,
        "goversion": env.goversion,
        "exporters": list(plan.exporters),
        "packages": packages,
    }


def _add_annotated(match: Match, packages: list[Package], env: GoEnv, spans_left_out: bool = False):
    """Span rules from //otel:span comments in the user's own packages, and
    what //otel:ignore comments leave out there: an IgnoreRule for each
    function, instead of the rules that targeted it (those of the SDK's
    set-up excepted). Returns (key -> Ignored, [(rule left out, where)])."""
    ignored: dict[str, Ignored] = {}
    left_out: list[tuple[Rule, str]] = []
    problems: list[str] = []
    others = _not_local(env)
    for pkg in packages:
        if not _is_local(pkg, env, others):
            continue
        key = MAIN if pkg.is_command else pkg.import_path
        found = [] if spans_left_out else annotated_rules(pkg, key)
        try:
            ign = ignore.ignored(pkg)
        except SpliceError as e:
            raise PlanError(f"cannot read the //otel:ignore comments of {pkg.import_path}: {e}") from None
        if ign is not None:
            for span in found:
                if where := ign.where(span.Function, span.ReceiverType):
                    problems.append(
                        f"{_located(pkg, span.Name.split()[0])}: //otel:span on {span.target.removeprefix('span ')}, "
                        f"which //otel:ignore ({_located(pkg, where)}) leaves out: remove one of the two"
                    )
        if found:
            match.applied.setdefault(key, []).extend(found)
            match.versions.setdefault(key, "(main module)")
        if ign is None:
            continue
        ignored[key] = ign
        kept = []
        for rule in match.applied.get(key, []):
            where = ign.leaves_out(rule)
            if where is None:
                kept.append(rule)
            else:
                left_out.append((rule, where))
        match.applied[key] = sorted([*kept, *ign.rules(key)], key=lambda r: r.Order)
        match.versions.setdefault(key, "(main module)")
    if problems:
        raise RuleError(problems)
    return ignored, left_out


def _located(pkg: Package, where: str) -> str:
    """file.go:12 of a package, as a path the user can open."""
    return str(pkg.dir / where) if pkg.dir is not None else where


def _is_local(pkg: Package, env: GoEnv, others: tuple[str, ...] | None = None) -> bool:
    """A package of the user's own modules: the overlay can add files to it.
    others: _not_local(env), for a caller that asks of many packages."""
    if pkg.standard or pkg.dir is None:
        return False
    d = str(pkg.dir)
    return not any(d == o or d.startswith(o.rstrip(os.sep) + os.sep) for o in (others or _not_local(env)))


def _not_local(env: GoEnv) -> tuple[str, ...]:
    """The directories whose packages are not the user's own."""
    return tuple(str(d) for d in (env.gomodcache, env.goroot, rules_dir(), vendor.cache_root(), modcopy.copies_root()))


def _hook_available(rule: Rule, available: set[str]) -> bool:
    """Built-in rules for libraries the build does not require are dropped;
    a user's rule's hooks live outside rules/ and always stay."""
    m = modules.module_of(rule.hook_package) if rule.hook_package else None
    return m is None or m.path in available


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


def _beside_named_files(target: Path, named: list[str], cwd: Path) -> str:
    """The bootstrap file as one more named file: the go command wants the
    files of a build by files spelled in one directory, so relative when
    the user's are."""
    first = next((f for f in named if f.endswith(".go")), "")
    return str(target) if Path(first).is_absolute() else os.path.relpath(target, cwd)


def _bootstrap_hosts(commands: list[Package], by_path: dict[str, Package], testing: bool):
    """(binary, package that gets the bootstrap file) pairs. A program's
    bootstrap joins its package main; a test binary's joins the directory of
    the package under test as a _test.go file of its external test package
    (package x_test), since the go command generates the test main: an
    internal test file could not import the SDK when the SDK itself imports
    the package under test (strings, sort, net/http...)."""
    for command in commands:
        if not testing:
            if command.dir is not None:
                yield command, command
            continue
        tested = by_path.get(command.import_path.removesuffix(".test"))
        if command.import_path.endswith(".test") and tested is not None and tested.dir is not None:
            yield command, tested


def _copy_modcache_hosts(
    packages: list[Package],
    hook_pkgs: list[str],
    setup: modules.ModuleSetup,
    env: GoEnv,
    testing: bool,
    cwd: Path,
) -> dict[str, tuple[str, Path]]:
    """Each module of the module cache that holds a package the bootstrap
    file joins (a main package named by its import path, or the package
    under test of `go test example.com/tool/pkg`) is replaced, at the
    version the build requires, by a read-only copy of it outside GOMODCACHE
    (modcopy.py), in otelgo's go.mod copy or go.work: the user's go.mod is
    not touched. Returns module -> (version, copy)."""
    by_path = {p.import_path: p for p in packages}
    commands = [p for p in packages if p.is_command and not _of_hooks(p, hook_pkgs)]
    copied: dict[str, tuple[str, Path]] = {}
    for _, host in _bootstrap_hosts(commands, by_path, testing):
        if host.dir is None or not host.dir.is_relative_to(env.gomodcache) or host.module_path in copied:
            continue
        module_dir = Path(host.module_dir) if host.module_dir else None
        if module_dir is None or not host.required_version or not host.dir.is_relative_to(module_dir):
            raise PlanError(
                f"{host.import_path} is in the module cache ({host.dir}), where otelgo cannot add its "
                "bootstrap file, and its module's directory and version are not known to copy it elsewhere"
            )
        try:
            where = modcopy.private_copy(module_dir, env.gomodcache)
        except OSError as e:
            raise PlanError(f"cannot copy {host.module_path} out of the module cache: {e}") from None
        replace = f"-replace={host.module_path}@{host.required_version}={where}"
        if setup.modfile is not None:
            run_go(["mod", "edit", replace, str(setup.modfile)], cwd)
        elif "GOWORK" in setup.env and setup.vendor is None:
            run_go(["work", "edit", replace, setup.env["GOWORK"]], cwd, go_subprocess_env(setup.env))
        else:
            raise PlanError(
                f"{host.import_path} is in the module cache ({host.dir}), where otelgo cannot add its bootstrap file"
            )
        copied[host.module_path] = (host.required_version, where)
    return copied


def _bootstrap_name(host: Package, testing: bool) -> str:
    # Never shadow a file of the user's: the overlay would replace it.
    suffix = "_test.go" if testing else ".go"
    name, n = BOOTSTRAP_FILE.removesuffix(".go") + suffix, 1
    while host.dir is not None and (host.dir / name).exists():
        n += 1
        name = f"otelgo_bootstrap{n}{suffix}"
    return name


def _modfiles(setup: modules.ModuleSetup) -> list[Path]:
    if setup.modfile is None:
        return []
    return [f for f in (setup.modfile, setup.modfile.with_suffix(".sum")) if f.is_file()]


def _hook_importer(setup: modules.ModuleSetup, env: GoEnv, hook_pkgs: list[str]) -> tuple[list[str], dict[str, str]]:
    """Module mode: a package of the main module, seen only by the listing
    (through its overlay), that imports every hook package. The go command
    completes otelgo's go.mod copy (-mod=mod) only for packages the main
    module imports: listed by their paths alone, the packages of the
    OpenTelemetry modules a hook module requires, pruned from the module
    graph, would be looked up at their latest versions instead of at the
    ones the chosen releases require. The build's bootstrap files import
    the same packages from each package main. Its path and its file's are
    the same in every build with the same hooks (the listing's cache keys
    on the overlay)."""
    if setup.modfile is None or not env.gomod:
        return [], {}
    module = mod_edit_json(setup.modfile)["Module"]["Path"]
    name, n = "otelgo_hooks", 1
    while (Path(env.gomod).parent / name).exists():  # never a directory of the user's
        n += 1
        name = f"otelgo_hooks{n}"
    source = cached_file("package hooks\n\nimport (\n" + "".join(f'\t_ "{p}"\n' for p in hook_pkgs) + ")\n", ".go")
    return [f"{module}/{name}"], {str(Path(env.gomod).parent / name / "hooks.go"): str(source)}


def _complete_modfile(
    setup: modules.ModuleSetup,
    packages: list[str],
    overlay: Path,
    flags: list[str],
    cwd: Path,
    list_env: dict[str, str],
    env: GoEnv,
) -> bool:
    """Module mode: otelgo's go.mod copy gets the requirements and sums of
    otelgo's own packages (the hook packages and their importer), loaded
    alone with -mod=mod; the user's packages then load and build with the
    user's -mod, readonly by default, so that a missing requirement of the
    user's fails as it fails in go build. The completed copy is kept under
    a digest of what it was made from: an unchanged rebuild runs no go
    command for it. True when the completed copy requires a module of the
    user's build list at a newer version."""
    if setup.modfile is None or "GOWORK" in setup.env:
        return False
    sumfile = setup.modfile.with_suffix(".sum")
    settings = sorted((k, v) for k, v in list_env.items() if k.startswith(("GO", "CGO_")))
    h = hashlib.sha256(json.dumps([packages, flags, str(cwd), env.goversion, settings]).encode())
    for f in (setup.modfile, sumfile, overlay):
        h.update(hashlib.sha256(f.read_bytes() if f.is_file() else b"").digest())
    memo = cache_dir() / "modfiles" / f"{h.hexdigest()[:32]}.json"
    try:
        done = json.loads(memo.read_text())
        setup.modfile.write_text(done["mod"])
        sumfile.write_text(done["sum"])
        return _raises(setup)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    args = ["list", "-e", "-deps", "-mod=mod", "-f", "{{if .Error}}error{{end}}", *setup.flags, f"-overlay={overlay}"]
    out = run_go([*args, *flags, "--", *packages], cwd, list_env)
    if "error" not in out.split():  # a broken hook package: the listing says why, and nothing is kept
        done = {"mod": setup.modfile.read_text(), "sum": sumfile.read_text() if sumfile.is_file() else ""}
        write_atomically(memo, json.dumps(done))
    return _raises(setup)


def _raises(setup: modules.ModuleSetup) -> bool:
    """The go.mod copy requires a module of the user's build list at a newer
    version than the user's."""
    text = setup.modfile.read_text() if setup.modfile is not None else ""
    for r in requirements(text):
        have = setup.build_list.get(r.path)
        if have and have != r.version and is_newer(r.version, have):
            return True
    return False


_BASE_WHAT = {
    "otelgo.dev/rules/sdk/logs": "log export (OTEL_LOGS_EXPORTER)",
    "otelgo.dev/rules/sdk/logs/otlpgrpc": "log export over OTLP/gRPC (OTEL_EXPORTER_OTLP_PROTOCOL=grpc)",
    "otelgo.dev/rules/sdk/logs/console": "log export to the console (OTEL_LOGS_EXPORTER=console)",
    "otelgo.dev/rules/sdk/console": "the console exporters (OTEL_TRACES_EXPORTER, OTEL_METRICS_EXPORTER=console)",
    "otelgo.dev/rules/sdk/otlpgrpc": "OTLP/gRPC export (OTEL_EXPORTER_OTLP_PROTOCOL=grpc)",
    "otelgo.dev/rules/sdk/prometheus": "the Prometheus exporter (OTEL_METRICS_EXPORTER=prometheus)",
}


def _left_out(rules: list[Rule], setup: modules.ModuleSetup) -> list[str]:
    """One line per hook package the chosen release set leaves out: which
    library stays uninstrumented (or which part of the SDK is missing),
    and why."""
    names: dict[str, set[str]] = {}
    for r in rules:
        if r.hook_package in setup.unavailable and r.library:
            names.setdefault(r.hook_package, set()).add(r.library.name)
    lines = []
    for package, why in sorted(setup.unavailable.items()):
        if package in _BASE_WHAT:
            lines.append(f"{_BASE_WHAT[package]} is left out of this build ({package}): {why}")
        elif package in names:
            lines.append(f"{', '.join(sorted(names[package]))} is left uninstrumented ({package}): {why}")
    return lines


def _changed_modules(build_list: dict[str, str], packages: list[Package]) -> dict[str, tuple[str, str]]:
    """Modules of the user's build list that provide a package to this build
    at another version: path -> (the user's version, this build's)."""
    changed = {}
    for p in packages:
        have = build_list.get(p.module_path)
        if have and p.module_version and p.module_version != have:
            changed[p.module_path] = (have, p.module_version)
    return dict(sorted(changed.items()))


def _ways_out(needs: dict[str, str]) -> str:
    upgrades = " ".join(f"{m}@{v}" for m, v in sorted(needs.items()))
    return (
        f"either require newer versions in your go.mod (go get {upgrades}), "
        "or build with --allow-upgrades to accept the change (the summary then lists it)"
    )


def _no_release_set(setup: modules.ModuleSetup) -> str:
    lines = [
        "no release of OpenTelemetry that otelgo supports fits this module's build list "
        f"(the oldest, core {otelsets_oldest()}, needs newer versions of modules you have); "
        "no package was compiled:"
    ]
    for module, need in sorted(setup.conflicts.items()):
        lines.append(f"  {module}: you have {setup.build_list[module]}, the instrumentation needs {need}")
    if setup.fit_problem:
        lines.append(f"(otelgo could not build that set against your versions: {setup.fit_problem})")
    lines.append(_ways_out(setup.conflicts))
    return "\n".join(lines)


def otelsets_oldest() -> str:

    return otelsets.release_sets()[-1].core


def _upgrade_message(changed: dict[str, tuple[str, str]], setup: modules.ModuleSetup) -> str:
    chosen = f"OpenTelemetry core {setup.release_set.core}" if setup.release_set else "otelgo's modules"
    lines = [f"the instrumentation ({chosen}) would change modules of your build; no package was compiled:"]
    for module, (have, need) in changed.items():
        lines.append(f"  {module}: you have {have}, the instrumentation needs {need}")
    lines.append(_ways_out({m: need for m, (_, need) in changed.items()}))
    return "\n".join(lines)


def _with_users(cmd: GoCommandLine, cwd: Path, ours: dict[str, str]) -> dict[str, str]:
    """ours over the replacements of the user's own -overlay, if any."""
    replace = {}
    if user_overlay := cmd.values.get("overlay"):
        replace.update(json.loads((cwd / user_overlay).read_text()).get("Replace", {}))
    replace.update(ours)
    return replace


def _write_overlay(build_dir: Path, replace: dict[str, str], name: str = protocol.OVERLAY_NAME) -> Path:
    path = build_dir / name
    path.write_text(json.dumps({"Replace": replace}, indent=1))
    return path


__all__ = ["MAIN", "Plan", "PlanError", "UpgradeError", "make_plan"]
