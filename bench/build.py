"""Build-time benchmark: `otel go build` against plain `go build` of the
same program and against `go build` of the program with OpenTelemetry set
up by hand, side by side in one run, on several programs.

    .venv/bin/python bench/build.py [--programs service,stdlib,pair] [--cold-runs 1] [--warm-runs 5]
                                    [--sdk-by-hand otlp] [--many-packages 500] [--plan-runs 7] [--json FILE]

Programs (testdata/bench):
  - service: the realistic service (gin, database/sql on SQLite and
    PostgreSQL, go-redis, gRPC, slog). Sides: otel go build; go build of
    its hand-instrumented twin (testdata/bench/twin: otelgin, otelhttp,
    otelgrpc, redisotel, the SDK set up by hand); plain go build.
  - stdlib: a service on the standard library only (net/http, slog,
    encoding/json). Sides: otel go build; go build with the SDK set up by
    hand (testdata/bench/sdkbyhand, added to every main package of a copy);
    plain go build.
  - pair: two services in one module (testdata/bench/pair: cmd/front on gin
    and redigo calling cmd/back on echo and MySQL), both built by one
    command. Sides as for stdlib.
  - many (with --many-packages N[,M...], or when named: 500): a generated module
    of N packages (chains of five; every tenth has a function marked
    //otel:span, so otelgo instruments it; the rest no rule matches) and a
    main that calls them all. Sides as for stdlib.

--sdk-by-hand chooses which file of testdata/bench/sdkbyhand is the "SDK
set up by hand" side of stdlib, pair and many: otlp (the exporters otelgo's
default build links, OTLP/HTTP for spans, metrics and logs, with runtime
metrics and W3C propagators; the default) or autoexport (the exporters
chosen at run time, as otelgo's bootstrap did before its exporter selection
was rewritten); both, comma-separated, for two such sides (the first is the
one the targets use). The versions of the modules that file
imports come from rules/go.mod (what otelgo's bootstrap links), so that the
two sides link the same SDK; nothing here lists the SDK's packages.

For every program and side:
  - cold: an empty GOCACHE of its own (same GOMODCACHE, every module
    downloaded beforehand, untimed); the otel side also with an empty
    otelgo cache (XDG_CACHE_HOME).
  - no-change rebuild: with the caches the cold builds left, build again.
    `otel go build` runs as users run it, printing its summary (until
    7 December 2026 the otel side ran with -q, which skips it).
  - one-line edit: change `const version` in a main package (a new value
    each time) and build again; compile and link actions are counted from
    -x, and -debug-trace splits the time into otelgo's part before the go
    command, loading, compiling and linking.
  - binary size: the bytes of what the build wrote (both binaries for
    pair), and the OpenTelemetry modules each links (`go version -m`).
plus otelgo's plan phase alone on the service (bench/plan_phase.py).

Every figure is a median with its range; the sides alternate in order.
Modules are copied to a work directory first; the checkout is never built
in place or edited. How long it takes: one cold build of the service is
1.5 minutes on a quiet 2-core machine and 5 under a load of 15, so the
defaults (three programs, three sides, one cold run) take about 15 minutes
quiet and about an hour that loaded; --many-packages 100,500 adds about
10 minutes quiet. The script prints how long it took and the load average
of the machine during the run: under load the ratios move by 10-20 %.

Targets (issue #18): service cold <= 1.15x its twin and <= 1.3x plain,
one-line edit <= 1.2x the twin; pair cold <= 1.3x plain; stdlib cold <=
1.1x the SDK by hand and <= 3x plain; every no-change rebuild <= plain +
0.25 s; service binary <= 1.0x the twin's.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    BENCH_DATA,
    REPO,
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
SDK_BY_HAND = BENCH_DATA / "sdkbyhand"


@dataclass
class Program:
    key: str
    module: str | None  # under testdata/bench; None: generated (many)
    pattern: str  # what to build: "." (one binary) or "./cmd/..." (a directory of them)
    edit: str  # the file whose `const version` the one-line edit changes
    twin: str | None = None  # a hand-instrumented twin module (else the SDK by hand is added)
    # (ratio's other side, measure, limit) -> checked against the median
    targets: list[tuple[str, str, float]] = field(default_factory=list)


PROGRAMS = {
    "service": Program(
        "service",
        "service",
        ".",
        "main.go",
        twin="twin",
        targets=[("twin", "cold", 1.15), ("plain", "cold", 1.3), ("twin", "edit", 1.2), ("twin", "size", 1.0)],
    ),
    "stdlib": Program("stdlib", "stdlib", ".", "main.go", targets=[("sdk", "cold", 1.1), ("plain", "cold", 3.0)]),
    "pair": Program("pair", "pair", "./cmd/...", "cmd/front/main.go", targets=[("plain", "cold", 1.3)]),
    "many": Program("many", None, ".", "main.go"),
}
NOCHANGE_EXTRA = 0.25  # seconds over plain go build


@dataclass
class Side:
    program: str
    role: str  # "otel", "plain", "twin", "sdk" or "sdk <variant>"
    module: Path
    out: Path  # a file, or a directory for several binaries
    pattern: str
    edit: Path
    cache: Path | None  # None: the default GOCACHE (--warm-only)
    xdg: Path | None = None

    @property
    def name(self) -> str:
        return f"{self.program}: {self.role}"

    def argv(self, flags: list[str]) -> list[str]:
        out = f"{self.out}/" if self.pattern != "." else str(self.out)
        if self.role == "otel":
            # As users run it: with its summary (to a pipe here), which -q
            # would leave out.
            return otel_argv("build", "-x", *flags, "-o", out, self.pattern)
        return [find_go(), "build", "-x", *flags, "-o", out, self.pattern]

    def env(self) -> dict[str, str]:
        extra = {"GOCACHE": str(self.cache)} if self.cache else {}
        if self.role == "otel":
            if self.xdg is not None:
                extra["XDG_CACHE_HOME"] = str(self.xdg)
            return otel_env(extra)
        return clean_env(extra)

    def build(self, trace: Path | None = None) -> dict:
        flags = [f"-debug-trace={trace}"] if trace else []
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        seconds, proc = run(self.argv(flags), self.module, self.env())
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        out = {"seconds": seconds, "cpu": cpu, "actions": count_actions(proc.stderr)}
        if trace:
            out["phases"] = phases(trace, seconds)
        return out

    def binaries(self) -> list[Path]:
        return sorted(p for p in self.out.iterdir() if p.is_file()) if self.out.is_dir() else [self.out]


# --- the programs' copies ------------------------------------------------------


def rules_versions() -> dict[str, str]:
    """Module path -> version required by rules/go.mod (what otelgo's
    bootstrap links)."""
    text = (REPO / "rules" / "go.mod").read_text()
    return {m.group(1): m.group(2) for m in re.finditer(r"^\s*(?:require\s+)?(\S+)\s+(v\S+)", text, re.M)}


def imports_of(go_file: Path) -> list[str]:
    text = go_file.read_text()
    block = re.search(r"^import \((.*?)^\)", text, re.M | re.S)
    lines = block.group(1).splitlines() if block else re.findall(r"^import (.*)$", text, re.M)
    return [m.group(1) for line in lines if (m := re.search(r'"([^"]+)"', line))]


def add_sdk_by_hand(module: Path, pattern: str, variant: str) -> None:
    """Add testdata/bench/sdkbyhand/<variant>.go to every main package of the
    module and require the modules it imports at rules/go.mod's versions."""
    src = SDK_BY_HAND / f"{variant}.go"
    if not src.exists():
        raise SystemExit(f"bench: no {src} (--sdk-by-hand: {', '.join(p.stem for p in SDK_BY_HAND.glob('*.go'))})")
    go = find_go()
    env = clean_env({"GOFLAGS": "-mod=mod"})
    _, proc = run([go, "list", "-f", "{{if eq .Name `main`}}{{.Dir}}{{end}}", pattern], module, env)
    dirs = [Path(d) for d in proc.stdout.split() if d]
    if not dirs:
        raise SystemExit(f"bench: no main package in {module} ({pattern})")
    for d in dirs:
        shutil.copy(src, d / "zz_sdk_by_hand.go")
    versions = rules_versions()
    wanted = set()
    for imp in imports_of(src):
        # the longest module path of rules/go.mod that contains the package
        mods = [m for m in versions if imp == m or imp.startswith(m + "/")]
        if mods:
            mod = max(mods, key=len)
            wanted.add(f"{mod}@{versions[mod]}")
    if wanted:
        run([go, "mod", "edit", *(f"-require={w}" for w in sorted(wanted))], module, env)
    # Whatever rules/go.mod does not name, `go mod tidy` resolves.
    run([go, "mod", "tidy"], module, env)


