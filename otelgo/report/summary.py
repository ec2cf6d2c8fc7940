"""The few lines a build prints at the end: what was instrumented, what not."""

from __future__ import annotations

import json
import re
from pathlib import Path

from otelgo.gocmd.golist import GoEnv
from otelgo.hookapi import EXPORTERS
from otelgo.plan.match import MAIN
from otelgo.report.terminal import stderr_console
from otelgo.ruleset.model import IgnoreRule, Library
from otelgo.toolexec import refusals


def _shown(plan) -> dict:
    """The instrumented packages that end up in a program of this build (all
    of them when the build makes no program)."""
    applied = plan.match.applied
    if not plan.linked:
        return applied
    return {k: v for k, v in applied.items() if k in plan.linked}


def _for_the_sdk(plan, key: str) -> bool:
    """Whether a package is in the programs only because otelgo's SDK
    bootstrap links it (grpc for the OTLP/gRPC exporters, the SDK itself)."""
    return bool(plan.commands) and key != MAIN and key not in plan.own


def _refused(plan, keys) -> dict[str, list[tuple[str, str]]]:
    """Matched packages that were compiled as they are, because the splicer
    refused them (in this build or in the earlier one whose compile the go
    command reuses): key -> (package, why) for each."""
    overlay: dict[str, str] | None = None
    by_path = {p.import_path: p for p in plan.packages}
    found: dict[str, list[tuple[str, str]]] = {}
    for key in keys:
        packages = (
            [p for p in plan.packages if p.import_path in plan.commands]
            if key == MAIN
            else [by_path[key]]
            if key in by_path
            else []
        )
        for pkg in packages:
            digests = plan.fixed_sources.get(pkg.import_path)
            if digests is None:
                overlay = _overlay(plan) if overlay is None else overlay
                try:
                    digests = refusals.file_digests(refusals.package_sources(pkg.dir, pkg.go_files, overlay))
                except OSError:
                    continue
            reason = refusals.reason(refusals.key_of(plan.token, key, plan.digests.get(key, ""), digests))
            if reason is not None:
                found.setdefault(key, []).append((pkg.import_path, reason))
    return found


def _overlay(plan) -> dict[str, str]:
    try:
        return json.loads((plan.build_dir / "overlay.json").read_text())["Replace"]
    except (OSError, ValueError, KeyError):
        return {}


def _outcome(plan) -> tuple[dict, dict[str, list[tuple[str, str]]]]:
    """(instrumented key -> rules, refused key -> reasons): a key all of
    whose packages were refused is not instrumented; what //otel:ignore
    leaves out is said apart (ignored_lines)."""
    shown = _shown(plan)
    refused = _refused(plan, shown)
    whole = {k for k, reasons in refused.items() if len(reasons) == (len(plan.commands) if k == MAIN else 1)}
    applied = {k: [r for r in v if not isinstance(r, IgnoreRule)] for k, v in shown.items() if k not in whole}
    return {k: v for k, v in applied.items() if v}, refused


def without_line(plan) -> str | None:
    """What --without left out of the build, or None."""
    if not plan.options.without:
        return None
    return f"{', '.join(plan.options.without)} (--without): {len(plan.without)} rules, no hook in the binary"


def ignored_lines(plan) -> list[str]:
    """What //otel:ignore comments leave out, one line per package, and the
    rules they leave out, one line each."""
    lines = []
    for key, ign in sorted(getattr(plan, "ignored", {}).items()):
        where = "package main" if key == MAIN else key
        if ign.package:
            lines.append(f"{where}: every function (//otel:ignore in the package comment, {ign.package})")
            continue
        for file, at in sorted(ign.files.items()):
            lines.append(f"{where}: every function of {file} (//otel:ignore at {at})")
        covered = set(ign.files.values())
        single = sorted((f"({r}).{f}" if r else f, at) for (f, r), at in ign.functions.items() if at not in covered)
        if single:
            listed = ", ".join(f"{name} ({at})" for name, at in single)
            lines.append(f"{where}: {listed}")
    for rule, at in getattr(plan, "left_out", []):
        lines.append(f"rule {rule.Name or rule.target} left out: its target is in code //otel:ignore ({at}) leaves out")
    return lines


