"""The few lines a build prints at the end: what was instrumented, what not."""

from __future__ import annotations

from rich.console import Console

from otelgo.golist import GoEnv
from otelgo.match import MAIN


def print_summary(plan, env: GoEnv) -> None:
    console = Console(stderr=True, highlight=False, soft_wrap=True)  # never fold lines in logs
    applied = plan.match.applied
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