MANY_PACKAGE = """// Package {name} is generated by bench/build.py.
package {name}

import (
	"fmt"
	"sort"
	"strings"{imports}
)

// Record is one entry.
type Record struct {{
	ID    int
	Name  string
	Score float64
	Tags  []string
}}

// Summary sorts the records and describes them.
func Summary(rs []Record) string {{
	sort.Slice(rs, func(i, j int) bool {{ return rs[i].Score > rs[j].Score || rs[i].ID < rs[j].ID }})
	var b strings.Builder
	for _, r := range rs {{
		fmt.Fprintf(&b, "%d %s %.2f %s\\n", r.ID, r.Name, r.Score, strings.Join(r.Tags, ","))
	}}
	return b.String()
}}

// Run exercises the package{dep_note}.
func Run(n int) string {{
	rs := make([]Record, 0, n)
	for i := 0; i < n; i++ {{
		name := fmt.Sprintf("{name}-%d", i)
		rs = append(rs, Record{{ID: i, Name: name, Score: float64(i%7) / 3, Tags: []string{{"a"}}}})
	}}
	return {run_expr}
}}
"""

MANY_TRACED = """package {name}

import "context"

// Traced is marked for a span: otelgo instruments this package.
//
//otel:span
func Traced(ctx context.Context, n int) (int, error) {{
	if err := ctx.Err(); err != nil {{
		return 0, err
	}}
	return n * 2, nil
}}
"""


