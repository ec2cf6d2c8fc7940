"""The hook packages built against an OpenTelemetry release set, as an
instrumented build would build them: for maintainers choosing the sets
(python -m otelgo.plan.otelsets) and for tests/go. Apart from otelsets,
which the planning modules import, since it needs both them and it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from otelgo.hookapi import SDK, SPANS
from otelgo.plan import modules, otelsets, semconvcopy
from otelgo.resources import cache_dir, rules_dir


def build_hooks(core: str, work: Path, rules: list) -> dict[str, str]:
    """Build the hook packages of every hook module (those the rules name,
    and the SDK's) against the set of `core`, as an instrumented build
    would (each hook module's go.mod as modules.apply_release_set writes it
    for a program that has none of the modules): package -> the go
    command's first error line, for each package that does not build.
    Test helpers are not built: no program imports them. For maintainers
    and tests/go."""
    wanted = {r.hook_package for r in rules if r.hook_package} | {SDK, SPANS, *otelsets.BASE_PACKAGES}

    chosen = otelsets.set_for_core(core)
    if chosen is None:
        raise LookupError(f"no release set of core {core} in {otelsets.table_path()}")
    work.mkdir(parents=True, exist_ok=True)
    overlay = semconvcopy.overlay(rules_dir(), cache_dir())
    for i, m in enumerate(modules.hook_modules()):
        target = work / f"{i}.mod"
        target.write_text(modules._gomod_for_set(m.dir / "go.mod", chosen, {}))
        overlay[str(m.dir / "go.mod")] = str(target)
    failed: dict[str, str] = {}
    for i, m in enumerate(modules.hook_modules()):
        modfile = work / f"main{i}.mod"
        modfile.write_text(Path(overlay[str(m.dir / "go.mod")]).read_text())
        if (m.dir / "go.sum").is_file():
            modfile.with_suffix(".sum").write_text((m.dir / "go.sum").read_text())
        others = {k: v for k, v in overlay.items() if k != str(m.dir / "go.mod")}
        (work / f"overlay{i}.json").write_text(json.dumps({"Replace": others}))
        env = dict(os.environ, GOWORK="off", GOFLAGS="-mod=mod")
        packages = sorted(p for p in wanted if modules.module_of(p) == m)
        if not packages:
            continue
        proc = subprocess.run(
            ["go", "build", f"-modfile={modfile}", f"-overlay={work / f'overlay{i}.json'}", *packages],
            cwd=m.dir,
            capture_output=True,
            text=True,
            env=env,
        )
        package, before = "", len(failed)
        for line in proc.stderr.splitlines():
            if line.startswith("# "):
                package = line[2:].split()[0]
            elif package and package not in failed and not line.startswith("go: "):
                failed[package] = line.strip()
        if proc.returncode != 0 and len(failed) == before:
            failed[m.path] = (proc.stderr.strip().splitlines() or ["go build failed"])[-1]
    return failed


def unbuildable(core: str, rules: list) -> dict[str, str]:
    """The hook packages otelgo leaves out of a build with the set of
    `core` whatever the build's modules: hook package -> why (what
    build_hooks may find failing)."""
    packages = modules.hook_packages_of(rules, list(modules.hook_modules()))
    choice = modules.evaluate(otelsets.set_for_core(core), {}, packages)
    return dict(choice.unavailable) if choice else {"otelgo.dev/rules/sdk": "the SDK bootstrap does not build"}
