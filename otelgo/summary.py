"""The few lines a build prints at the end: what was instrumented, what not."""

from __future__ import annotations

from otelgo.golist import GoEnv
from otelgo.match import MAIN


def _shown(plan) -> dict:
    """The instrumented packages that end up in a program of this build (all
    of them when the build makes no program)."""
    applied = plan.match.applied
    if not plan.linked:
        return applied
    return {k: v for k, v in applied.items() if k in plan.linked}


def _console():
    from rich.console import Console  # here: --json and quiet builds print nothing with it

    return Console(stderr=True, highlight=False, soft_wrap=True)  # never fold lines in logs


def print_summary(plan, env: GoEnv) -> None:
    console = _console()
    applied = _shown(plan)
    if not applied:
        console.print("[yellow]otel:[/] no rule matched a package of this build; the binary is uninstrumented")
        return
    parts = []
    for key in sorted(applied, key=lambda k: (k == MAIN, k)):
        rules = applied[key]
        where = "package main" if key == MAIN else f"{key} {plan.match.versions[key]}"
        targets = ", ".join(sorted({r.target for r in rules}))
        parts.append(f"  {where}: {targets}")
    programs = len(plan.commands)
    if programs:
        console.print(f"[green]otel:[/] instrumented {len(applied)} packages for {programs} program{'s' * (programs != 1)}")
    else:
        console.print(f"[green]otel:[/] instrumented {len(applied)} packages (no program in this build links them)")
    for line in parts:
        console.print(line)
    for warning in plan.warnings:
        console.print(f"  [yellow]not applied[/] {warning}")
    for skipped in plan.match.skipped:
        console.print(f"  [yellow]skipped[/] {skipped.rule.Name or skipped.rule.target} on {skipped.package}: {skipped.reason}")


def summary_data(plan, env: GoEnv) -> dict:
    """The summary for machines (--json)."""
    applied = _shown(plan)
    return {
        "go": env.goversion,
        "programs": {name: hooks for name, hooks in sorted(plan.commands.items())},
        "instrumented": [
            {"package": key, "version": plan.match.versions[key], "targets": sorted({r.target for r in rules}),
             "rules": [r.Name for r in rules if r.Name]}
            for key, rules in sorted(applied.items())
        ],
        "skipped": [{"rule": s.rule.Name, "package": s.package, "reason": s.reason} for s in plan.match.skipped],
        "warnings": list(plan.warnings),
    }


def print_explanation(plan) -> None:
    """For every rule loaded: where it applies, or why it does not."""
    console = _console()
    in_build = {p.import_path: p for p in plan.packages}
    skipped = {(s.rule, s.package): s.reason for s in plan.match.skipped}
    missing = "\n".join(plan.warnings)
    console.print("[bold]otel: rules[/]")
    for rule in plan.rules:
        name = rule.Name or rule.target
        key = rule.ImportPath
        applied = rule in plan.match.applied.get(key, [])
        if applied and f"({rule.Name})" in missing:
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