def generate_many(root: Path, packages: int) -> None:
    """A module of `packages` packages: chains of five (p1 imports p0, ...),
    every tenth with an //otel:span function, and a main calling them all."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    (root / "go.mod").write_text("module example.com/many\n\ngo 1.24.0\n")
    names = [f"p{i:03d}" for i in range(packages)]
    for i, name in enumerate(names):
        dep = names[i - 1] if i % 5 else None
        (root / name).mkdir()
        (root / name / f"{name}.go").write_text(
            MANY_PACKAGE.format(
                name=name,
                imports=f'\n\n\t"example.com/many/{dep}"' if dep else "",
                dep_note=f" and {dep}" if dep else "",
                run_expr=f"Summary(rs) + {dep}.Run(n/2)" if dep else "Summary(rs)",
            )
        )
        if i % 10 == 0:
            (root / name / "traced.go").write_text(MANY_TRACED.format(name=name))
    imports = "\n".join(f'\t"example.com/many/{n}"' for n in names)
    calls = "\n".join(f"\tn += len({n}.Run(3))" for n in names)
    (root / "main.go").write_text(
        "// Command many calls into every generated package.\npackage main\n\n"
        f'import (\n\t"fmt"\n\n{imports}\n)\n\n'
        "// version is edited by bench/build.py for the one-line-edit rebuild.\n"
        'const version = "bench-0"\n\n'
        f"func main() {{\n\tn := 0\n{calls}\n\tfmt.Println(version, n)\n}}\n"
    )


def program_of(key: str) -> Program:
    return PROGRAMS[key.split("-")[0]]  # many-500 -> many


def prepare(wd: Path, keys: list[str], sdk_variants: list[str]) -> dict[str, list[Side]]:
    """Copies of every program per side (the checkout is never edited)."""
    out: dict[str, list[Side]] = {}
    for key in keys:
        prog = program_of(key)
        base = wd / key

        def copy(role: str, prog=prog, base=base, key=key) -> Path:
            dst = base / role.replace(" ", "-")
            if prog.module is None:
                generate_many(dst, int(key.split("-")[1]))
                return dst
            src = BENCH_DATA / (prog.twin if role == "twin" else prog.module)
            return copy_module(src, dst)

        roles = ["otel", "plain"] + (["twin"] if prog.twin else [f"sdk {v}" for v in sdk_variants])
        sides = []
        for role in roles:
            module = copy(role)
            if role.startswith("sdk "):
                note(f"{key}: adding the SDK set up by hand ({role[4:]}) ...")
                add_sdk_by_hand(module, prog.pattern, role[4:])
            out_path = wd / "bin" / f"{key}-{role.replace(' ', '-')}"
            if prog.pattern != ".":
                out_path.mkdir(parents=True, exist_ok=True)
            else:
                out_path.parent.mkdir(parents=True, exist_ok=True)
            sides.append(
                Side(
                    key,
                    role,
                    module,
                    out_path,
                    prog.pattern,
                    module / prog.edit,
                    wd / "cache" / f"{key}-{role.replace(' ', '-')}",
                    wd / "cache" / f"{key}-xdg" if role == "otel" else None,
                )
            )
        out[key] = sides
    return out


def download(sides: list[Side], wd: Path) -> None:
    """Every module downloaded, and otelgo's hook modules, untimed."""
    go = find_go()
    for s in sides:
        run([go, "mod", "download"], s.module, clean_env())
        if s.role == "otel":
            dst = wd / "prefetch" / s.program
            dst.mkdir(parents=True, exist_ok=True)
            run(otel_argv("build", "-q", "-o", f"{dst}/", s.pattern), s.module, otel_env())


