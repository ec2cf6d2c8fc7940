"""`otel rules init DIR`: a hooks module to start from, beside the user's
program: a Go module of its own (go.mod with the `replace` for
otelgo.dev/rules pointed at this installation, go.sum by `go mod tidy`), a
rule file with one rule on a function of the user's own code, the hooks of
that rule (a span around the function) and a Go test of them. It builds,
tidies, vets and tests as written, `otel rules check` passes on its rule
file, and `otel go build --rules DIR/rules.json` traces the function.

The function is chosen from the module's own packages so that the hooks
need nothing but the standard library: an exported function of a package
other than main whose parameter and result types are predeclared or of the
standard library (one taking a context.Context first), else a function of
package main (whose types reach hooks as any).
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from otelgo.gocmd.golist import GoCommandError, run_go
from otelgo.gocmd.jsonstream import json_stream
from otelgo.resources import rules_dir

HOOKS_FILE = "hooks.go"
TEST_FILE = "hooks_test.go"
RULES_FILE = "rules.json"


class ScaffoldError(Exception):
    pass


@dataclass
class Candidate:
    import_path: str  # "main" for package main
    package_name: str
    function: str
    receiver: str | None
    target: object  # splice.edit.Target
    imports: dict[str, str]  # what the hooks import: name -> path
    rank: tuple


def init(directory: Path, cwd: Path) -> list[str]:
    """Write the hooks module into directory (which must not exist or be
    empty); return the lines to print."""
    env = json.loads(run_go(["env", "-json", "GOMOD"], cwd))
    gomod = env.get("GOMOD", "")
    if not gomod or gomod == "/dev/null":
        raise ScaffoldError("otel rules init runs in a Go module (a go.mod here or above); none found")
    root = Path(gomod).parent
    module = _module_path(Path(gomod))
    directory = directory.resolve()
    if directory.exists() and any(directory.iterdir()):
        raise ScaffoldError(f"{directory} exists and is not empty: choose a new directory")
    if directory == root:
        raise ScaffoldError("the hooks module needs a directory of its own, not the module's root")
    candidate = choose(root)
    hooks_module = (
        module + "/" + directory.relative_to(root).as_posix()
        if directory.is_relative_to(root)
        else ("example.com/" + directory.name)
    )
    package = re.sub(r"\W", "", directory.name.replace("-", "_")) or "otelhooks"
    if package[0].isdigit():
        package = "hooks" + package
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "go.mod").write_text(_go_mod(hooks_module))
    (directory / RULES_FILE).write_text(_rules(candidate, hooks_module, module))
    (directory / HOOKS_FILE).write_text(_hooks(candidate, package, hooks_module, _shown(directory, root)))
    (directory / TEST_FILE).write_text(_test(candidate, package))
    _gofmt(directory, [HOOKS_FILE, TEST_FILE])
    tidy = subprocess.run(["go", "mod", "tidy"], cwd=directory, capture_output=True, text=True)
    if tidy.returncode != 0:
        raise ScaffoldError(f"go mod tidy in {directory} failed:\n{tidy.stderr.strip()}")
    where = "package main" if candidate.import_path == "main" else candidate.import_path
    name = candidate.target.func_name
    rel = _shown(directory, cwd)
    return [
        f"otel: wrote the hooks module {hooks_module} in {directory}:",
        f"  {RULES_FILE}: a rule with a span around {name} in {where}",
        f"  {HOOKS_FILE}: its hooks; {TEST_FILE}: their test (cd {rel} && go test ./...)",
        f"  go.mod, go.sum: otelgo.dev/rules replaced by {rules_dir()}",
        f"check it: otel rules check {rel}/{RULES_FILE}",
        f"build with it: otel go build --rules {rel}/{RULES_FILE} ./...",
    ]


def _gofmt(directory: Path, files: list[str]) -> None:
    """gofmt the Go files written, with the toolchain's own gofmt."""
    goroot = run_go(["env", "GOROOT"], directory).strip()
    gofmt = Path(goroot) / "bin" / "gofmt"
    proc = subprocess.run([str(gofmt), "-w", *files], cwd=directory, capture_output=True, text=True)
    if proc.returncode != 0:
        raise ScaffoldError(f"gofmt of the files written failed (a bug of otel rules init):\n{proc.stderr.strip()}")


