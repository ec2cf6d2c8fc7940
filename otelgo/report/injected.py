"""What an instrumented build compiles, for people to read: for each
instrumented package, the unified diff of its spliced sources against the
originals, the trampolines and the files rules add (--show-injected,
otel diff), and, on request, the files themselves (--injected-dir).

The splice runs here as the compile runs it (toolexec/compile.py), on the
files the go command listed (through the build's overlay), so it shows the
same output whether or not the go command's cache spares the compile. A cgo
package is shown as its Go files before cgo translates them.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from otelgo.plan.match import MAIN


@dataclass
class Injected:
    key: str  # the matched key: an import path, or main
    package: str  # the package's import path
    changed: list[tuple[str, str, str]] = field(default_factory=list)  # (name, original, spliced)
    added: list[tuple[str, str]] = field(default_factory=list)  # (name, text)
    refused: str | None = None  # why the splicer compiles it as it is


def wanted(key: str, package: str, only: str) -> bool:
    if not only:
        return True
    if "..." in only:
        regex = re.escape(only).replace(r"\.\.\.", ".*")
        return re.fullmatch(regex, package) is not None
    return only in (key, package)


def collect(plan, only: str = "") -> list[Injected]:
    """What the build compiles into each instrumented package (all, or
    those `only` names: an import path, a pattern with ..., or main)."""
    from otelgo.ruleset.model import FileRule
    from otelgo.splice.codegen import generate
    from otelgo.splice.edit import SpliceError, splice_package

    overlay = _overlay(plan)
    by_path = {p.import_path: p for p in plan.packages}
    found = []
    for key, rules in sorted(plan.match.applied.items()):
        packages = [by_path[c] for c in sorted(plan.commands) if c in by_path] if key == MAIN else []
        if key != MAIN and key in by_path:
            packages = [by_path[key]]
        for pkg in packages:
            if pkg.dir is None or not wanted(key, pkg.import_path, only):
                continue
            item = Injected(key, pkg.import_path)
            sources = []
            for name in pkg.go_files:
                path = pkg.dir / name
                try:
                    sources.append((str(path), Path(overlay.get(str(path), path)).read_bytes()))
                except OSError:
                    continue
            try:
                result = splice_package(key, sources, rules)
            except SpliceError as e:
                item.refused = str(e)
                found.append(item)
                continue
            for path, original in sources:
                if path in result.sources:
                    item.changed.append((Path(path).name, original.decode(), result.sources[path]))
            if result.generates:
                # As the compile decides it from its -importcfg: the package's imports.
                pool = "sync" in pkg.imports
                item.added.append(("otelgo_trampolines.go", generate(key, result, pool=pool)))
            for rule in rules:
                if isinstance(rule, FileRule):
                    item.added.append((Path(rule.File).name, Path(rule.File).read_text()))
            for target, source in sorted(overlay.items()):
                if Path(target).parent == pkg.dir and not (pkg.dir / Path(target).name).exists():
                    item.added.append((Path(target).name, Path(source).read_text()))
            found.append(item)
    return found


def _overlay(plan) -> dict[str, str]:
    try:
        return json.loads((plan.build_dir / "overlay.json").read_text())["Replace"]
    except (OSError, ValueError, KeyError):
        return {}


def unified(items: list[Injected]) -> str:
    """The diffs, in the form `patch` and `git apply` read."""
    out = []
    for item in items:
        where = item.package
        if item.refused is not None:
            out.append(f"# {where}: compiled without instrumentation: {item.refused}\n")
            continue
        for name, original, spliced in item.changed:
            out.extend(
                difflib.unified_diff(
                    original.splitlines(keepends=True),
                    spliced.splitlines(keepends=True),
                    f"a/{where}/{name}",
                    f"b/{where}/{name}",
                )
            )
        for name, text in item.added:
            out.extend(difflib.unified_diff([], text.splitlines(keepends=True), "/dev/null", f"b/{where}/{name}"))
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in out)


def write(items: list[Injected], directory: Path) -> list[Path]:
    """The files each instrumented package is compiled from that otelgo
    made or changed, under directory/<import path>/."""
    written = []
    for item in items:
        if item.refused is not None:
            continue
        for name, text in [*((n, s) for n, _, s in item.changed), *item.added]:
            path = directory / item.package / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            written.append(path)
    return written
