"""The compile of a package that a rule matched: splice, generate, then run
the real compiler on the spliced copies.

The copies go into the action's own work directory (beside its -o output),
which the go command removes; the user's files are only read. If the package
cannot be spliced, it is compiled as it is, with a warning: a build is never
broken by instrumentation that does not fit.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from otelgo.ruleset.model import FileRule, Rule, rule_from_dict
from otelgo.splice.codegen import generate
from otelgo.splice.edit import SpliceError, splice_package
from otelgo.toolexec import protocol, refusals

GENERATED = "otelgo_trampolines.go"


def compile_instrumented(plan: dict, pkg: str, tool: str, args: list[str]) -> int:
    new_args, warnings = instrumented_args(plan, pkg, args, Path(os.getcwd()))
    sys.stderr.write(warnings)
    os.execv(tool, [tool, *new_args])


def instrumented_args(plan: dict, pkg: str, args: list[str], cwd: Path) -> tuple[list[str], str]:
    """The compile's arguments with the spliced copies and the generated
    file in place of the package's sources, and what to tell stderr (the
    original arguments and why, when the package cannot be spliced). cwd:
    where the go command runs the compiler, which relative paths start from."""
    entry = plan["packages"][pkg]
    key = entry.get("key", pkg)  # a main package compiled under its import path is spliced as main
    rules = [rule_from_dict(r) for r in entry["rules"]]
    try:
        return _instrument(key, rules, args, cwd), ""
    except (SpliceError, OSError, UnicodeDecodeError) as e:
        warning = f"otel: warning: {pkg} compiled without instrumentation: {e}\n"
        return args, warning + _record_refusal(plan["token"], key, entry["digest"], args, cwd, str(e))


def _record_refusal(token: str, pkg: str, digest: str, args: list[str], cwd: Path, reason: str) -> str:
    """Tell the summary, in this build and in later ones that reuse this
    compile from the go command's cache, that the package is uninstrumented;
    a warning when it cannot be told."""
    try:
        refusals.record(refusals.key(token, pkg, digest, refusals.compile_sources(args, cwd)), pkg, reason)
    except OSError as e:
        return f"otel: warning: the build summary may list {pkg} as instrumented: {e}\n"
    return ""


def _instrument(pkg: str, rules: list[Rule], args: list[str], cwd: Path) -> list[str]:
    indexes = protocol.go_files(args)
    files = [(str(cwd / args[i]), (cwd / args[i]).read_bytes()) for i in indexes]
    result = splice_package(pkg, files, rules)
    added = [r.File for r in rules if isinstance(r, FileRule)]
    if not result.sources and not added:
        return args
    workdir = (cwd / (protocol.flag(args, "-o") or "_pkg_.a")).resolve().parent / "otelgo"
    workdir.mkdir(parents=True, exist_ok=True)
    # Hook declarations have no body: the compiler must not insist on -complete.
    new_args = [a for a in args if a != "-complete"] if result.generates else list(args)
    offset = len(args) - len(new_args)
    for i in indexes:
        original = str(cwd / args[i])
        if original in result.sources:
            copy = workdir / Path(original).name
            copy.write_text(result.sources[original])
            new_args[i - offset] = str(copy)
    if result.generates:
        generated = workdir / GENERATED
        generated.write_text(generate(pkg, result, pool=_can_import(args, "sync", cwd)))
        new_args.append(str(generated))
    return new_args + added


def _can_import(args: list[str], path: str, cwd: Path) -> bool:
    """Whether the compile's -importcfg lets the package import path."""
    cfg = protocol.flag(args, "-importcfg")
    if not cfg:
        return False
    try:
        text = (cwd / cfg).read_text()
    except OSError:
        return False
    return f"\npackagefile {path}=" in "\n" + text