# --- the builds ----------------------------------------------------------------


def set_version(path: Path, value: str) -> None:
    text = path.read_text()
    new, n = VERSION_LINE.subn(f'const version = "{value}"', text)
    if n != 1:
        raise SystemExit(f"bench: no `const version = ...` line in {path}")
    path.write_text(new)


def fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def rotated(items: list, i: int) -> list:
    k = i % len(items)
    return items[k:] + items[:k]


def cold_builds(sides: list[Side], runs: int) -> list[dict]:
    out = []
    for i in range(runs):
        row = {}
        for s in rotated(sides, i):
            fresh(s.cache)
            if s.xdg is not None:
                fresh(s.xdg)
            note(f"cold run {i + 1}/{runs}: {s.name} with an empty GOCACHE ...")
            row[s.role] = s.build()
            row[s.role]["load"] = os.getloadavg()[0]
            note(f"  {row[s.role]['seconds']:.1f} s, {row[s.role]['actions']['compile']} compiles")
        out.append(row)
    return out


def fill_caches(sides: list[Side]) -> None:
    """--skip-cold: fill the caches once, untimed."""
    for s in sides:
        if s.cache is not None:
            s.cache.mkdir(parents=True, exist_ok=True)
        if s.xdg is not None:
            s.xdg.mkdir(parents=True, exist_ok=True)
        note(f"filling the cache of {s.name} (untimed) ...")
        s.build()


def warm_builds(sides: list[Side], wd: Path, runs: int) -> tuple[list[dict], list[dict]]:
    nochange, edits = [], []
    for i in range(runs):
        row = {s.role: s.build() for s in rotated(sides, i)}
        nochange.append(row)
        note(f"{sides[0].program}: no-change rebuild {i + 1}/{runs}: " + _secs(row))
    for i in range(runs):
        row = {}
        for s in rotated(sides, i):
            # Never a value built before: the cache would serve main's compile.
            set_version(s.edit, f"bench-{i + 1}-{time.time_ns()}")
            row[s.role] = s.build(wd / f"trace-{s.program}-{s.role.replace(' ', '-')}-{i}.json")
        edits.append(row)
        note(f"{sides[0].program}: one-line edit rebuild {i + 1}/{runs}: " + _secs(row, compiles=True))
    return nochange, edits


def _secs(row: dict, compiles: bool = False) -> str:
    return ", ".join(
        f"{k}: {v['seconds']:.2f} s" + (f" ({v['actions']['compile']} compiles)" if compiles else "")
        for k, v in row.items()
    )