def _libraries(applied: dict, keys=None) -> list[Library]:
    """The libraries (rule file headers) whose rules applied, to the given keys or all."""
    found = {r.library: None for key, rules in applied.items() if keys is None or key in keys for r in rules}
    return [lib for lib in found if lib is not None]


def log_exports(applied: dict) -> list[str]:
    """The loggers of this build whose records are exported as logs."""
    return sorted(f"{lib.name} ({lib.log_bridge})" for lib in _libraries(applied) if lib.log_bridge)


def metric_sources(plan, applied: dict) -> list[tuple[str, str]]:
    """(library, instruments) for each library with metrics whose rules
    applied to the programs' own packages (grpc, say, is in every program
    through the OTLP/gRPC exporters, but records metrics only for the
    program's own servers and clients); none when the build makes no program."""
    if not plan.commands:
        return []
    own = {MAIN} | {d for p in plan.packages if p.import_path in plan.commands for d in p.deps}
    # Libraries that record the same instruments share one entry: pgx under
    # database/sql records db.client.operation.duration once, not twice.
    by_instruments: dict[str, list[str]] = {}
    for lib in _libraries(applied, own):
        if lib.metrics:
            by_instruments.setdefault(", ".join(lib.metrics), []).append(lib.name)
    found = [(", ".join(sorted(names, key=str.lower)), instruments) for instruments, names in by_instruments.items()]
    return sorted(found, key=lambda source: source[0].lower())


def metrics_line(plan, applied: dict) -> str | None:
    """The summary's line about metrics, or None."""
    sources = metric_sources(plan, applied)
    if not sources:
        return None
    listed = "; ".join(f"{instruments} ({source})" for source, instruments in sources)
    return f"metrics: {listed}; off with OTEL_METRICS_EXPORTER=none"


# A package that imports one of these talks to the network or serves.
NETWORK = frozenset({"net/http", "database/sql", "crypto/tls"})
# Package net is imported for its types as often (net.IP, net.Conn: pflag,
# nats' jwt): a package importing it is taken to open connections or look
# names up only when its source calls for that.
SOCKETS = re.compile(rb"\bnet\.(Dial|Listen|Lookup|Resolve)")


def _opens_sockets(package) -> bool:
    for name in package.go_files:
        try:
            if SOCKETS.search((Path(package.dir) / name).read_bytes()):
                return True
        except (OSError, TypeError):
            return True  # its source is not there to read: taken as it imports
    return False


def untraced_modules(plan) -> list[tuple[str, str]]:
    """(module, version) of the libraries the programs' own code imports
    that talk to the network or serve (one of their packages imports
    NETWORK, or opens sockets through package net) and that no rule
    covers, not even one skipped for its version: what stays dark."""
    if not plan.commands:
        return []
    by_path = {p.import_path: p for p in plan.packages}
    own = [by_path[p] for p in plan.own if p in by_path]
    users = [p for p in own if not p.standard and not p.module_version]  # the main modules' packages
    imported = {by_path[i].module_path for p in users for i in p.imports if i in by_path}
    covered = {by_path[k].module_path for k in plan.match.applied if k in by_path}
    if "database/sql" in plan.match.applied:  # a driver's queries are traced there
        covered |= {p.module_path for p in own if "database/sql/driver" in p.imports}
    covered |= {by_path[s.package].module_path for s in plan.match.skipped if s.package in by_path}
    # A library whose calls go through a traced third-party package (the AWS
    # SDK's service modules, all through smithy-go's middleware) is traced there.
    traced = {k for k in plan.match.applied if k in by_path and not by_path[k].standard}
    covered |= {p.module_path for p in own if traced.intersection(p.imports)}
    # Traffic through a traced standard package (net/http's client and
    # server, database/sql) is traced there, whichever library makes it.
    traced_std = {k for k in plan.match.applied if k in by_path and by_path[k].standard}
    versions = {}
    for p in own:
        module = p.module_path
        if not p.standard and p.module_version and module in imported and module not in covered:
            if NETWORK.intersection(p.imports) - traced_std or ("net" in p.imports and _opens_sockets(p)):
                versions[module] = p.module_version
    return sorted(versions.items())