def _shown(directory: Path, cwd: Path) -> str:
    try:
        return directory.relative_to(cwd).as_posix() or "."
    except ValueError:
        return str(directory)


def _module_path(gomod: Path) -> str:
    m = re.search(r"^module\s+(\S+)", gomod.read_text(), re.MULTILINE)
    if m is None:
        raise ScaffoldError(f"{gomod} has no module line")
    return m.group(1).strip('"')


def choose(root: Path) -> Candidate:
    """The function of the module's own code that the example rule targets."""
    from otelgo.splice.edit import SpliceError, find_target
    from otelgo.splice.gosource import decl_key, parse

    try:
        out = run_go(["list", "-e", "-json=ImportPath,Name,Dir,GoFiles", "./..."], root)
    except GoCommandError as e:
        raise ScaffoldError(f"go list ./... failed: {e}") from None
    found: list[Candidate] = []
    for pkg in json_stream(out):
        if not pkg.get("GoFiles") or "/internal/" in f"/{pkg['ImportPath']}/":
            continue
        is_main = pkg.get("Name") == "main"
        key = "main" if is_main else pkg["ImportPath"]
        files = []
        for name in pkg["GoFiles"]:
            path = Path(pkg["Dir"]) / name
            files.append((str(path), path.read_bytes()))
        for path, src in files:
            try:
                f = parse(path, src)
            except SpliceError:
                continue
            for decl in f.root.children:
                k = decl_key(f, decl)
                if k is None or decl.child_by_field_name("body") is None or k[0] in ("init", "_"):
                    continue
                function, receiver = k
                if not is_main and not function[0].isupper():
                    continue
                try:
                    target = find_target(key, files, function, receiver or None)
                except SpliceError:
                    continue
                if target is None:
                    continue
                imports = _hook_imports(target)
                if imports is None:
                    continue
                takes_ctx = bool(target.params) and target.params[0].hook_type.endswith("context.Context")
                rank = (is_main, function == "main", receiver is not None, not takes_ctx, len(target.params), key)
                found.append(Candidate(key, pkg["Name"], function, receiver or None, target, imports, rank))
    if not found:
        raise ScaffoldError(f"no function with a body in the module at {root} to write an example rule for")
    return min(found, key=lambda c: (c.rank, c.function))


_QUALIFIED = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\.[A-Z]")


def _hook_imports(target) -> dict[str, str] | None:
    """The imports the hooks need for the target's types (name -> path), or
    None if one is outside the standard library."""
    imports = {}
    for var in [*([target.receiver] if target.receiver else []), *target.params, *target.results]:
        for name in _QUALIFIED.findall(var.hook_type):
            path = target.imports.get(name)
            if path is None or "." in path.split("/")[0]:
                return None
            imports[name] = path
    return imports


def _versions() -> dict[str, str]:
    """The versions otelgo's own hook module requires."""
    text = (rules_dir() / "go.mod").read_text()
    return dict(re.findall(r"^\s*(go\.opentelemetry\.io/\S+)\s+(v\S+)", text, re.MULTILINE))


def _go_directive() -> str:
    m = re.search(r"^go\s+(\S+)", (rules_dir() / "go.mod").read_text(), re.MULTILINE)
    return m.group(1) if m else "1.24.0"


def _go_mod(module: str) -> str:
    v = _versions()
    otel = v.get("go.opentelemetry.io/otel", "v1.41.0")
    requires = [
        ("go.opentelemetry.io/otel", otel),
        ("go.opentelemetry.io/otel/sdk", v.get("go.opentelemetry.io/otel/sdk", otel)),
        ("go.opentelemetry.io/otel/trace", v.get("go.opentelemetry.io/otel/trace", otel)),
        ("otelgo.dev/rules", "v0.0.0"),
    ]
    lines = "".join(f"\t{path} {version}\n" for path, version in requires)
    return (
        f"module {module}\n\ngo {_go_directive()}\n\nrequire (\n{lines})\n\n"
        "// For go mod tidy, go vet, go test and editors: otelgo replaces\n"
        "// otelgo.dev/rules with its own copy in every build (`otel rules dir`).\n"
        f"replace otelgo.dev/rules => {rules_dir()}\n"
    )


