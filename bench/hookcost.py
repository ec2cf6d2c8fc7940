"""Hooked-call benchmark: what a function otelgo hooks costs per call.

    .venv/bin/python bench/hookcost.py [--count 5] [--benchtime 2000000x] [--json FILE]

testdata/bench/hookcost has identical non-inlined functions; its user rules
(otelhooks/rules.json) hook three of them with OnEnter and OnExit, and an
//otel:span comment gives another a span:

  Plain     not hooked: the baseline of the next three
  Noop      hooks with empty bodies: the trampolines alone
  Gated     hooks that return at once when HOOKCOST_DISABLED is set
  Traced    hooks that start and end a span from the global TracerProvider
  PlainCtx  func(ctx, a, b) (int, error), not instrumented: baseline of Spanned
  Spanned   the same with //otel:span (otelgo's span support)

Instrumentation is switched off at run time by OTEL_SDK_DISABLED=true (every
hook and span) or OTELGO_DISABLED_INSTRUMENTATIONS (the hook packages it
names; here otelhooks and annotate, with the SDK on): the spliced code tests
a bool set at start-up before anything else. Both are measured, and the
hooks switched on (SDK on, exporter none). Target: <= 10 ns per call over
the baseline when switched off. HOOKCOST_DISABLED=1 (set when the hooks are
on) makes Gated's hooks return at once: a hook package switching itself off.

The test binary is built once with `otel go test -c` and run with
-test.bench in each configuration; figures are medians of --count runs.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    BENCH_DATA,
    CommandFailed,
    arg_parser,
    clean_env,
    emit_json,
    machine,
    median,
    note,
    otel_argv,
    otel_env,
    print_table,
    run,
    verdict,
    workdir,
)

MODULE = BENCH_DATA / "hookcost"
CONFIGS = {
    "off: OTEL_SDK_DISABLED=true": {"OTEL_SDK_DISABLED": "true"},
    "off by name, SDK on": {"OTELGO_DISABLED_INSTRUMENTATIONS": "otelhooks,annotate", "OTEL_TRACES_EXPORTER": "none"},
    "on, SDK on, exporter none": {"OTEL_TRACES_EXPORTER": "none", "HOOKCOST_DISABLED": "1"},
}
OFF = ("off: OTEL_SDK_DISABLED=true", "off by name, SDK on")
BASELINE = {"Noop": "Plain", "Gated": "Plain", "Traced": "Plain", "Spanned": "PlainCtx"}
_LINE = re.compile(r"^Benchmark(\w+)-\d+\s+\d+\s+([\d.]+) ns/op(?:\s+(\d+) B/op\s+(\d+) allocs/op)?", re.M)


def parse(text: str) -> dict[str, list[tuple[float, int, int]]]:
    out: dict[str, list[tuple[float, int, int]]] = {}
    for m in _LINE.finditer(text):
        out.setdefault(m.group(1), []).append((float(m.group(2)), int(m.group(3) or 0), int(m.group(4) or 0)))
    return out


def main() -> int:
    p = arg_parser(__doc__.split("\n\n")[0])
    p.add_argument("--count", type=int, default=5, help="runs of each benchmark; default 5")
    p.add_argument("--benchtime", default="2000000x", help="go test -benchtime; default 2000000x")
    p.add_argument("--workdir")
    p.add_argument("--keep", action="store_true")
    args = p.parse_args()

    wd = workdir(args.workdir, "otelgo-bench-hookcost-")
    result: dict = {"machine": machine(), "configs": {}}
    try:
        binary = wd / "target.test"
        note("building the test binary with otel go test -c ...")
        run(
            otel_argv("test", "-q", "--rules", "otelhooks/rules.json", "-c", "-o", str(binary), "./target"),
            MODULE,
            otel_env(),
        )
        for name, extra in CONFIGS.items():
            note(f"running the benchmarks, {name} ...")
            _, proc = run(
                [
                    str(binary),
                    "-test.run",
                    "TestResults",
                    "-test.bench",
                    ".",
                    "-test.benchmem",
                    "-test.benchtime",
                    args.benchtime,
                    "-test.count",
                    str(args.count),
                ],
                MODULE / "target",
                clean_env(extra),
            )
            result["configs"][name] = parse(proc.stdout)
    except CommandFailed as e:
        print(e, file=sys.stderr)
        return 1
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(wd, ignore_errors=True)

    rows = []
    summary = {}
    for config, benches in result["configs"].items():
        for bench, xs in benches.items():
            base_name = BASELINE.get(bench)
            ns = median([x[0] for x in xs])
            allocs = median([x[2] for x in xs])
            over = ns - median([x[0] for x in benches.get(base_name, [])]) if base_name else 0.0
            target = ""
            if config in OFF and bench in BASELINE:
                target = verdict(over, 10.0)
            rows.append(
                [config, bench, f"{ns:.1f}", f"{over:+.1f} ({base_name})" if base_name else "", f"{allocs:.0f}", target]
            )
            summary[f"{config}/{bench}"] = {"ns": ns, "over_baseline_ns": over, "allocs": allocs}
    print_table(
        f"Cost of a hooked call (median of {args.count} runs, ns/op; target <= 10 ns over the baseline when disabled)",
        ["configuration", "function", "ns/op", "over baseline", "allocs/op", "verdict"],
        rows,
    )
    result["summary"] = summary
    emit_json(args.json, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