def print_summary(plan) -> None:
    console = stderr_console()
    applied, refused = _outcome(plan)
    if not applied:
        what = "no package could be instrumented" if refused else "no rule matched a package of this build"
        console.print(f"[yellow]otel:[/] {what}; the binary is uninstrumented")
        _print_refused(console, refused)
        for line in ignored_lines(plan):
            console.print(f"  [cyan]ignored[/] {line}")
        return
    parts = []
    for key in sorted(applied, key=lambda k: (k == MAIN, k)):
        rules = applied[key]
        where = "package main" if key == MAIN else f"{key} {plan.match.versions[key]}"
        if _for_the_sdk(plan, key):
            where += " (linked by the OpenTelemetry SDK)"
        targets = ", ".join(sorted({r.target for r in rules}))
        parts.append(f"  {where}: {targets}")
    programs = len(plan.commands)
    if programs:
        console.print(
            f"[green]otel:[/] instrumented {len(applied)} packages for {programs} program{'s' * (programs != 1)}"
        )
    else:
        console.print(f"[green]otel:[/] instrumented {len(applied)} packages (no program in this build links them)")
    for line in parts:
        console.print(line)
    if exports := log_exports(applied):
        values = " or ".join(name for name in ("otlp", "console") if name in getattr(plan, "exporters", ()))
        console.print(f"  logs: {', '.join(exports)} records also exported when OTEL_LOGS_EXPORTER={values}")
    if metrics := metrics_line(plan, applied):
        console.print(f"  {metrics}")
    if line := exporters_line(plan):
        console.print(f"  {line}")
    for lib in _libraries(applied):
        if lib.note:
            console.print(f"  note: {lib.name}: {lib.note}")
    for line in ignored_lines(plan):
        console.print(f"  [cyan]ignored[/] {line}")
    if line := without_line(plan):
        console.print(f"  [cyan]left out[/] {line}")
    for warning in plan.warnings:
        console.print(f"  [yellow]not applied[/] {warning}")
    _print_refused(console, refused)
    for skipped in _worth_a_line(plan.match):
        console.print(
            f"  [yellow]skipped[/] {skipped.rule.Name or skipped.rule.target} on {skipped.package}: {skipped.reason}"
        )
    if dark := untraced_modules(plan):
        listed = ", ".join(f"{module} {version}" for module, version in dark)
        console.print(f"  [yellow]not traced[/] {listed}: they use the network, and no rule covers them")
    _print_versions(console, plan)
    for note in getattr(plan, "notes", []):
        console.print(f"  [cyan]note[/] {note}")


def exporters_line(plan) -> str | None:
    """Which exporters the binary links, and how to link the others."""
    linked = tuple(getattr(plan, "exporters", ()))
    if not linked:
        return None
    line = f"exporters: {', '.join(linked)} (OTEL_*_EXPORTER chooses among them at run time)"
    options = getattr(plan, "options", None)
    asked = set(getattr(options, "exporters", None) or ())
    if others := [name for name in EXPORTERS if name not in linked and name not in asked]:
        them = "them" if len(others) > 1 else "it"
        line += f"; {', '.join(others)} not linked: --exporters {','.join((*linked, *others))} links {them}"
    if dropped := [name for name in EXPORTERS if name not in linked and name in asked]:
        line += f"; {', '.join(dropped)} asked for and left out: the release set cannot build it here (see left out)"
    return line


def _worth_a_line(match) -> list:
    """The rules skipped for their version, less those whose library
    folder applied another rule to the same package: a folder often has a
    rule per version range of one hook (logrus's fireHooks before 1.10 and
    after, gRPC's DialContext before NewClient), and the one that applied
    does what the other would. --explain and --json list them all."""
    applied = {(r.hook_package, key) for key, rules in match.applied.items() for r in rules}
    return [s for s in match.skipped if (s.rule.hook_package, s.package) not in applied]


def _print_versions(console, plan) -> None:
    """Which OpenTelemetry the build chose, and every module whose version
    differs from the user's build list (none, unless --allow-upgrades)."""
    for line in getattr(plan, "release_left_out", []):
        console.print(f"  [yellow]left out[/] {line}")
    if getattr(plan, "release_set", ""):
        if (core := getattr(plan, "core", "")) and core != plan.release_set:
            # align_opentelemetry followed the user's newer core.
            line = f"  OpenTelemetry: core {core} of your modules, with the contrib releases made for it"
        else:
            line = f"  OpenTelemetry: release set of core {plan.release_set}"
        if fitted := getattr(plan, "fitted", []):
            line += (
                f", built against your older modules ({len(fitted)} of its modules from copies "
                "whose go.mod asks no more than your build list has)"
            )
        console.print(line if plan.changed else line + "; your modules keep their versions")
    for module, (before, after) in getattr(plan, "changed", {}).items():
        console.print(f"  [red]upgraded[/] {module} {before} → {after} (--allow-upgrades)")


