"""The Go unit tests of the hook packages (rules/), run with the real go test.

Package goroutine declares two functions that only an otelgo build defines
(in package runtime); for go test an overlay gives them plain bodies."""

from __future__ import annotations

import json
import re
import subprocess

import harness
import pytest

RULES = harness.REPO_ROOT / "rules"


MODULES = [RULES] + sorted(p.parent for p in RULES.glob("*/go.mod"))


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_hook_module_passes_go_vet_and_go_test(tmp_path, module):
    source = (RULES / "goroutine" / "goroutine.go").read_text()
    stubbed = re.sub(
        r"func getGoroutineContext\(\) unsafe.Pointer\n",
        "var otelgoStub unsafe.Pointer\n\nfunc getGoroutineContext() unsafe.Pointer { return otelgoStub }\n",
        source,
    )
    stubbed = re.sub(
        r"func setGoroutineContext\(p unsafe.Pointer\)\n",
        "func setGoroutineContext(p unsafe.Pointer) { otelgoStub = p }\n",
        stubbed,
    )
    assert stubbed.count("otelgoStub") == 3
    (tmp_path / "goroutine.go").write_text(stubbed)
    overlay = tmp_path / "overlay.json"
    overlay.write_text(
        json.dumps({"Replace": {str(RULES / "goroutine" / "goroutine.go"): str(tmp_path / "goroutine.go")}})
    )
    env = harness.clean_env()
    for cmd in (["vet", "./..."], ["test", "-count=1", "./..."]):
        proc = subprocess.run(
            [harness.find_go(), *cmd[:1], f"-overlay={overlay}", *cmd[1:]],
            cwd=module,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
