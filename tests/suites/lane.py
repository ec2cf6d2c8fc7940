"""The suites lane's runner: other people's test suites, built with a rule on
every function and method of the package under test, must pass as they pass
without otelgo. Run it as the unprivileged user of setup.sh, never as root
(suites_lane.py does that; see README.md).

For each package it
  1. writes a rule file with one function rule per function and method
     declared in the package (OnEnter and OnExit, reached through the
     normal trampolines) and a hook package whose hooks have the targets'
     exact signatures and do nothing, or panic when OTELGO_SUITES_PANIC=1
     (OnEnter for even-numbered functions, OnExit for odd ones);
  2. builds the package's test binary with `go test -c` and with
     `otel go test -c --json --rules ...`;
  3. runs the plain binary, then the instrumented one with the hooks on,
     with the hooks panicking, and switched off at run time
     (OTELGO_DISABLED_INSTRUMENTATIONS, with OTELGO_SUITES_PANIC=1 still
     set: a hook that ran would be reported), each through test2json;
  4. writes a report: functions hooked, functions refused and why, tests
     passed per run, and every test that passed plain and not instrumented.

    python tests/suites/lane.py --work DIR --report FILE SPEC...

SPEC: `std:strings`, `mod:github.com/gin-gonic/gin@v1.12.0:github.com/gin-gonic/gin`
(module@version, then packages separated by commas), `dir:testdata/semantics:./...`.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from otelgo.splice.edit import find_target  # noqa: E402
from otelgo.splice.gosource import PREDECLARED, NotHookable, decl_key, descendants_or_self, parse, parser  # noqa: E402

GO = shutil.which("go") or "/usr/local/go/bin/go"
PANIC_ENV = "OTELGO_SUITES_PANIC"
RUNS = ("plain", "on", "panic", "off")
TEST_TIMEOUT = "20m"
ADDRESS = re.compile(r"0x[0-9a-f]+")
HOOK_PANIC = re.compile(r"otelgo: hook (\S+) on (\S+) panicked")


@dataclass
class Refused:
    function: str
    reason: str
    by: str  # "otelgo" or "lane"


@dataclass
class PackageReport:
    package: str
    functions: int = 0  # declared with a body or not, as the generator saw them
    rules: int = 0
    hooked: int = 0
    refused: list[Refused] = field(default_factory=list)
    package_refused: str = ""  # the splicer compiled the package as it is, and why
    tests: dict[str, dict[str, int]] = field(default_factory=dict)  # run -> {pass, fail, skip}
    regressions: dict[str, list[Regression]] = field(default_factory=dict)  # run -> tests that passed plain only
    hooks_ran: int = 0  # distinct functions whose (panicking) hooks ran in the panic run
    panics_when_off: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    error: str = ""


# --- generating the rules and the hooks -------------------------------------------


class Imports:
    def __init__(self) -> None:
        self.aliases: dict[str, str] = {}

    def alias(self, path: str) -> str:
        if path not in self.aliases:
            self.aliases[path] = f"q{len(self.aliases)}"
        return self.aliases[path]


def hook_type(var, imports: dict[str, str], own: str, used: Imports) -> str:
    """The type a hook declares for one of the target's variables: as the
    target spells it, with every named type qualified from the hook package."""
    if var.hook_type == "interface{}":
        return "any"
    src = f"package p\n\nvar _ {var.type}\n".encode()
    root = parser().parse(src).root_node
    node = next(descendants_or_self(root, "var_spec")).child_by_field_name("type")
    edits = []
    for q in descendants_or_self(node, "qualified_type"):
        name = src[q.child_by_field_name("package").start_byte : q.child_by_field_name("package").end_byte].decode()
        ident = q.child_by_field_name("name")
        path = imports[name]
        edits.append(
            (q.start_byte, q.end_byte, f"{used.alias(path)}.{src[ident.start_byte : ident.end_byte].decode()}")
        )
    for t in descendants_or_self(node, "type_identifier"):
        if t.parent.type == "qualified_type":
            continue
        name = src[t.start_byte : t.end_byte].decode()
        if name not in PREDECLARED:
            edits.append((t.start_byte, t.end_byte, f"{used.alias(own)}.{name}"))
    out = src
    for start, end, repl in sorted(edits, reverse=True):
        out = out[:start] + repl.encode() + out[end:]
    return out[node.start_byte : len(out) - (len(src) - node.end_byte)].decode()


def generate(pkg: dict, hook_path: str, hook_dir: Path, rules_file: Path, report: PackageReport) -> list[dict]:
    """Rules for every function and method of pkg (go list's JSON) and the
    hook package for them; the generator's own refusals go into report."""
    import_path = pkg["ImportPath"]
    files = [(str(Path(pkg["Dir"]) / n), (Path(pkg["Dir"]) / n).read_bytes()) for n in pkg.get("GoFiles", [])]
    used = Imports()
    rules, hooks = [], []
    seen: set[tuple[str, str]] = set()
    for path, src in files:
        f = parse(path, src)
        for decl in f.root.children:
            key = decl_key(f, decl)
            if key is None:
                continue
            report.functions += 1
            function, receiver = key
            shown = f"({receiver}).{function}" if receiver else function
            if function == "_":
                report.refused.append(Refused(shown, "a blank function, which nothing can call", "lane"))
                continue
            if function == "init" and not receiver:
                report.refused.append(
                    Refused(
                        shown, "a package initialiser: a package may have several, which a rule cannot name", "lane"
                    )
                )
                continue
            if key in seen:
                continue
            seen.add(key)
            k = len(rules)
            try:
                target = find_target(import_path, files, function, receiver or None)
            except NotHookable:
                target = None  # otelgo refuses it, and says why: the hooks take the call alone
            enter = ["api.CallContext"]
            exit_ = ["api.CallContext"]
            if target is not None:
                vars_ = ([target.receiver] if target.receiver else []) + target.params
                enter += [hook_type(v, target.imports, import_path, used) for v in vars_]
                exit_ += [hook_type(v, target.imports, import_path, used) for v in target.results]
            rule = {
                "Name": f"suite-{k}",
                "ImportPath": import_path,
                "Function": function,
                "OnEnter": f"E{k}",
                "OnExit": f"X{k}",
                "Path": hook_path,
            }
            if receiver:
                rule["ReceiverType"] = receiver
            rules.append(rule)
            hooks.append(_hook(f"E{k}", enter, k % 2 == 0))
            hooks.append(_hook(f"X{k}", exit_, k % 2 == 1))
    report.rules = len(rules)
    imports = ['\t"os"', '\n\t"otelgo.dev/rules/api"']
    imports += [f'\t{alias} "{path}"' for path, alias in sorted(used.aliases.items(), key=lambda x: x[1])]
    hook_dir.mkdir(parents=True, exist_ok=True)
    (hook_dir / "hooks.go").write_text(
        "// Code generated by tests/suites/lane.py. DO NOT EDIT.\n\n"
        f"// Package hooks has a hook for every function of {import_path}: each does\n"
        f"// nothing, or panics when {PANIC_ENV}=1.\n"
        "package hooks\n\nimport (\n" + "\n".join(imports) + "\n)\n\n"
        f'var panicking = os.Getenv("{PANIC_ENV}") == "1"\n\n' + "\n".join(hooks)
    )
    rules_file.write_text(json.dumps(rules, indent=0))
    return rules


def _hook(name: str, types: list[str], panics: bool) -> str:
    params = ", ".join(f"_ {t}" for t in types)
    body = f'\tif panicking {{\n\t\tpanic("suites: hook {name} panics")\n\t}}\n' if panics else ""
    return f"func {name}({params}) {{\n{body}}}\n"


# --- building and running ----------------------------------------------------------


def run(argv: list[str], cwd: Path, env: dict[str, str], timeout: float = 3600) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def base_env(work: Path) -> dict[str, str]:
    home = os.environ.get("HOME", str(work))
    env = {
        "HOME": home,
        "PATH": f"{Path(GO).parent}:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "TMPDIR": str(work / "tmp"),
        "GOTOOLCHAIN": "local",
        "GOFLAGS": "-mod=mod -modcacherw",
        "OTEL_TRACES_EXPORTER": "none",
        "OTEL_METRICS_EXPORTER": "none",
        "OTEL_LOGS_EXPORTER": "none",
    }
    for name in ("GOCACHE", "GOPATH", "GOMODCACHE", "GOPROXY", "GOSUMDB", "XDG_CACHE_HOME"):
        if name in os.environ:
            env[name] = os.environ[name]
    (work / "tmp").mkdir(parents=True, exist_ok=True)
    return env


def outcomes(stream: str) -> tuple[dict[str, str], str, dict[str, str]]:
    """test2json's events -> {test: pass|fail|skip}, all the output, and
    each test's own output."""
    result, output, per_test = {}, [], {}
    for line in stream.splitlines():
        try:
            ev = json.loads(line)
        except ValueError:
            output.append(line)
            continue
        if ev.get("Action") == "output":
            output.append(ev.get("Output", ""))
            if ev.get("Test"):
                per_test[ev["Test"]] = per_test.get(ev["Test"], "") + ev.get("Output", "")
        elif ev.get("Action") in ("pass", "fail", "skip") and ev.get("Test"):
            result[ev["Test"]] = ev["Action"]
    return result, "".join(output), per_test


# A failed test that counts allocations: every call of an instrumented
# function allocates its call record while hooks are on, and passing a
# pointer into one makes what it points to escape (escape analysis cannot
# know that the hooks are off), so such tests fail by design. The Go
# standard library's own tests excuse coverage instrumentation the same way
# (testing.CoverMode() != "").
ALLOCATIONS = re.compile(r"alloc|mallocs", re.IGNORECASE)


@dataclass
class Regression:
    test: str
    kind: str  # "allocations" or "semantics"
    output: str


def run_tests(binary: Path, pkg: str, cwd: Path, env: dict[str, str]) -> tuple[dict[str, str], str, dict[str, str]]:
    argv = [GO, "tool", "test2json", "-t", "-p", pkg, str(binary), "-test.v=test2json", "-test.short"]
    argv += ["-test.count=1", f"-test.timeout={TEST_TIMEOUT}"]
    proc = run(argv, cwd, env, timeout=1800)
    return outcomes(proc.stdout + proc.stderr)


def test_package(pkg: dict, main_dir: Path, hook_path: str, hook_dir: Path, work: Path) -> PackageReport:
    ip = pkg["ImportPath"]
    report = PackageReport(ip)
    env = base_env(work)
    safe = re.sub(r"[^\w.-]+", "_", ip)
    rules_file = work / "rules" / f"{safe}.json"
    rules_file.parent.mkdir(parents=True, exist_ok=True)
    bins = work / "bin"
    bins.mkdir(parents=True, exist_ok=True)
    rules = generate(pkg, hook_path, hook_dir, rules_file, report)
    t = time.monotonic()
    # -vet=off: the suites are the package authors', vet has nothing to say here.
    plain = run([GO, "test", "-c", "-vet=off", "-o", str(bins / f"{safe}.plain.test"), ip], main_dir, env)
    report.seconds["build plain"] = round(time.monotonic() - t, 1)
    if plain.returncode != 0:
        report.error = f"go test -c failed:\n{plain.stderr[-4000:]}"
        return report
    t = time.monotonic()
    otel_env = {**env, "PYTHONPATH": str(REPO)}
    argv = [sys.executable, "-m", "otelgo", "go", "test", "-c", "-vet=off", "--json", "--rules", str(rules_file)]
    argv += ["-o", str(bins / f"{safe}.otel.test"), ip]
    built = run(argv, main_dir, otel_env)
    report.seconds["build otel"] = round(time.monotonic() - t, 1)
    if built.returncode != 0:
        report.error = f"otel go test -c failed:\n{built.stdout[-2000:]}\n{built.stderr[-6000:]}"
        return report
    summary = json.loads(built.stdout[built.stdout.index("{") :])
    by_name = {r["Name"]: r for r in rules}
    not_applied = {}
    for warning in summary.get("warnings", []):
        m = re.search(r"\((suite-\d+)\): (.*)$", warning)
        if m:
            not_applied[m.group(1)] = m.group(2)
    for s in summary.get("skipped", []):
        if s["rule"] in by_name:  # (otelgo's own rules for the library are skipped by version too)
            not_applied.setdefault(s["rule"], s["reason"])
    for name, why in sorted(not_applied.items(), key=lambda x: int(x[0].split("-")[1])):
        r = by_name[name]
        shown = f"({r['ReceiverType']}).{r['Function']}" if "ReceiverType" in r else r["Function"]
        report.refused.append(Refused(shown, why, "otelgo"))
    for refused in summary.get("refused", []):
        if refused["package"] == ip:
            report.package_refused = refused["reason"]
    report.hooked = 0 if report.package_refused else len(rules) - len(not_applied)
    cwd = Path(pkg["Dir"])
    runs = {
        "plain": (bins / f"{safe}.plain.test", {}),
        "on": (bins / f"{safe}.otel.test", {}),
        "panic": (bins / f"{safe}.otel.test", {PANIC_ENV: "1"}),
        "off": (bins / f"{safe}.otel.test", {PANIC_ENV: "1", "OTELGO_DISABLED_INSTRUMENTATIONS": hook_path}),
    }
    results, outputs = {}, {}
    for name, (binary, extra) in runs.items():
        t = time.monotonic()
        results[name], output, outputs[name] = run_tests(binary, ip, cwd, {**env, **extra})
        report.seconds[f"run {name}"] = round(time.monotonic() - t, 1)
        report.tests[name] = {a: sum(v == a for v in results[name].values()) for a in ("pass", "fail", "skip")}
        sites = {m.group(2) for m in HOOK_PANIC.finditer(output)}
        if name == "panic":
            report.hooks_ran = len(sites)
        if name == "off":
            report.panics_when_off = len(sites)
    # Subtest names may hold addresses (errors' TestAs/0:As(..., 0xc000012345)),
    # which differ from one binary to the next: tests are compared by their
    # names without them, as many times as a name occurs.
    passed = Counter(ADDRESS.sub("0x?", t) for t, a in results["plain"].items() if a == "pass")
    for name in RUNS[1:]:
        got = Counter(ADDRESS.sub("0x?", t) for t, a in results[name].items() if a == "pass")
        lost = {t for t, n in passed.items() if got[t] < n}
        failed = sorted(t for t in results[name] if ADDRESS.sub("0x?", t) in lost and results[name][t] != "pass")
        failed += sorted(t for t in lost if not any(ADDRESS.sub("0x?", x) == t for x in results[name]))
        report.regressions[name] = [
            Regression(
                t,
                "allocations" if ALLOCATIONS.search(outputs[name].get(t, "")) else "semantics",
                outputs[name].get(t, "")[-1500:],
            )
            for t in failed
        ]
    return report


# --- what is tested ------------------------------------------------------------------


def go_list(patterns: list[str], cwd: Path, env: dict[str, str]) -> list[dict]:
    proc = run([GO, "list", "-json", *patterns], cwd, env)
    if proc.returncode != 0:
        raise RuntimeError(f"go list {' '.join(patterns)}: {proc.stderr}")
    return [json.loads("{" + chunk) for chunk in ("\n" + proc.stdout).split("\n{")[1:]]


def writable_copy(src: Path, dest: Path) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest, symlinks=True)
    for d, _, names in os.walk(dest):
        os.chmod(d, 0o755)
        for n in names:
            p = Path(d) / n
            if not p.is_symlink():
                os.chmod(p, p.stat().st_mode | stat.S_IWUSR)
    return dest