def summary_data(plan, env: GoEnv) -> dict:
    """The summary for machines (--json)."""
    applied, refused = _outcome(plan)
    return {
        "go": env.goversion,
        "programs": {name: hooks for name, hooks in sorted(plan.commands.items())},
        "instrumented": [
            {
                "package": key,
                "version": plan.match.versions[key],
                "targets": sorted({r.target for r in rules}),
                "rules": [r.Name for r in rules if r.Name],
                "for_the_sdk": _for_the_sdk(plan, key),
            }
            for key, rules in sorted(applied.items())
        ],
        "log_export": log_exports(applied),
        "notes": [{"library": lib.name, "note": lib.note} for lib in _libraries(applied) if lib.note],
        "metrics": [{"source": s, "instruments": i} for s, i in metric_sources(plan, applied)],
        "skipped": [{"rule": s.rule.Name, "package": s.package, "reason": s.reason} for s in plan.match.skipped],
        "untraced": [{"module": m, "version": v} for m, v in untraced_modules(plan)],
        "refused": [{"package": pkg, "reason": why} for key in sorted(refused) for pkg, why in refused[key]],
        "warnings": list(plan.warnings),
        "build_notes": list(getattr(plan, "notes", [])),
        "ignored": [
            {
                "package": key,
                "functions": sorted(f"({r}).{f}" if r else f for f, r in ign.functions),
                "package_comment": ign.package or None,
                "files": dict(sorted(ign.files.items())),
            }
            for key, ign in sorted(plan.ignored.items())
        ],
        "left_out": [{"rule": r.Name or r.target, "ignore": at} for r, at in plan.left_out],
        "without": {"names": plan.options.without, "rules": sorted(r.Name or r.target for r in plan.without)},
        "exporters": list(getattr(plan, "exporters", ())),
        "opentelemetry": getattr(plan, "release_set", ""),
        "opentelemetry_core": getattr(plan, "core", ""),
        "opentelemetry_fitted": list(getattr(plan, "fitted", [])),
        "release_left_out": list(getattr(plan, "release_left_out", [])),
        "changed": [{"module": m, "from": a, "to": b} for m, (a, b) in getattr(plan, "changed", {}).items()],
    }


def _print_refused(console, refused: dict[str, list[tuple[str, str]]]) -> None:
    for key in sorted(refused):
        for pkg, why in refused[key]:
            console.print(f"  [yellow]not instrumented[/] {pkg}: compiled as it is: {why}")


def print_explanation(plan) -> None:
    """For every rule loaded: where it applies, or why it does not."""
    console = stderr_console()
    in_build = {p.import_path: p for p in plan.packages}
    skipped = {(s.rule, s.package): s.reason for s in plan.match.skipped}
    missing = "\n".join(plan.warnings)
    left_out = dict(plan.left_out)
    console.print("[bold]otel: rules[/]")
    for rule in plan.rules:
        name = rule.Name or rule.target
        key = rule.ImportPath
        applied = rule in plan.match.applied.get(key, [])
        if rule in plan.without:
            why = f"[cyan]left out[/] by --without ({', '.join(plan.options.without)})"
        elif rule in left_out:
            why = f"[cyan]left out[/]: {rule.target} is in code that //otel:ignore ({left_out[rule]}) leaves out"
        elif applied and f"({rule.Name})" in missing:
            why = f"[yellow]not applied[/]: {rule.target} not found in {key}"
        elif applied:
            where = "every program" if key == MAIN else f"{key} {plan.match.versions[key]}"
            why = f"[green]applied[/] to {rule.target} in {where}"
        elif (rule, key) in skipped:
            why = f"[yellow]skipped[/]: {skipped[(rule, key)]}"
        elif key not in in_build and key != MAIN:
            why = f"not applied: {key} is not in this build"
        else:
            why = "not applied: no program in this build"
        console.print(f"  {name}: {why}")
    lines = ignored_lines(plan)
    if lines:
        console.print("[bold]otel: //otel:ignore[/] (no hook in this code; the hooks are off while it runs)")
        for line in lines:
            console.print(f"  {line}")
