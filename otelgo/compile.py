"""The compile of a package that a rule matched: splice, generate, then run
the real compiler on the spliced copies.

The copies go into the action's own work directory (beside its -o output),
which the go command removes; the user's files are only read. If the package
cannot be spliced, it is compiled as it is, with a warning: a build is never
broken by instrumentation that does not fit.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from otelgo import outcomes
from otelgo.codegen import generate
from otelgo.shim import PLAN_ENV
from otelgo.splice import SpliceError, splice_package
from otelgo.toolexec import expand_response_files

GENERATED = "otelgo_trampolines.go"


def _go_files(args: list[str]) -> list[int]:
    """Indexes of the source files: the compiler takes them after all flags."""
    i = len(args)
    while i > 0 and args[i - 1].endswith(".go") and not args[i - 1].startswith("-"):
        i -= 1
    return list(range(i, len(args)))


def _flag(args: list[str], name: str) -> str | None:
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def compile_instrumented(plan: dict, pkg: str, tool: str, args: list[str]) -> int:
    args = expand_response_files(args)
    try:
        new_args = _instrument(plan, pkg, args)
    except (SpliceError, OSError, UnicodeDecodeError) as e:
        sys.stderr.write(f"otel: warning: {pkg} compiled without instrumentation: {e}\n")
        _record_refusal(plan, pkg, args, str(e))
        new_args = args
    os.execv(tool, [tool, *new_args])


def _record_refusal(plan: dict, pkg: str, args: list[str], reason: str) -> None:
    """Tell the summary, in this build and in later ones that reuse this
    compile from the go command's cache, that the package is uninstrumented.
    Files in the action's own directory (cgo's output) are not the
    package's sources as go list names them, so they stay out of the key."""
    objdir = Path(os.path.abspath(_flag(args, "-o") or "_pkg_.a")).parent
    paths = [Path(os.path.abspath(args[i])) for i in _go_files(args)]
    try:
        contents = [p.read_bytes() for p in paths if not p.is_relative_to(objdir)]
        outcomes.record_refusal(outcomes.key(plan["token"], pkg, contents), pkg, reason)
    except OSError as e:
        sys.stderr.write(f"otel: warning: the build summary may list {pkg} as instrumented: {e}\n")


def _instrument(plan: dict, pkg: str, args: list[str]) -> list[str]:
    rules = plan["packages"][pkg]["rules"]
    indexes = _go_files(args)
    cwd = Path(os.getcwd())
    files = [(str(cwd / args[i]), (cwd / args[i]).read_bytes()) for i in indexes]
    result = splice_package(pkg, files, rules)
    added = [r["File"] for r in rules if r.get("Kind") == "file"]
    _report(pkg, result, added)
    if not result.sources and not added:
        return args
    workdir = Path(_flag(args, "-o") or "_pkg_.a").resolve().parent / "otelgo"
    workdir.mkdir(parents=True, exist_ok=True)
    # Hook declarations have no body: the compiler must not insist on -complete.
    new_args = [a for a in args if a != "-complete"] if result.targets or result.spans else list(args)
    offset = len(args) - len(new_args)
    for i in indexes:
        original = str(cwd / args[i])
        if original in result.sources:
            copy = workdir / Path(original).name
            copy.write_text(result.sources[original])
            new_args[i - offset] = str(copy)
    if result.targets or result.spans:
        generated = workdir / GENERATED
        generated.write_text(generate(pkg, result))
        new_args.append(str(generated))
    return new_args + added


def _report(pkg: str, result, added: list[str]) -> None:
    """Leave what was applied where for the build's summary."""
    reports = Path(os.environ[PLAN_ENV]).parent / "reports"
    reports.mkdir(exist_ok=True)
    report = {
        "package": pkg,
        "instrumented": [t.func_name for t in result.targets] + [Path(f).name for f in added],
        "missing": [r.get("Name") or r.get("Function") or r.get("StructType") for r in result.missing],
    }
    (reports / (pkg.replace("/", "_") + ".json")).write_text(json.dumps(report))