def sizes(sides: list[Side]) -> dict[str, dict]:
    """Bytes written per side, and the OpenTelemetry modules linked."""
    go = find_go()
    out = {}
    for s in sides:
        bins = s.binaries()
        mods: set[str] = set()
        for b in bins:
            _, proc = run([go, "version", "-m", str(b)], s.module, clean_env())
            mods |= {
                line.split()[1]
                for line in proc.stdout.splitlines()
                if line.strip().startswith("dep") and "opentelemetry" in line
            }
        out[s.role] = {
            "bytes": sum(b.stat().st_size for b in bins),
            "binaries": [b.name for b in bins],
            "otel_modules": sorted(mods),
        }
    return out


def plan_phase(side: Side, runs: int) -> list[dict]:
    out = []
    env = otel_env({"GOCACHE": str(side.cache), "XDG_CACHE_HOME": str(side.xdg)} if side.cache else {})
    argv = [otel_python(), str(Path(__file__).resolve().parent / "plan_phase.py"), str(side.module)]
    for i in range(runs + 1):
        _, proc = run(argv, side.module, env)
        if i:  # the first run warms the OS's and the go command's caches
            out.append(json.loads(proc.stdout))
    return out


# --- the report ------------------------------------------------------------------


def spread(values: list[float], spec: str = ".2f") -> str:
    if len(values) < 2:
        return ""
    return f"{format(min(values), spec)} .. {format(max(values), spec)}"


def summarize(key: str, cold: list[dict], nochange: list[dict], edits: list[dict], size: dict) -> dict:
    roles = list((cold or nochange)[0])
    prog = program_of(key)
    sdk = next((r for r in roles if r.startswith("sdk ")), None)
    out: dict = {"sides": {}, "ratios": {}, "checks": []}
    for role in roles:
        side: dict = {}
        for measure, runs_ in (("cold", cold), ("nochange", nochange), ("edit", edits)):
            if runs_:
                secs = [r[role]["seconds"] for r in runs_]
                side[measure] = {
                    "seconds": median(secs),
                    "all": secs,
                    "cpu": median([r[role].get("cpu", 0.0) for r in runs_]),
                    "compiles": median([r[role]["actions"]["compile"] for r in runs_]),
                    "links": median([r[role]["actions"]["link"] for r in runs_]),
                }
        if edits:
            side["edit_phases"] = {k: median([r[role]["phases"][k] for r in edits]) for k in edits[0][role]["phases"]}
        side["size"] = size[role]
        out["sides"][role] = side
    for other in [r for r in roles if r != "otel"]:
        ratios = {}
        for measure, runs_ in (("cold", cold), ("nochange", nochange), ("edit", edits)):
            if runs_:
                values = [r["otel"]["seconds"] / r[other]["seconds"] for r in runs_]
                ratios[measure] = {"median": median(values), "all": values}
        ratios["size"] = {"median": size["otel"]["bytes"] / size[other]["bytes"], "all": []}
        out["ratios"][other] = ratios
    for other, measure, limit in prog.targets:
        other = sdk if other == "sdk" else other
        r = out["ratios"].get(other, {}).get(measure)
        if r is not None:
            out["checks"].append(
                {
                    "what": f"{measure}: otel / {other}",
                    "value": r["median"],
                    "target": f"<= {limit}",
                    "verdict": verdict(r["median"], limit),
                }
            )
    if nochange:
        diffs = [r["otel"]["seconds"] - r["plain"]["seconds"] for r in nochange]
        d = median(diffs)
        out["nochange_extra"] = {"median": d, "all": diffs}
        cpu_diffs = [r["otel"].get("cpu", 0.0) - r["plain"].get("cpu", 0.0) for r in nochange]
        out["nochange_extra_cpu"] = {"median": median(cpu_diffs), "all": cpu_diffs}
        out["checks"].append(
            {
                "what": "no-change rebuild: otel - plain (s)",
                "value": d,
                "target": f"<= {NOCHANGE_EXTRA}",
                "verdict": verdict(d, NOCHANGE_EXTRA),
            }
        )
        compiles = out["sides"]["otel"]["nochange"]["compiles"]
        out["checks"].append(
            {
                "what": "no-change rebuild: otel compiles",
                "value": compiles,
                "target": "0",
                "verdict": "met" if compiles == 0 else "MISSED",
            }
        )
    if edits:
        compiles = out["sides"]["otel"]["edit"]["compiles"]
        want = len(size["otel"]["binaries"])
        out["checks"].append(
            {
                "what": "one-line edit: otel compiles (one per edited main)",
                "value": compiles,
                "target": "1",
                "verdict": "met" if compiles <= 1 else f"MISSED: {compiles:.0f} compiles ({want} binaries)",
            }
        )
    return out