def lane_module(work: Path) -> Path:
    lane = work / "lane"
    lane.mkdir(parents=True, exist_ok=True)
    gomod = lane / "go.mod"
    if not gomod.exists():
        gomod.write_text("module example.com/suites\n\ngo 1.24\n")
    return lane


def targets(spec: str, work: Path, env: dict[str, str]):
    """(main module dir, hook package path prefix, hook dir prefix, packages)."""
    kind, _, rest = spec.partition(":")
    if kind == "std":
        lane = lane_module(work)
        return lane, "example.com/suites/h", lane / "h", go_list(rest.split(","), lane, env)
    if kind == "mod":
        modver, _, pkgs = rest.partition(":")
        lane = lane_module(work)
        proc = run([GO, "mod", "download", "-json", modver], lane, env)
        if proc.returncode != 0:
            raise RuntimeError(f"go mod download {modver}: {proc.stdout}{proc.stderr}")
        info = json.loads(proc.stdout)
        name = re.sub(r"[^\w.@-]+", "_", modver)
        copy = writable_copy(Path(info["Dir"]), work / "src" / name)
        # The module is a dependency at its version, as in a user's build
        # (otelgo's own rules for it then apply by version), replaced by a
        # writable copy: its tests may write beside themselves, and otelgo
        # adds the test bootstrap there through the overlay, which the
        # module cache refuses.
        module, version = modver.split("@")
        main = work / "mods" / name
        main.mkdir(parents=True, exist_ok=True)
        lane_path = f"example.com/suites/{re.sub(r'[^a-z0-9]+', '', name.lower())}"
        (main / "go.mod").write_text(
            f"module {lane_path}\n\ngo 1.24\n\nrequire {module} {version}\n\nreplace {module} => {copy}\n"
        )
        if (copy / "go.sum").exists():
            shutil.copy(copy / "go.sum", main / "go.sum")
        return main, f"{lane_path}/h", main / "h", go_list(pkgs.split(","), main, env)
    if kind == "dir":
        src, _, pkgs = rest.partition(":")
        main = writable_copy((REPO / src).resolve(), work / "src" / Path(src).name)
        module = re.search(r"^module\s+(\S+)", (main / "go.mod").read_text(), re.MULTILINE).group(1)
        listed = go_list(pkgs.split(","), main, env)
        return main, f"{module}/otelgosuite", main / "otelgosuite", listed
    raise ValueError(f"unknown spec {spec!r}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", type=Path, required=True)
    ap.add_argument("--report", type=Path, required=True)
    ap.add_argument("specs", nargs="+")
    args = ap.parse_args()
    if os.geteuid() == 0:
        print("lane.py: never run other people's test suites as root (see tests/suites/README.md)", file=sys.stderr)
        return 2
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    env = base_env(work)
    reports = []
    for spec in args.specs:
        try:
            main_dir, hook_prefix, hook_dir, packages = targets(spec, work, env)
        except (RuntimeError, OSError, ValueError) as e:
            reports.append(PackageReport(spec, error=str(e)))
            continue
        for i, pkg in enumerate(packages):
            if pkg["ImportPath"].startswith(hook_prefix):
                continue
            suffix = re.sub(r"\W+", "_", pkg["ImportPath"].rsplit("/", 1)[-1]) + str(i)
            t = time.monotonic()
            try:
                report = test_package(pkg, main_dir, f"{hook_prefix}/{suffix}", hook_dir / suffix, work)
            except (OSError, RuntimeError, subprocess.TimeoutExpired) as e:
                report = PackageReport(pkg["ImportPath"], error=f"{type(e).__name__}: {e}")
            report.seconds["total"] = round(time.monotonic() - t, 1)
            reports.append(report)
            print(json.dumps(asdict(report)), flush=True)
            args.report.write_text(json.dumps([asdict(r) for r in reports], indent=1))
    args.report.write_text(json.dumps([asdict(r) for r in reports], indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
