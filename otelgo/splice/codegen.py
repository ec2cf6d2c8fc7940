"""Generate the trampolines file that joins an instrumented package.

It declares, in the target package itself and with no import beyond what the
package already imports (the compile's -importcfg allows nothing else):
  - otelgoCallContext, an interface with the method set of
    otelgo.dev/rules/api.CallContext, so the two are the same to the ABI;
  - a body-less declaration of each hook, //go:linkname'd to the hook package;
  - per target, a call type and the otelgoEnterN/otelgoExitN trampolines that
    run the hooks in Order, each behind a recover.
Generated code spells interface{} rather than any: the package may be
compiled with a language version older than Go 1.18.
"""

from __future__ import annotations

from dataclasses import dataclass

from otelgo.gotemplate import render
from otelgo.hookapi import API, ENABLED, PLUMBING, REPORT_PANIC, RESUME, SPAN_START, SPANS, SUPPRESS, SUPPRESSED
from otelgo.splice.edit import PackageSplice, Target, Var


@dataclass
class HookDecl:
    local: str
    symbol: str
    params: list[str]


@dataclass
class HookCall:
    rule_index: int
    local: str
    args: list[str]
    site: str
    switch: str  # the bool that turns the hook package on
    quiet: bool  # off where api.Suppressed says so (all but the plumbing's hooks)


@dataclass
class Switch:
    name: str
    path: str  # the hook package it turns on and off


def generate(import_path: str, splice: PackageSplice, pool: bool = False) -> str:
    """pool: the package may import sync (its -importcfg has it): each
    non-generic target's calls are then kept in a sync.Pool rather than
    allocated per call (a call escapes to the heap: the hooks are bodyless
    declarations to the compiler)."""
    hooks: dict[tuple[str, tuple[str, ...]], HookDecl] = {}

    def declare(path: str, func: str, vars_: list[Var]) -> str:
        # Unnamed: a parameter of the target may well be called "call".
        params = [v.hook_type for v in vars_]
        key = (f"{path}.{func}", tuple(v.hook_type for v in vars_))
        if key not in hooks:
            hooks[key] = HookDecl(f"otelgoHook{len(hooks)}", key[0], params)
        return hooks[key].local

    switches: dict[str, Switch] = {}

    def switch(path: str) -> str:
        if path not in switches:
            # The splice's span sites test otelgoSpansOn by name.
            name = {SPANS: "otelgoSpansOn", API: "otelgoQuietOn"}.get(path, f"otelgoHooksOn{len(switches)}")
            switches[path] = Switch(name, path)
        return switches[path].name

    targets = []
    for t in splice.targets:
        enter, exit_ = [], []
        for k, rule in enumerate(t.rules):
            path = rule.Path
            if rule.OnEnter:
                vars_ = ([t.receiver] if t.receiver else []) + t.params
                local = declare(path, rule.OnEnter, vars_)
                enter.append(
                    HookCall(
                        k,
                        local,
                        [f"c.{_field(t, v)}" for v in vars_],
                        _site(import_path, t, path, rule.OnEnter),
                        switch(path),
                        path not in PLUMBING,
                    )
                )
            if rule.OnExit:
                local = declare(path, rule.OnExit, t.results)
                exit_.append(
                    HookCall(
                        k,
                        local,
                        [f"c.{_field(t, v)}" for v in t.results],
                        _site(import_path, t, path, rule.OnExit),
                        switch(path),
                        path not in PLUMBING,
                    )
                )
        view = _target_view(t, enter, list(reversed(exit_)))
        view["pooled"] = pool and not t.type_params
        targets.append(view)
    if splice.spans:
        switch(SPANS)
    if splice.quiet:
        switch(API)  # otelgoQuietOn: off when every hook is (OTEL_SDK_DISABLED)
    imports = dict(splice.imports)
    if any(t["pooled"] for t in targets):
        imports.setdefault("sync", "otelgosync")
    return render(
        "trampolines.go.j2",
        package=splice.package_name,
        import_path=import_path,
        imports=_imports(imports),
        sync=imports.get("sync", ""),
        report_panic=REPORT_PANIC,
        enabled=ENABLED,
        span_start=SPAN_START,
        hooks=list(hooks.values()),
        switch_vars=_switch_vars(list(switches.values()), targets),
        targets=targets,
        spans=splice.spans,
        quiet=splice.quiet,
        suppressed=splice.spans or any(t["quiet"] for t in targets),
        suppressed_func=SUPPRESSED,
        suppress_func=SUPPRESS,
        resume_func=RESUME,
    )


def _switch_vars(switches: list[Switch], targets: list[dict]) -> list[str]:
    """The var block of the switches, aligned as gofmt aligns it: one per
    hook package, and one per target (on if any of its hook packages is)."""
    specs = [(s.name, f'otelgoEnabled("{s.path}")') for s in switches]
    specs += [(f"otelgoOn{t['index']}", " || ".join(t["switches"]) or "false") for t in targets]
    width = max((len(name) for name, _ in specs), default=0)
    return [f"{name.ljust(width)} = {value}" for name, value in specs]


def _imports(used: dict[str, str]) -> list[tuple[str, str]]:
    """Sorted as gofmt sorts them; the name is written only where it differs
    from the path's last element."""
    out = {path: (name if name != path.rsplit("/", 1)[-1] else "") for path, name in used.items()}
    out.setdefault("unsafe", "_")
    return sorted(out.items())


def _site(import_path: str, t: Target, path: str, func: str) -> str:
    return f"{path}.{func} on {import_path}.{t.func_name}"


def _field(t: Target, v: Var) -> str:
    if t.receiver is v:
        return "recv"
    if v in t.params:
        return f"p{t.params.index(v)}"
    return f"r{t.results.index(v)}"


def _target_view(t: Target, enter: list[HookCall], exit_: list[HookCall]) -> dict:
    quiet = any(h.quiet for h in enter + exit_)
    fields = [
        ("rule", "int"),
        ("data", f"[{len(t.rules)}]interface{{}}"),
        ("failed", f"[{len(t.rules)}]bool"),
        ("skip", "bool"),
        *([("quiet", "bool")] if quiet else []),
    ]
    pointers = []
    if t.receiver:
        pointers.append(("recv", t.receiver))
    pointers += [(f"p{i}", v) for i, v in enumerate(t.params)]
    results = [(f"r{i}", v) for i, v in enumerate(t.results)]
    fields += [(name, v.type) for name, v in pointers + results]
    width = max(len(name) for name, _ in fields)
    return {
        "index": t.index,
        "func_name": t.func_name,
        "type_params": t.type_params,
        "type_args": t.type_args,
        "fields": [f"{name.ljust(width)} {typ}" for name, typ in fields],
        "enter_params": ", ".join(f"{name} *{v.type}" for name, v in pointers + results),
        "enter_fields": ", ".join(f"{name}: *{name}" for name, _ in pointers),
        # The receiver cannot be replaced; parameters and results can.
        "copy_back": [name for name, _ in pointers + results if name != "recv"],
        "exit_params": ", ".join([f"c *otelgoCall{t.index}{t.type_args}", *(f"{n} *{v.type}" for n, v in results)]),
        "switches": list(dict.fromkeys(h.switch for h in enter + exit_)),
        "receiver": "recv" if t.receiver else None,
        "params": [(i, v.type) for i, v in enumerate(t.params)],
        "results": [(i, v.type) for i, v in enumerate(t.results)],
        "enter": enter,
        "exit": exit_,
        "quiet": quiet,
    }
