"""Binary-size benchmark: the instrumented binary against the hand-instrumented twin.

    .venv/bin/python bench/size.py [--top 12] [--json FILE]

Builds (with the default GOCACHE, so mostly links):
  - testdata/bench/service with `otel go build` and testdata/bench/twin with
    `go build`; the service with plain `go build` too, for scale;
  - testdata/bench/plainhttp with `otel go build`, testdata/bench/otelhttp
    with `go build`, plainhttp with plain `go build`;
each as is and stripped (-ldflags='-s -w'). Target: service <= 1.1x twin.

Where the bytes go: `go tool nm -size` of the two service binaries, the
sizes of code and read-only data symbols summed by module (`go version -m` lists the modules), and the modules
whose share differs most.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (  # noqa: E402
    BENCH_DATA,
    CommandFailed,
    arg_parser,
    clean_env,
    emit_json,
    find_go,
    machine,
    note,
    otel_argv,
    otel_env,
    print_table,
    run,
    verdict,
    workdir,
)

BUILDS = [
    # (name, module, instrumented)
    ("service, otel go build", "service", True),
    ("twin, go build (manual OTel)", "twin", False),
    ("service, go build (no OTel)", "service", False),
    ("plainhttp, otel go build", "plainhttp", True),
    ("otelhttp, go build (manual OTel)", "otelhttp", False),
    ("plainhttp, go build (no OTel)", "plainhttp", False),
]


def build(name: str, module: str, instrumented: bool, out: Path, stripped: bool) -> Path:
    flags = ["-ldflags=-s -w"] if stripped else []
    if instrumented:
        run(otel_argv("build", "-q", *flags, "-o", str(out), "."), BENCH_DATA / module, otel_env())
    else:
        run([find_go(), "build", *flags, "-o", str(out), "."], BENCH_DATA / module, clean_env())
    return out


def modules_of(binary: Path) -> list[str]:
    out = subprocess.run([find_go(), "version", "-m", str(binary)], capture_output=True, text=True, check=True).stdout
    mods = []
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 2 and f[0] in ("mod", "dep"):
            mods.append(f[1])
    return mods


_PREFIX = re.compile(r"^(?:type:|go:itab\.|go:link\.|go:struct |go:func\.)?[*(]*")


def size_by_module(binary: Path) -> dict[str, int]:
    """Bytes of code and read-only data per module ("std/runtime" for the
    standard library, "other" for what cannot be attributed, such as the
    go:func.* metadata)."""
    mods = sorted(modules_of(binary), key=len, reverse=True)
    out = subprocess.run(
        [find_go(), "tool", "nm", "-size", str(binary)], capture_output=True, text=True, check=True
    ).stdout
    sizes: dict[str, int] = defaultdict(int)
    for line in out.splitlines():
        f = line.split(None, 3)
        # Code and read-only data only: D/B symbols include the zero-filled
        # ones (a 32 MiB DRBG buffer) that take no room in the file.
        if len(f) < 4 or not f[1].isdigit() or f[2] not in ("T", "t", "R", "r"):
            continue
        size, name = int(f[1]), _PREFIX.sub("", f[3])
        owner = next((m for m in mods if name.startswith((m + ".", m + "/"))), None)
        if owner is None:
            # A module path has a dot in its first element; a standard-library
            # path ("net/http.(*Server).Serve", "runtime.main") has none.
            owner = "other" if "/" in name and "." in name.split("/", 1)[0] else "std/runtime"
        sizes[owner] += size
    return dict(sizes)


def main() -> int:
    p = arg_parser(__doc__.split("\n\n")[0])
    p.add_argument("--top", type=int, default=12, help="modules listed in the breakdown; default 12")
    p.add_argument("--workdir")
    p.add_argument("--keep", action="store_true")
    args = p.parse_args()

    wd = workdir(args.workdir, "otelgo-bench-size-")
    result: dict = {"machine": machine(), "binaries": {}}
    try:
        sizes = {}
        for name, module, instrumented in BUILDS:
            note(f"building {name} ...")
            plain = build(name, module, instrumented, wd / f"{module}-{int(instrumented)}", stripped=False)
            stripped = build(name, module, instrumented, wd / f"{module}-{int(instrumented)}-s", stripped=True)
            sizes[name] = (plain.stat().st_size, stripped.stat().st_size, plain)
            result["binaries"][name] = {"bytes": sizes[name][0], "stripped_bytes": sizes[name][1]}
        by_module = {k: size_by_module(sizes[k][2]) for k in ("service, otel go build", "twin, go build (manual OTel)")}
    except CommandFailed as e:
        print(e, file=sys.stderr)
        return 1
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(wd, ignore_errors=True)

    def mib(n: int) -> str:
        return f"{n / 1024 / 1024:.2f}"

    rows = [[name, mib(b), mib(s)] for name, (b, s, _) in sizes.items()]
    print_table("Binary sizes (MiB)", ["binary", "size", "stripped (-s -w)"], rows)
    ratio = sizes["service, otel go build"][0] / sizes["twin, go build (manual OTel)"][0]
    ratio_s = sizes["service, otel go build"][1] / sizes["twin, go build (manual OTel)"][1]
    ratio_h = sizes["plainhttp, otel go build"][0] / sizes["otelhttp, go build (manual OTel)"][0]
    print_table(
        "Size ratios",
        ["ratio", "value", "target", "verdict"],
        [
            ["service (otel) / twin (manual)", f"{ratio:.3f}", "<= 1.1", verdict(ratio, 1.1)],
            ["same, stripped", f"{ratio_s:.3f}", "<= 1.1", verdict(ratio_s, 1.1)],
            ["plainhttp (otel) / otelhttp (manual)", f"{ratio_h:.3f}", "", ""],
        ],
    )
    result["ratio"], result["ratio_stripped"], result["ratio_minimal"] = ratio, ratio_s, ratio_h

    a, b = by_module["service, otel go build"], by_module["twin, go build (manual OTel)"]
    diff = sorted(set(a) | set(b), key=lambda m: abs(a.get(m, 0) - b.get(m, 0)), reverse=True)
    rows = [
        [m, f"{a.get(m, 0) / 1024:.0f}", f"{b.get(m, 0) / 1024:.0f}", f"{(a.get(m, 0) - b.get(m, 0)) / 1024:+.0f}"]
        for m in diff[: args.top]
    ]
    print_table(
        "Where the bytes differ: code + read-only data by module (KiB, go tool nm -size, T and R symbols)",
        ["module", "service (otel)", "twin (manual)", "difference"],
        rows,
    )
    result["by_module"] = {"otel": a, "manual": b}
    emit_json(args.json, result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
