"""The two halves of the hook ABI stay in step: the trampolines template
declares otelgoCallContext inside each instrumented package (which may
import nothing new) with exactly the method set of
otelgo.dev/rules/api.CallContext, so a hook receives it as that interface."""

from __future__ import annotations

import re

from otelgo.resources import rules_dir, templates_dir


def _methods(source: str, interface: str) -> dict[str, str]:
    body = re.search(rf"type {interface} interface \{{(.*?)\n\}}", source, re.S).group(1)
    methods = {}
    for line in body.splitlines():
        line = line.strip()
        if not line or line.startswith("//"):
            continue
        name, signature = re.match(r"(\w+)(\(.*)", line).groups()
        methods[name] = re.sub(r"\binterface\{\}", "any", signature)
    return methods


def test_template_and_api_declare_the_same_methods():
    api = _methods((rules_dir() / "api" / "api.go").read_text(), "CallContext")
    template = _methods((templates_dir() / "trampolines.go.j2").read_text(), "otelgoCallContext")
    assert template == api
    assert len(api) == 10
