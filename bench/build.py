"""Build-time benchmark: otelgo on the realistic service against plain
`go build` of its hand-instrumented twin, side by side in one run.

    .venv/bin/python bench/build.py [--cold-runs 1] [--warm-runs 5] [--plan-runs 7] [--json FILE]

- cold: `otel go build` of testdata/bench/service and `go build` of
  testdata/bench/twin, each with an empty GOCACHE of its own (same
  GOMODCACHE, modules already downloaded); the otel build also starts with
  an empty otelgo cache (XDG_CACHE_HOME). Target: ratio <= 1.3.
- warm rebuild: with the caches the cold builds left, change one line of
  package main (the `version` constant) and build again; compile actions
  are counted from `-x` (only main should compile). Target: ratio <= 1.5.
- no-change rebuild: build again with nothing changed: no compile at all.
- plan: otelgo's plan phase alone (bench/plan_phase.py) on the service,
  warm, by stage. Target: <= 1 s.

Every figure is the median of its runs; otel and plain alternate in order.
The modules are copied to a work directory first; the checkout is never
built in place or edited. Cold builds take minutes each on 2 cores.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    BENCH_DATA,
    CommandFailed,
    arg_parser,
    clean_env,
    copy_module,
    count_actions,
    emit_json,
    find_go,
    machine,
    median,
    note,
    otel_argv,
    otel_env,
    otel_python,
    phases,
    print_table,
    run,
    verdict,
    workdir,
)

VERSION_LINE = re.compile(r'^const version = "[^"]*"$', re.M)


class Side:
    """One side of the comparison: how to build it, where, with which cache."""

    def __init__(self, name: str, module: Path, argv_of, env_of, binary: Path):
        self.name = name
        self.module = module
        self.argv_of = argv_of  # (output path, extra go flags) -> argv
        self.env_of = env_of  # (gocache, xdg or None) -> env
        self.binary = binary

    def build(self, gocache: Path, xdg: Path | None = None, trace: Path | None = None) -> dict:
        flags = [f"-debug-trace={trace}"] if trace else []
        seconds, proc = run(self.argv_of(self.binary, flags), self.module, self.env_of(gocache, xdg))
        out = {"seconds": seconds, "actions": count_actions(proc.stderr)}
        if trace:
            out["phases"] = phases(trace, seconds)
        return out


def sides(wd: Path) -> tuple[Side, Side]:
    bins = wd / "bin"
    bins.mkdir(exist_ok=True)
    service = copy_module(BENCH_DATA / "service", wd / "service")
    twin = copy_module(BENCH_DATA / "twin", wd / "twin")
    go = find_go()

    def otel_env_of(gocache, xdg):
        extra = {"GOCACHE": str(gocache)}
        if xdg is not None:
            extra["XDG_CACHE_HOME"] = str(xdg)
        return otel_env(extra)

    def plain_env_of(gocache, xdg):
        return clean_env({"GOCACHE": str(gocache)})

    otel = Side(
        "otel go build (service)",
        service,
        lambda out, flags: otel_argv("build", "-q", "-x", *flags, "-o", str(out), "."),
        otel_env_of,
        bins / "service-otel",
    )
    plain = Side(
        "go build (twin)",
        twin,
        lambda out, flags: [go, "build", "-x", *flags, "-o", str(out), "."],
        plain_env_of,
        bins / "twin-plain",
    )
    return otel, plain


def set_version(module: Path, value: str) -> None:
    main_go = module / "main.go"
    text = main_go.read_text()
    new, n = VERSION_LINE.subn(f'const version = "{value}"', text)
    if n != 1:
        raise SystemExit(f"bench: no `const version = ...` line in {main_go}")
    main_go.write_text(new)


def fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def cold_builds(otel: Side, plain: Side, wd: Path, runs: int) -> list[dict]:
    out = []
    for i in range(runs):
        order = [otel, plain] if i % 2 == 0 else [plain, otel]
        row = {}
        for side in order:
            cache = fresh(wd / f"gocache-{'otel' if side is otel else 'plain'}")
            xdg = fresh(wd / "xdg-otel") if side is otel else None
            note(f"cold run {i + 1}/{runs}: {side.name} with an empty GOCACHE ...")
            row[side.name] = side.build(cache, xdg)
            note(f"  {row[side.name]['seconds']:.1f} s, {row[side.name]['actions']['compile']} compiles")
        out.append(row)
    return out


def warm_builds(otel: Side, plain: Side, wd: Path, runs: int) -> tuple[list[dict], list[dict]]:
    caches = {otel.name: wd / "gocache-otel", plain.name: wd / "gocache-plain"}
    xdg = wd / "xdg-otel"
    nochange, edits = [], []
    for i in range(runs):
        order = [otel, plain] if i % 2 == 0 else [plain, otel]
        row = {}
        for side in order:
            row[side.name] = side.build(caches[side.name], xdg if side is otel else None)
        nochange.append(row)
        note(f"no-change rebuild {i + 1}/{runs}: " + ", ".join(f"{k}: {v['seconds']:.2f} s" for k, v in row.items()))
    for i in range(runs):
        order = [otel, plain] if i % 2 == 0 else [plain, otel]
        row = {}
        for side in order:
            # Never a value built before: the cache would serve main's compile.
            set_version(side.module, f"bench-{i + 1}-{time.time_ns()}")
            trace = wd / f"trace-{'otel' if side is otel else 'plain'}-{i}.json"
            row[side.name] = side.build(caches[side.name], xdg if side is otel else None, trace)
        edits.append(row)
        note(
            f"one-line edit rebuild {i + 1}/{runs}: "
            + ", ".join(f"{k}: {v['seconds']:.2f} s ({v['actions']['compile']} compiles)" for k, v in row.items())
        )
    return nochange, edits


def prepare_caches(otel: Side, plain: Side, wd: Path) -> None:
    """--skip-cold: fill the two caches once, untimed."""
    for side in (otel, plain):
        cache = wd / f"gocache-{'otel' if side is otel else 'plain'}"
        cache.mkdir(exist_ok=True)
        note(f"filling the cache of {side.name} (untimed) ...")
        side.build(cache, wd / "xdg-otel" if side is otel else None)


def plan_phase(module: Path, gocache: Path, runs: int) -> list[dict]:
    out = []
    env = otel_env({"GOCACHE": str(gocache)})
    argv = [otel_python(), str(Path(__file__).resolve().parent / "plan_phase.py"), str(module)]
    for i in range(runs + 1):
        _, proc = run(argv, module, env)
        if i:  # the first run warms the OS's and the go command's caches
            out.append(json.loads(proc.stdout))
    return out


def summarize(side_runs: list[dict], name: str) -> dict:
    secs = [r[name]["seconds"] for r in side_runs]
    compiles = [r[name]["actions"]["compile"] for r in side_runs]
    links = [r[name]["actions"]["link"] for r in side_runs]
    return {"seconds": median(secs), "all_seconds": secs, "compiles": median(compiles), "links": median(links)}


def ratio_of(runs: list[dict], a: str, b: str) -> float:
    return median([r[a]["seconds"] / r[b]["seconds"] for r in runs])


def main() -> int:
    p = arg_parser(__doc__.split("\n\n")[0])
    p.add_argument("--cold-runs", type=int, default=1, help="cold builds per side (minutes each); default 1")
    p.add_argument("--warm-runs", type=int, default=5, help="no-change and one-line-edit rebuilds per side; default 5")
    p.add_argument("--plan-runs", type=int, default=7, help="plan-phase runs; default 7")
    p.add_argument("--skip-cold", action="store_true", help="no cold builds (the caches are filled untimed)")
    p.add_argument("--workdir", help="work directory (default: a new temporary one, removed unless --keep)")
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    args = p.parse_args()

    wd = workdir(args.workdir, "otelgo-bench-build-")
    result: dict = {"machine": machine(), "workdir": str(wd)}
    try:
        otel, plain = sides(wd)
        # Modules (the program's and otelgo's hook modules) are downloaded
        # before anything is timed: the shared GOMODCACHE is warm for both.
        note("downloading modules (untimed) ...")
        run([find_go(), "mod", "download"], plain.module, clean_env())
        run([find_go(), "mod", "download"], otel.module, clean_env())
        run(otel_argv("build", "-q", "-o", str(wd / "bin" / "prefetch"), "."), otel.module, otel_env())

        if args.skip_cold:
            prepare_caches(otel, plain, wd)
            cold = []
        else:
            cold = cold_builds(otel, plain, wd, args.cold_runs)
        nochange, edits = warm_builds(otel, plain, wd, args.warm_runs)
        plans = plan_phase(otel.module, wd / "gocache-otel", args.plan_runs)
    except CommandFailed as e:
        print(e, file=sys.stderr)
        return 1
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(wd, ignore_errors=True)

    rows = []
    if cold:
        o, pl = summarize(cold, otel.name), summarize(cold, plain.name)
        r = ratio_of(cold, otel.name, plain.name)
        rows.append(
            [
                "cold build",
                f"{o['seconds']:.1f} s ({o['compiles']:.0f} compiles)",
                f"{pl['seconds']:.1f} s ({pl['compiles']:.0f} compiles)",
                f"{r:.2f}",
                "<= 1.3",
                verdict(r, 1.3),
            ]
        )
        result["cold"] = {"runs": cold, "otel": o, "plain": pl, "ratio": r}
    o, pl = summarize(edits, otel.name), summarize(edits, plain.name)
    r = ratio_of(edits, otel.name, plain.name)
    rows.append(
        [
            "rebuild after a one-line edit of main",
            f"{o['seconds']:.2f} s ({o['compiles']:.0f} compiles)",
            f"{pl['seconds']:.2f} s ({pl['compiles']:.0f} compiles)",
            f"{r:.2f}",
            "<= 1.5, only main compiles",
            verdict(r, 1.5) + ("" if o["compiles"] <= 1 else f"; {o['compiles']:.0f} compiles"),
        ]
    )
    result["edit"] = {"runs": edits, "otel": o, "plain": pl, "ratio": r}
    o2, pl2 = summarize(nochange, otel.name), summarize(nochange, plain.name)
    r2 = ratio_of(nochange, otel.name, plain.name)
    rows.append(
        [
            "no-change rebuild",
            f"{o2['seconds']:.2f} s ({o2['compiles']:.0f} compiles, {o2['links']:.0f} links)",
            f"{pl2['seconds']:.2f} s ({pl2['compiles']:.0f} compiles, {pl2['links']:.0f} links)",
            f"{r2:.2f}",
            "no compile",
            "met" if o2["compiles"] == 0 else f"MISSED: {o2['compiles']:.0f} compiles",
        ]
    )
    result["nochange"] = {"runs": nochange, "otel": o2, "plain": pl2, "ratio": r2}
    print_table(
        "Build time: otel go build of testdata/bench/service vs go build of testdata/bench/twin (medians)",
        ["measure", "otel", "plain twin", "ratio", "target", "verdict"],
        rows,
    )
    phase_names = list(edits[0][otel.name]["phases"])
    print_table(
        "Rebuild after a one-line edit of main, where the time goes (go build -debug-trace; medians, s)",
        ["phase", "otel", "plain twin"],
        [
            [
                name,
                f"{median([r[otel.name]['phases'][name] for r in edits]):.2f}",
                f"{median([r[plain.name]['phases'][name] for r in edits]):.2f}",
            ]
            for name in phase_names
        ]
        + [["wall", f"{o['seconds']:.2f}", f"{pl['seconds']:.2f}"]],
    )

    stage_names = sorted({k for run_ in plans for k in run_["stages"]} - {"process"}, key=_stage_order)
    plan_rows = [
        [_LABELS.get(name, name), f"{median([run_['stages'].get(name, 0.0) for run_ in plans]):.3f}"]
        for name in stage_names
    ]
    total = median([run_["stages"]["process"] for run_ in plans])
    print_table(
        f"Plan phase on the service, warm ({len(plans)} runs, median seconds; "
        f"{plans[0]['packages']} packages listed, {plans[0]['instrumented']} instrumented)",
        ["stage", "seconds"],
        plan_rows + [["whole process (target <= 1 s)", f"{total:.3f}  {verdict(total, 1.0)}"]],
    )
    result["plan"] = {"runs": plans, "total": total}
    emit_json(args.json, result)
    return 0


_ORDER = ["imports", "go env", "load rules", "make_plan", "modfile", "go list -deps", "match rules", "check hooks"]
_LABELS = {
    "imports": "interpreter start to otelgo imported (click, ...)",
    "go env": "go env",
    "load rules": "load + validate the rules",
    "make_plan": "make_plan, of which:",
    "modfile": "  go.mod copy for -modfile",
    "go list -deps": "  go list -deps",
    "match rules": "  match rules",
    "check hooks": "  check hook signatures",
}


def _stage_order(name: str) -> int:
    return _ORDER.index(name) if name in _ORDER else len(_ORDER)


if __name__ == "__main__":
    sys.exit(main())
