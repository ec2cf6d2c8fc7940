"""Time otelgo's plan phase on one Go module, broken down by stage.

    .venv/bin/python bench/plan_phase.py DIR [go build flags and packages]

Runs what `otel go build` runs before the go command starts (otelgo/driver.py:
go env, load the rules, make_plan: modfile copy, go list -deps, matching, hook
checks, overlay and plan files) in this process, then what an unchanged
rebuild runs instead of the rules and make_plan (the remembered plan,
otelgo/plan/memo.py: its key, and the plan read back), and prints one JSON
object with the seconds each stage took. "imports" and "process" count from the
process's start (/proc), so they include the interpreter's start-up. bench/build.py
runs it several times and reports medians.

It uses otelgo's internal functions, so it follows their signatures: when
they change, change it too.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time

_T0 = time.perf_counter()
_REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _REPO not in sys.path:
    sys.path.insert(0, _REPO)


def _process_start_seconds() -> float:
    """Seconds since this process started (from /proc), or since _T0."""
    try:
        with open("/proc/self/stat") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - _T0


def main(argv: list[str]) -> int:
    from pathlib import Path

    from otelgo.config import effective
    from otelgo.gocmd import flags as goflags
    from otelgo.gocmd import golist
    from otelgo.plan import memo, modules
    from otelgo.plan import plan as planning
    from otelgo.ruleset.load import builtin_rule_files, load_all, user_rule_files
    from otelgo.toolexec.protocol import INDEX_NAME

    # From the process's start: the interpreter's start-up and the imports.
    stages: dict[str, float] = {"imports": _process_start_seconds()}
    go_calls: dict[str, float] = {}

    real_run_go = golist.run_go

    def timed_run_go(args, *a, **k):
        s = time.perf_counter()
        try:
            return real_run_go(args, *a, **k)
        finally:
            key = "go " + args[0]
            go_calls[key] = go_calls.get(key, 0.0) + time.perf_counter() - s

    golist.run_go = timed_run_go

    def timed(name, fn):
        def wrapper(*a, **k):
            s = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                stages[name] = stages.get(name, 0.0) + time.perf_counter() - s

        return wrapper

    planning.list_deps = timed("go list -deps", planning.list_deps)
    planning.check_hooks = timed("check hooks", planning.check_hooks)
    planning.match_rules = timed("match rules", planning.match_rules)
    modules.prepare = timed("modules", modules.prepare)

    cwd = Path(argv[0]).resolve()
    cmd = goflags.parse("build", argv[1:] or ["."])
    t = time.perf_counter()
    env = golist.go_env(cwd)
    stages["go env"] = time.perf_counter() - t
    t = time.perf_counter()
    rules = load_all(builtin_rule_files() + user_rule_files(tuple(cmd.rule_files)))
    stages["load rules"] = time.perf_counter() - t
    build_dir = Path(tempfile.mkdtemp(prefix="otelgo-bench-plan-"))
    try:
        t = time.perf_counter()
        plan = planning.make_plan(cmd, env, rules, build_dir, cwd)
        stages["make_plan"] = time.perf_counter() - t
        # What an unchanged rebuild runs instead (otelgo/plan/memo.py): the
        # key, then the remembered plan read back into a build dir of its own.
        config = effective(cmd, env)
        digest = memo.key(cmd, env, config, cwd)
        if digest is not None:
            memo.store(digest, plan, build_dir, env, cmd.packages or ["."])
            again = Path(tempfile.mkdtemp(prefix="otelgo-bench-plan-"))
            try:
                t = time.perf_counter()
                remembered = memo.load(memo.key(cmd, env, config, cwd), again, whole=False)
                stages["remembered plan"] = time.perf_counter() - t
                stages["remembered plan hit"] = float(remembered is not None)
            finally:
                shutil.rmtree(again, ignore_errors=True)
        if os.environ.get("OTELGO_BENCH_KEEP_PLAN"):
            # bench/shim.py wants a real plan file to run the shim with.
            keep = Path(os.environ["OTELGO_BENCH_KEEP_PLAN"])
            keep.mkdir(parents=True, exist_ok=True)
            shutil.copy(plan.file_path, keep / "plan.json")
            shutil.copy(plan.file_path.parent / INDEX_NAME, keep / INDEX_NAME)
    finally:
        shutil.rmtree(build_dir, ignore_errors=True)
    stages["process"] = _process_start_seconds()
    json.dump(
        {
            "stages": stages,
            "go_calls": go_calls,
            "packages": len(plan.packages),
            "instrumented": len(plan.match.applied),
        },
        sys.stdout,
    )
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