def _hook_names(c: Candidate) -> tuple[str, str]:
    base = (c.receiver or "").lstrip("*") + c.function[0].upper() + c.function[1:]
    return base + "OnEnter", base + "OnExit"


def _rules(c: Candidate, hooks_module: str, module: str) -> str:
    on_enter, on_exit = _hook_names(c)
    rule = {"Name": f"{hooks_module.rsplit('/', 1)[-1]}-{c.function.lower()}", "ImportPath": c.import_path}
    rule["Function"] = c.function
    if c.receiver:
        rule["ReceiverType"] = c.receiver
    rule.update({"OnEnter": on_enter, "OnExit": on_exit})
    header = {
        "$schema": str(rules_dir() / "schema.json"),
        "Library": f"{module} (own code)",
        "Gives": f"an INTERNAL span around {c.target.func_name}",
        "Path": hooks_module,
        "Rules": [rule],
    }
    return json.dumps(header, indent=2) + "\n"


def _params(vars_, names: list[str]) -> str:
    return "".join(f", {n} {v.hook_type}" for n, v in zip(names, vars_, strict=True))


def _hooks(c: Candidate, package: str, hooks_module: str, rel: str) -> str:
    t = c.target
    on_enter, on_exit = _hook_names(c)
    enter_vars = [*([t.receiver] if t.receiver else []), *t.params]
    ctx_index = next((i for i, v in enumerate(t.params) if v.hook_type.endswith("context.Context")), None)
    enter_names = ["_"] * len(enter_vars)
    if ctx_index is not None:
        enter_names[ctx_index + (1 if t.receiver else 0)] = "ctx"
    err_last = bool(t.results) and t.results[-1].hook_type == "error"
    exit_names = ["_"] * len(t.results)
    if err_last:
        exit_names[-1] = "err"
    where = "package main" if c.import_path == "main" else c.import_path
    imports = {"context": "context", **{p: n for n, p in c.imports.items()}}
    lines = [f'\t{n + " " if n != p.rsplit("/", 1)[-1] else ""}"{p}"' for p, n in sorted(imports.items())]
    otel_lines = ['\t"go.opentelemetry.io/otel"']
    if err_last:
        otel_lines.append('\t"go.opentelemetry.io/otel/codes"')
    otel_lines.append('\t"go.opentelemetry.io/otel/trace"')
    if ctx_index is not None:
        start = (
            "\tif ctx == nil {\n\t\tctx = context.Background()\n\t}\n"
            "\tctx, span := otel.Tracer(ScopeName).Start(ctx, SpanName(call),\n"
            "\t\ttrace.WithSpanKind(trace.SpanKindInternal))\n"
            f"\tcall.SetParam({ctx_index}, ctx) // the body runs with the span's context\n"
        )
    else:
        start = (
            "\t_, span := otel.Tracer(ScopeName).Start(context.Background(), SpanName(call),\n"
            "\t\ttrace.WithSpanKind(trace.SpanKindInternal))\n"
        )
    err_code = (
        "\tif err != nil {\n\t\tspan.RecordError(err)\n\t\tspan.SetStatus(codes.Error, err.Error())\n\t}\n"
        if err_last
        else ""
    )
    return f"""// Package {package} holds the hooks that {RULES_FILE} splices into
// {where}: a span around every call of {t.func_name}. Written by
// `otel rules init`; build your program with them, from its module's root:
//
//	otel go build --rules {rel}/{RULES_FILE} ./...
//
// See docs/writing-rules.md of otelgo for rules, hook signatures and CallContext.
package {package}

import (
{chr(10).join(lines)}

{chr(10).join(otel_lines)}

\t"otelgo.dev/rules/api"
)

// ScopeName is the instrumentation scope of the spans made here.
const ScopeName = "{hooks_module}"

// {on_enter} runs before the body of {t.func_name}. It starts a span, a
// child of the span in the call's context, and keeps it for {on_exit}.
func {on_enter}(call api.CallContext{_params(enter_vars, enter_names)}) {{
{start}\tcall.SetData(span)
}}

// {on_exit} runs when {t.func_name} returns, with its results, and ends the span.
func {on_exit}(call api.CallContext{_params(t.results, exit_names)}) {{
\tspan, ok := call.Data().(trace.Span)
\tif !ok {{
\t\treturn
\t}}
{err_code}\tspan.End()
}}

// SpanName is the span's name: the package's last element and the function.
func SpanName(call api.CallContext) string {{
\tpath := call.PackagePath()
\tfor i := len(path) - 1; i >= 0; i-- {{
\t\tif path[i] == '/' {{
\t\t\tpath = path[i+1:]
\t\t\tbreak
\t\t}}
\t}}
\treturn path + "." + call.FuncName()
}}
"""


