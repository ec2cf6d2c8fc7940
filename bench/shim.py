"""Fast-path benchmark: what the -toolexec shim costs when no rule matches.

    .venv/bin/python bench/shim.py [--calls 200] [--rounds 5] [--packages 50] [--json FILE]

1. Per call: the go command runs the -toolexec command, the native shim
   (otelgo/toolexec/native/shim.go, built into otelgo's cache), with a real
   plan file (OTELGO_PLAN, the plan of testdata/bench/service), for a
   compile of a tiny package that no rule matches; and, for comparison, the
   Python shim it hands everything else to (`python -I -S
   otelgo/toolexec/shim.py TOOL ARGS`), which ran every tool action before.
   Interleaved with the same compile run directly; and, to isolate the
   shim, with a no-op tool (/bin/true under the name `compile`) run directly
   and through each shim. Medians of --calls invocations each.
   Target: shim - direct <= 15 ms.
2. Many packages, no rule matches: a generated module of --packages small
   packages (plus main) that no rule matches, built by `otel go build` and
   by `go build` with the same GOCACHE state: the standard library and
   everything else cached for both (warmed first, untimed), the generated
   packages changed before every build (a new constant) so that both
   compile all of them and link. Medians of --rounds builds each.
   Target: ratio <= 1.15. For scale, a third side: `go build` of the same
   module with the SDK set up by hand (testdata/bench/many/telemetry.go),
   which separates what linking the SDK costs from what otelgo costs.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    BENCH_DATA,
    REPO,
    CommandFailed,
    arg_parser,
    clean_env,
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

SHIM = REPO / "otelgo" / "toolexec" / "shim.py"


# --- 1. per call ----------------------------------------------------------


def make_plan_file(wd: Path, module: Path) -> Path:
    """A real plan.json, written by otelgo's plan phase for `module`."""
    keep = wd / "plan"
    env = otel_env({"OTELGO_BENCH_KEEP_PLAN": str(keep)})
    run([otel_python(), str(Path(__file__).resolve().parent / "plan_phase.py"), str(module)], module, env)
    return keep / "plan.json"


def tiny_compile(wd: Path, gotooldir: Path) -> tuple[list[str], list[str]]:
    """(argv of a compile of a one-function package, the same with a no-op
    tool named compile)."""
    tiny = wd / "tiny"
    tiny.mkdir(exist_ok=True)
    (tiny / "tiny.go").write_text("package tiny\n\nfunc Add(a, b int) int { return a + b }\n")
    (tiny / "importcfg").write_text("# import config\n")
    args = [
        "-o",
        str(tiny / "_pkg_.a"),
        "-p",
        "example.com/tiny",
        "-lang=go1.24",
        "-complete",
        "-pack",
        "-importcfg",
        str(tiny / "importcfg"),
        str(tiny / "tiny.go"),
    ]
    fake = wd / "fake"
    fake.mkdir(exist_ok=True)
    noop = fake / "compile"
    if not noop.exists():
        noop.symlink_to(shutil.which("true") or "/bin/true")
    return [str(gotooldir / "compile"), *args], [str(noop), *args]