def report(key: str, s: dict) -> None:
    def cell(side: dict, measure: str, spec: str) -> str:
        m = side.get(measure)
        if not m:
            return ""
        rng = spread(m["all"], spec)
        return f"{format(m['seconds'], spec)} s" + (f" ({rng})" if rng else "") + f", {m['compiles']:.0f} compiles"

    rows = [
        [
            role,
            cell(side, "cold", ".1f"),
            cell(side, "edit", ".2f"),
            cell(side, "nochange", ".2f"),
            f"{side['size']['bytes'] / 2**20:.2f} MiB",
            len(side["size"]["otel_modules"]),
        ]
        for role, side in s["sides"].items()
    ]
    print_table(
        f"{key}: build times (median (range), compile actions) and binary size",
        ["side", "cold", "one-line edit", "no change", "binary", "OTel modules linked"],
        rows,
    )
    rows = []
    for other, ratios in s["ratios"].items():
        for measure, r in ratios.items():
            rows.append([f"{measure}: otel / {other}", f"{r['median']:.3f}", spread(r["all"])])
    print_table(f"{key}: ratios (median of per-run ratios, range)", ["ratio", "median", "range"], rows)
    print_table(
        f"{key}: targets",
        ["measure", "value", "target", "verdict"],
        [[c["what"], f"{c['value']:.3f}", c["target"], c["verdict"]] for c in s["checks"]],
    )
    cpu_rows = [
        [role, *(f"{side[m]['cpu']:.2f}" if m in side else "" for m in ("edit", "nochange"))]
        for role, side in s["sides"].items()
    ]
    if "nochange_extra_cpu" in s:
        extra = s["nochange_extra_cpu"]
        cpu_rows.append(["no change: otel - plain", "", f"{extra['median']:.2f} ({spread(extra['all'])})"])
    print_table(
        f"{key}: CPU seconds (user + system of every process; median), less sensitive to the machine's load",
        ["side", "one-line edit", "no change"],
        cpu_rows,
    )
    if "edit_phases" in s["sides"]["otel"]:
        names = list(s["sides"]["otel"]["edit_phases"])
        print_table(
            f"{key}: one-line edit, where the time goes (go build -debug-trace; medians, s)",
            ["phase", *s["sides"]],
            [[n, *(f"{side['edit_phases'][n]:.2f}" for side in s["sides"].values())] for n in names],
        )


