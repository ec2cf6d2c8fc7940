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
    entry = plan["packages"][pkg]
    key = entry.get("key", pkg)  # a main package compiled under its import path is spliced as main
    rules = [rule_from_dict(r) for r in entry["rules"]]
    try:
        new_args = _instrument(key, rules, args)
    except (SpliceError, OSError, UnicodeDecodeError) as e:
        sys.stderr.write(f"otel: warning: {pkg} compiled without instrumentation: {e}\n")
        _record_refusal(plan["token"], key, entry["digest"], args, str(e))
        new_args = args
    os.execv(tool, [tool, *new_args])


def _record_refusal(token: str, pkg: str, digest: str, args: list[str], reason: str) -> None:
    """Tell the summary, in this build and in later ones that reuse this
    compile from the go command's cache, that the package is uninstrumented."""
    try:
        refusals.record(refusals.key(token, pkg, digest, refusals.compile_sources(args)), pkg, reason)
    except OSError as e:
        sys.stderr.write(f"otel: warning: the build summary may list {pkg} as instrumented: {e}\n")


def _instrument(pkg: str, rules: list[Rule], args: list[str]) -> list[str]:
    indexes = protocol.go_files(args)
    cwd = Path(os.getcwd())
    files = [(str(cwd / args[i]), (cwd / args[i]).read_bytes()) for i in indexes]
    result = splice_package(pkg, files, rules)
    added = [r.File for r in rules if isinstance(r, FileRule)]
    if not result.sources and not added:
        return args
    workdir = Path(protocol.flag(args, "-o") or "_pkg_.a").resolve().parent / "otelgo"
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
        generated.write_text(generate(pkg, result, pool=_can_import(args, "sync")))
        new_args.append(str(generated))
    return new_args + added


def _can_import(args: list[str], path: str) -> bool:
    """Whether the compile's -importcfg lets the package import path."""
    cfg = protocol.flag(args, "-importcfg")
    if not cfg:
        return False
    try:
        text = Path(cfg).read_text()
    except OSError:
        return False
    return f"\npackagefile {path}=" in "\n" + text