def native_shim() -> str:
    """The native shim's path, built as `otel go build` builds it."""
    code = "from otelgo.toolexec.nativeshim import command; print(command())"
    path = subprocess.run([otel_python(), "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    if not path.endswith("otelgo-shim"):
        raise CommandFailed(f"the native shim could not be built (otelgo falls back to {path})")
    return path


def per_call(wd: Path, plan: Path, calls: int) -> dict:
    gotooldir = Path(
        subprocess.run([find_go(), "env", "GOTOOLDIR"], capture_output=True, text=True, check=True).stdout.strip()
    )
    compile_argv, noop_argv = tiny_compile(wd, gotooldir)
    shim = [otel_python(), "-I", "-S", str(SHIM)]
    native = [native_shim()]
    variants = {
        "compile, direct": compile_argv,
        "compile, through the shim": native + compile_argv,
        "compile, through the Python shim": shim + compile_argv,
        "no-op tool, direct": noop_argv,
        "no-op tool, through the shim": native + noop_argv,
        "no-op tool, through the Python shim": shim + noop_argv,
        "bare interpreter (python -I -S -c pass)": [otel_python(), "-I", "-S", "-c", "pass"],
    }
    env = clean_env({"OTELGO_PLAN": str(plan)})
    for argv in variants.values():  # once each, untimed, and a check that they work
        subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
    times: dict[str, list[float]] = {k: [] for k in variants}
    for i in range(calls):
        items = list(variants.items())
        if i % 2:
            items.reverse()
        for name, argv in items:
            start = time.perf_counter()
            subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL)
            times[name].append(time.perf_counter() - start)
    med = {k: median(v) * 1000 for k, v in times.items()}
    return {
        "instructions": instructions(
            wd,
            {
                k: variants[k]
                for k in ("no-op tool, through the Python shim", "bare interpreter (python -I -S -c pass)")
            },
            env,
        ),
        "median_ms": med,
        "overhead_compile_ms": med["compile, through the shim"] - med["compile, direct"],
        "overhead_noop_ms": med["no-op tool, through the shim"] - med["no-op tool, direct"],
        "overhead_compile_python_ms": med["compile, through the Python shim"] - med["compile, direct"],
        "overhead_noop_python_ms": med["no-op tool, through the Python shim"] - med["no-op tool, direct"],
        "plan_bytes": plan.stat().st_size,
        "calls": calls,
    }


def instructions(wd: Path, variants: dict[str, list[str]], env: dict[str, str]) -> dict[str, int]:
    """Instructions each variant executes before it execs the tool, counted
    by callgrind: unlike wall time, independent of the machine's load. {}
    without valgrind."""
    if shutil.which("valgrind") is None:
        return {}
    counts = {}
    for name, argv in variants.items():
        out = wd / "callgrind.out"
        # The shim ends by exec'ing the tool: dump the counts just before.
        subprocess.run(
            ["valgrind", "-q", "--tool=callgrind", "--dump-before=execve", f"--callgrind-out-file={out}", *argv],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        dumps = sorted(wd.glob("callgrind.out*"), key=lambda p: p.stat().st_size)
        counts[name] = max(
            int(line.split()[1]) for p in dumps for line in p.read_text().splitlines() if line.startswith("summary:")
        )
        for p in dumps:
            p.unlink()
    return counts


# --- 2. many packages --------------------------------------------------------

PACKAGE = """// Package {name} is generated by bench/shim.py: ordinary code that no
// otelgo rule matches.
package {name}

import (
	"fmt"
	"sort"
	"strings"
{imports}
)

const nonce = "{nonce}"

// Nonce changes with every benchmark round, so the package is rebuilt.
func Nonce() string {{ return nonce }}

// Record is a row of something.
type Record struct {{
	ID    int
	Name  string
	Tags  []string
	Score float64
}}

// New makes a record.
func New(id int, name string, tags ...string) Record {{
	return Record{{ID: id, Name: name, Tags: tags, Score: float64(id) * 1.5}}
}}

// String formats a record.
func (r Record) String() string {{
	return fmt.Sprintf("%d:%s[%s]=%.2f", r.ID, r.Name, strings.Join(r.Tags, ","), r.Score)
}}

// HasTag reports whether the record has tag t.
func (r Record) HasTag(t string) bool {{
	for _, x := range r.Tags {{
		if x == t {{
			return true
		}}
	}}
	return false
}}

// Store holds records by id.
type Store struct {{
	byID map[int]Record
}}

// NewStore makes an empty store.
func NewStore() *Store {{ return &Store{{byID: map[int]Record{{}}}} }}

// Put adds or replaces a record.
func (s *Store) Put(r Record) {{ s.byID[r.ID] = r }}

// Get returns a record.
func (s *Store) Get(id int) (Record, bool) {{
	r, ok := s.byID[id]
	return r, ok
}}

// Sorted returns the records by score, best first.
func (s *Store) Sorted() []Record {{
	out := make([]Record, 0, len(s.byID))
	for _, r := range s.byID {{
		out = append(out, r)
	}}
	sort.Slice(out, func(i, j int) bool {{
		if out[i].Score != out[j].Score {{
			return out[i].Score > out[j].Score
		}}
		return out[i].ID < out[j].ID
	}})
	return out
}}

// Tagged returns the records with tag t.
func (s *Store) Tagged(t string) []Record {{
	var out []Record
	for _, r := range s.Sorted() {{
		if r.HasTag(t) {{
			out = append(out, r)
		}}
	}}
	return out
}}

// Checksum is FNV-1a of s.
func Checksum(s string) uint32 {{
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {{
		h ^= uint32(s[i])
		h *= 16777619
	}}
	return h
}}

// Summary describes the store.
func (s *Store) Summary() string {{
	var b strings.Builder
	for _, r := range s.Sorted() {{
		fmt.Fprintf(&b, "%s %08x\\n", r, Checksum(r.Name))
	}}
	return b.String()
}}

// Run exercises the package{dep_note}.
func Run(n int) string {{
	s := NewStore()
	for i := 0; i < n; i++ {{
		s.Put(New(i, fmt.Sprintf("{name}-%d", i), "a", "b"))
	}}
	return {run_expr}
}}
"""


# The "go build + SDK" side: the generated module plus the SDK set up by hand,
# at the versions otelgo's bootstrap links (rules/go.mod).
SDK_TELEMETRY = BENCH_DATA / "many" / "telemetry.go"
SDK_MODULES = (
    "go.opentelemetry.io/otel@v1.41.0",
    "go.opentelemetry.io/otel/sdk@v1.41.0",
    "go.opentelemetry.io/otel/sdk/metric@v1.41.0",
    "go.opentelemetry.io/contrib/exporters/autoexport@v0.66.0",
    "go.opentelemetry.io/contrib/propagators/autoprop@v0.66.0",
    "go.opentelemetry.io/contrib/instrumentation/runtime@v0.66.0",
)


def generate_many(root: Path, packages: int, sdk: bool = False) -> None:
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    (root / "go.mod").write_text("module example.com/many\n\ngo 1.24.0\n")
    names = [f"p{i:02d}" for i in range(packages)]
    for i, name in enumerate(names):
        # Chains of five: p01 imports p00, p02 imports p01, ... p05 starts anew.
        dep = names[i - 1] if i % 5 else None
        (root / name).mkdir()
        (root / name / f"{name}.go").write_text(
            PACKAGE.format(
                name=name,
                nonce="0",
                imports=f'\n\t"example.com/many/{dep}"' if dep else "",
                dep_note=f" and {dep}" if dep else "",
                run_expr=f"s.Summary() + {dep}.Run(n/2)" if dep else "s.Summary()",
            )
        )
    imports = "\n".join(f'\t"example.com/many/{n}"' for n in names)
    calls = "\n".join(f"\tout = append(out, {n}.Run(3))" for n in names)
    setup = "\tdefer setupTelemetry(context.Background())()\n" if sdk else ""
    std = '\t"context"\n\t"fmt"\n' if sdk else '\t"fmt"\n'
    (root / "main.go").write_text(
        f"// Command many calls into every generated package.\npackage main\n\nimport (\n{std}\n{imports}\n)\n\n"
        f"func main() {{\n{setup}\tvar out []string\n{calls}\n\tfmt.Println(len(out))\n}}\n"
    )
    if sdk:
        shutil.copy(SDK_TELEMETRY, root / "telemetry.go")
        env = clean_env({"GOFLAGS": "-mod=mod"})
        run([find_go(), "get", *SDK_MODULES], root, env)
        run([find_go(), "mod", "tidy"], root, env)


def set_nonce(root: Path, value: str) -> None:
    for path in root.glob("p*/p*.go"):
        text = path.read_text()
        start = text.index('const nonce = "')
        end = text.index('"', start + len('const nonce = "'))
        path.write_text(text[:start] + f'const nonce = "{value}' + text[end:])


def many_packages(wd: Path, packages: int, rounds: int, gocache: Path | None) -> dict:
    root, sdk_root = wd / "many", wd / "many-sdk"
    generate_many(root, packages)
    generate_many(sdk_root, packages, sdk=True)
    bins = wd / "bin"
    bins.mkdir(exist_ok=True)
    extra = {"GOCACHE": str(gocache)} if gocache else {}
    go = find_go()
    trace = wd / "trace.json"
    builds = {
        "otel go build": (
            otel_argv("build", "-q", "-x", f"-debug-trace={trace}", "-o", str(bins / "many-otel"), "."),
            otel_env(extra),
            root,
        ),
        "go build": (
            [go, "build", "-x", f"-debug-trace={trace}", "-o", str(bins / "many-plain"), "."],
            clean_env(extra),
            root,
        ),
        "go build + SDK": (
            [go, "build", "-x", f"-debug-trace={trace}", "-o", str(bins / "many-sdk"), "."],
            clean_env(extra),
            sdk_root,
        ),
    }
    note(
        "warming the cache for both builds (untimed; the first instrumented build may compile the standard library) ..."
    )
    for argv, env, cwd in builds.values():
        run(argv, cwd, env)
    runs = []
    for i in range(rounds):
        items = list(builds.items())
        if i % 2:
            items.reverse()
        row = {}
        for name, (argv, env, cwd) in items:
            set_nonce(cwd, f"{i}-{name}-{random.random()}")
            seconds, proc = run(argv, cwd, env)
            row[name] = {
                "seconds": seconds,
                "actions": count_actions(proc.stderr),
                "phases": phases(trace, seconds, "example.com/many"),
            }
        runs.append(row)
        note(
            f"many packages round {i + 1}/{rounds}: "
            + ", ".join(f"{k}: {v['seconds']:.2f} s ({v['actions']['compile']} compiles)" for k, v in row.items())
        )
    # How much of the otel build is its plan phase (before the go command).
    plans = []
    for _ in range(3):
        _, proc = run(
            [otel_python(), str(Path(__file__).resolve().parent / "plan_phase.py"), str(root)], root, otel_env(extra)
        )
        plans.append(json.loads(proc.stdout)["stages"]["process"])

    def seconds(side: str) -> float:
        return median([r[side]["seconds"] for r in runs])

    def ratio(side: str) -> float:
        return median([r["otel go build"]["seconds"] / r[side]["seconds"] for r in runs])

    def compiles(side: str) -> float:
        return median([r[side]["actions"]["compile"] for r in runs])

    return {
        "runs": runs,
        "otel_seconds": seconds("otel go build"),
        "plain_seconds": seconds("go build"),
        "sdk_seconds": seconds("go build + SDK"),
        "ratio": ratio("go build"),
        "ratio_sdk": ratio("go build + SDK"),
        "otel_compiles": compiles("otel go build"),
        "plain_compiles": compiles("go build"),
        "sdk_compiles": compiles("go build + SDK"),
        "packages": packages,
        "plan_seconds": median(plans),
        "phases": {
            side: {k: median([r[side]["phases"][k] for r in runs]) for k in runs[0][side]["phases"]} for side in builds
        },
    }


def main() -> int:
    p = arg_parser(__doc__.split("\n\n")[0])
    p.add_argument(
        "--calls", type=int, default=200, help="invocations per variant for the per-call figure; default 200"
    )
    p.add_argument("--rounds", type=int, default=5, help="builds per side for the many-packages figure; default 5")
    p.add_argument("--packages", type=int, default=50, help="generated packages; default 50")
    p.add_argument(
        "--plan-module",
        default=str(BENCH_DATA / "service"),
        help="module whose plan file the shim reads (default testdata/bench/service)",
    )
    p.add_argument(
        "--fresh-cache",
        action="store_true",
        help="a GOCACHE of its own for the many-packages builds (warming it compiles the standard "
        "library twice) instead of the default one",
    )
    p.add_argument("--skip-calls", action="store_true")
    p.add_argument("--skip-many", action="store_true")
    p.add_argument("--workdir")
    p.add_argument("--keep", action="store_true")
    args = p.parse_args()

    wd = workdir(args.workdir, "otelgo-bench-shim-")
    result: dict = {"machine": machine()}
    try:
        if not args.skip_calls:
            plan = make_plan_file(wd, Path(args.plan_module).resolve())
            result["per_call"] = calls = per_call(wd, plan, args.calls)
            m = calls["median_ms"]
            print_table(
                f"Shim cost per tool call, no rule matches (median of {args.calls} calls each, ms; "
                f"plan file {calls['plan_bytes'] // 1024} KiB)",
                ["tool", "direct", "through the shim", "shim overhead", "target", "verdict"],
                [
                    [
                        "compile of a one-function package",
                        f"{m['compile, direct']:.1f}",
                        f"{m['compile, through the shim']:.1f}",
                        f"{calls['overhead_compile_ms']:.1f}",
                        "<= 15",
                        verdict(calls["overhead_compile_ms"], 15),
                    ],
                    [
                        "no-op tool named compile (/bin/true)",
                        f"{m['no-op tool, direct']:.1f}",
                        f"{m['no-op tool, through the shim']:.1f}",
                        f"{calls['overhead_noop_ms']:.1f}",
                        "<= 15",
                        verdict(calls["overhead_noop_ms"], 15),
                    ],
                    [
                        "compile, through the Python shim (slow path's entry; before: every call)",
                        f"{m['compile, direct']:.1f}",
                        f"{m['compile, through the Python shim']:.1f}",
                        f"{calls['overhead_compile_python_ms']:.1f}",
                        "",
                        "",
                    ],
                    [
                        "no-op tool, through the Python shim",
                        f"{m['no-op tool, direct']:.1f}",
                        f"{m['no-op tool, through the Python shim']:.1f}",
                        f"{calls['overhead_noop_python_ms']:.1f}",
                        "",
                        "",
                    ],
                    [
                        "for scale: the bare interpreter, python -I -S -c pass",
                        "",
                        f"{m['bare interpreter (python -I -S -c pass)']:.1f}",
                        "",
                        "",
                        "",
                    ],
                ],
            )
            if calls["instructions"]:
                print_table(
                    "Instructions executed (callgrind; independent of the load)",
                    ["process", "instructions"],
                    [[k, f"{v / 1e6:.1f} M"] for k, v in calls["instructions"].items()],
                )
        if not args.skip_many:
            cache = (wd / "gocache") if args.fresh_cache else None
            result["many"] = many = many_packages(wd, args.packages, args.rounds, cache)
            print_table(
                f"Many packages, no rule matches: {args.packages} generated packages + main, "
                f"std cached, generated packages changed before each build (median of {args.rounds})",
                ["build", "seconds", "compile actions"],
                [
                    ["otel go build", f"{many['otel_seconds']:.2f}", f"{many['otel_compiles']:.0f}"],
                    ["go build", f"{many['plain_seconds']:.2f}", f"{many['plain_compiles']:.0f}"],
                    ["go build + SDK set up by hand", f"{many['sdk_seconds']:.2f}", f"{many['sdk_compiles']:.0f}"],
                    ["otel's plan phase alone (bench/plan_phase.py)", f"{many['plan_seconds']:.2f}", ""],
                    ["ratio to go build (target <= 1.15)", f"{many['ratio']:.2f}", verdict(many["ratio"], 1.15)],
                    ["ratio to go build + SDK (for scale)", f"{many['ratio_sdk']:.2f}", ""],
                ],
            )
            ph = many["phases"]
            sides = list(ph)
            print_table(
                "Many packages: where the time goes (go build -debug-trace; medians, s; compile and link "
                "are summed over actions, which run in parallel)",
                ["phase", *sides],
                [[k, *(f"{ph[side][k]:.2f}" for side in sides)] for k in ph["otel go build"]],
            )
    except CommandFailed as e:
        print(e, file=sys.stderr)
        return 1
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(wd, ignore_errors=True)
    emit_json(args.json, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