def main() -> int:
    p = arg_parser(__doc__.split("\n\n")[0])
    p.add_argument("--programs", default="service,stdlib,pair", help="comma-separated: service, stdlib, pair, many")
    p.add_argument("--cold-runs", type=int, default=1, help="cold builds per side (minutes each); default 1")
    p.add_argument("--warm-runs", type=int, default=5, help="no-change and one-line-edit rebuilds per side; default 5")
    p.add_argument("--sdk-by-hand", default="otlp", help="testdata/bench/sdkbyhand variants: otlp, autoexport")
    p.add_argument(
        "--many-packages", default="", help="also generated modules of N packages (comma-separated: 100,500)"
    )
    p.add_argument("--plan-runs", type=int, default=7, help="plan-phase runs on the service; default 7")
    p.add_argument("--skip-cold", action="store_true", help="no cold builds (the caches are filled untimed)")
    p.add_argument(
        "--warm-only",
        action="store_true",
        help="no cold builds, the default GOCACHE and otelgo cache for every side (quick; to check the script)",
    )
    p.add_argument("--workdir", help="work directory (default: a new temporary one, removed unless --keep)")
    p.add_argument("--keep", action="store_true", help="keep the work directory")
    args = p.parse_args()
    keys = [k.strip() for k in args.programs.split(",") if k.strip()]
    counts = [int(n) for n in args.many_packages.split(",") if n.strip()]
    if "many" in keys:
        keys.remove("many")
        counts = counts or [500]
    keys += [f"many-{n}" for n in counts]
    unknown = {k for k in keys if not k.startswith("many-")} - set(PROGRAMS)
    if unknown:
        p.error(f"unknown programs: {', '.join(sorted(unknown))}")
    variants = [v.strip() for v in args.sdk_by_hand.split(",") if v.strip()]

    started = time.monotonic()
    wd = workdir(args.workdir, "otelgo-bench-build-")
    result: dict = {"machine": machine(), "settings": {k: v for k, v in vars(args).items() if k != "json"}}
    loads = [os.getloadavg()[0]]
    summaries: dict[str, dict] = {}
    try:
        programs = prepare(wd, keys, variants)
        if args.warm_only:
            args.skip_cold = True
            for sides in programs.values():
                for s in sides:
                    s.cache = s.xdg = None
        note("downloading modules and otelgo's hook modules (untimed) ...")
        for sides in programs.values():
            download(sides, wd)
        for key, sides in programs.items():
            if args.skip_cold:
                fill_caches(sides)
                cold = []
            else:
                cold = cold_builds(sides, args.cold_runs)
            loads.append(os.getloadavg()[0])
            nochange, edits = warm_builds(sides, wd, args.warm_runs)
            loads.append(os.getloadavg()[0])
            summaries[key] = summarize(key, cold, nochange, edits, sizes(sides))
            summaries[key]["runs"] = {"cold": cold, "nochange": nochange, "edit": edits}
            if key == "service" and args.plan_runs:
                otel = next(s for s in sides if s.role == "otel")
                plans = plan_phase(otel, args.plan_runs)
                summaries[key]["plan"] = {"runs": plans, "total": median([x["stages"]["process"] for x in plans])}
    except CommandFailed as e:
        print(e, file=sys.stderr)
        return 1
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(wd, ignore_errors=True)

    for key, s in summaries.items():
        report(key, s)
        if "plan" in s:
            plans = s["plan"]["runs"]
            names = sorted({k for r in plans for k in r["stages"]} - {"process"}, key=_stage_order)
            print_table(
                f"Plan phase on the service, warm ({len(plans)} runs, median seconds; "
                f"{plans[0]['packages']} packages listed, {plans[0]['instrumented']} instrumented)",
                ["stage", "seconds"],
                [[_LABELS.get(n, n), f"{median([r['stages'].get(n, 0.0) for r in plans]):.3f}"] for n in names]
                + [["whole process", f"{s['plan']['total']:.3f}"]],
            )
    many = {k: s for k, s in summaries.items() if k.startswith("many-")}
    if many:
        rows = []
        for key, s in many.items():
            n = int(key.split("-")[1])
            for role, side in s["sides"].items():
                rows.append(
                    [
                        n,
                        role,
                        f"{side['cold']['seconds'] / n * 1000:.0f}" if "cold" in side else "",
                        f"{(side['cold']['seconds'] - s['sides']['plain']['cold']['seconds']) / n * 1000:.0f}"
                        if "cold" in side
                        else "",
                        f"{side['edit']['seconds']:.2f}",
                        f"{side['nochange']['seconds']:.2f}",
                    ]
                )
        print_table(
            "Generated modules: cost per package (cold build / packages; over plain go build), ms",
            ["packages", "side", "cold ms/package", "ms/package over plain", "one-line edit s", "no change s"],
            rows,
        )
    result["programs"] = summaries
    result["load"] = {"min": min(loads), "max": max(loads)}
    result["elapsed_s"] = time.monotonic() - started
    print(f"\nload average (1 min) during the run: {min(loads):.2f} .. {max(loads):.2f}")
    print(f"bench/build.py took {result['elapsed_s'] / 60:.1f} min")
    emit_json(args.json, result)
    return 0


_ORDER = [
    "imports",
    "go env",
    "load rules",
    "make_plan",
    "modfile",
    "go list -deps",
    "match rules",
    "check hooks",
    "modules",
    "remembered plan",
    "remembered plan hit",
]
_LABELS = {
    "imports": "interpreter start to planning imported",
    "remembered plan": "an unchanged rebuild instead: the remembered plan (key + read back)",
    "remembered plan hit": "  ... found (1) or not (0)",
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