def _test(c: Candidate, package: str) -> str:
    t = c.target
    on_enter, on_exit = _hook_names(c)
    enter_vars = [*([t.receiver] if t.receiver else []), *t.params]
    imports = {p: n for n, p in c.imports.items()}
    uses_context = any(v.hook_type.endswith("context.Context") for v in enter_vars)
    std = sorted(
        set(imports.items()) | {("testing", "testing")} | ({("context", "context")} if uses_context else set())
    )
    lines = [f'\t{n + " " if n != p.rsplit("/", 1)[-1] else ""}"{p}"' for p, n in std]
    decls = "".join(f"\tvar p{i} {v.hook_type}\n" for i, v in enumerate(enter_vars))
    decls += "".join(f"\tvar r{i} {v.hook_type}\n" for i, v in enumerate(t.results))
    args_in = []
    for i, v in enumerate(enter_vars):
        args_in.append("context.Background()" if v.hook_type.endswith("context.Context") else f"p{i}")
    params = [f"p{i}" for i in range(len(t.params))]
    if t.receiver:
        params = [f"p{i + 1}" for i in range(len(t.params))]
    pkg_path = "main" if c.import_path == "main" else c.import_path
    want = f"{pkg_path.rsplit('/', 1)[-1]}.{t.func_name}"
    return f"""package {package}

import (
{chr(10).join(lines)}

\t"go.opentelemetry.io/otel"
\tsdktrace "go.opentelemetry.io/otel/sdk/trace"
\t"go.opentelemetry.io/otel/sdk/trace/tracetest"

\t"otelgo.dev/rules/api"
)

// fakeCall is a CallContext like the one the spliced code passes.
type fakeCall struct {{
\trecv    any
\tparams  []any
\tresults []any
\tdata    any
}}

var _ api.CallContext = (*fakeCall)(nil)

func (c *fakeCall) Param(i int) any         {{ return c.params[i] }}
func (c *fakeCall) SetParam(i int, v any)   {{ c.params[i] = v }}
func (c *fakeCall) Receiver() any           {{ return c.recv }}
func (c *fakeCall) Result(i int) any        {{ return c.results[i] }}
func (c *fakeCall) SetResult(i int, v any)  {{ c.results[i] = v }}
func (c *fakeCall) SkipCall()               {{}}
func (c *fakeCall) Data() any               {{ return c.data }}
func (c *fakeCall) SetData(v any)           {{ c.data = v }}
func (c *fakeCall) FuncName() string        {{ return "{t.func_name}" }}
func (c *fakeCall) PackagePath() string     {{ return "{pkg_path}" }}

func Test{on_enter}AndOnExit(t *testing.T) {{
\trec := tracetest.NewSpanRecorder()
\ttp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
\told := otel.GetTracerProvider()
\totel.SetTracerProvider(tp)
\tt.Cleanup(func() {{ otel.SetTracerProvider(old) }})

{decls}\tcall := &fakeCall{{params: []any{{{", ".join(params)}}}, results: make([]any, {len(t.results)})}}
\t{on_enter}(call{"".join(", " + a for a in args_in)})
\t{on_exit}(call{"".join(f", r{i}" for i in range(len(t.results)))})

\tended := rec.Ended()
\tif len(ended) != 1 || ended[0].Name() != "{want}" {{
\t\tt.Fatalf("ended spans %v, want one named {want}", ended)
\t}}
}}
"""
