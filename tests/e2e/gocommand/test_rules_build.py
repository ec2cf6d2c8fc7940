"""Rules in builds: a bad rule or a hook that does not fit its target stops
the build before any compile; a rule whose function is missing is reported;
--explain says where each rule applies."""

from __future__ import annotations

import json
import shutil

import harness

GOOD = {"Name": "r", "ImportPath": "example.com/lib", "Function": "F", "OnEnter": "Enter", "Path": "example.com/hooks"}


def write(tmp_path, rules):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(rules))
    return path


def _otel(*args, cwd=None):
    return harness.otel(*args, cwd=cwd or harness.REPO_ROOT)


def _otel_build(module, *args):
    return _otel("go", "build", *args, cwd=module)


def test_bad_rules_stop_the_build_before_compiling(tmp_path, testdata):
    path = write(tmp_path, [dict(GOOD, Version="[2.0,1.0)")])
    proc = _otel_build(testdata / "hello", "-x", "--rules", str(path), "-o", str(tmp_path / "x"), ".")
    assert proc.returncode == 2
    assert f"otel: {path}: rule 0 (r): Version: '[2.0,1.0)' is empty: no version can be in it" in proc.stderr
    assert "/compile " not in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "x").exists()


def test_hook_that_does_not_fit_its_target_stops_the_build(tmp_path, testdata):
    module = tmp_path / "tricky"
    shutil.copytree(testdata / "tricky", module)
    hooks = module / "hooks" / "hooks.go"
    hooks.write_text(
        hooks.read_text().replace(
            "func ScaleExit(call api.CallContext, p lib.Point)", "func ScaleExit(call api.CallContext, p any)"
        )
    )
    proc = _otel_build(module, "-x", "--rules", "rules.json", "-o", str(tmp_path / "out"), ".")
    assert proc.returncode == 1
    assert (
        "rule 2 (scale): hook example.com/tricky/hooks.ScaleExit has parameters (api.CallContext, any) "
        "but example.com/tricky/lib.(Point).Scale needs (api.CallContext, lib.Point)"
    ) in proc.stderr
    assert "/compile " not in proc.stderr and not (tmp_path / "out").exists()


def test_rule_whose_function_is_missing_is_reported_not_fatal(tmp_path, testdata):
    rules = json.loads((testdata / "tricky" / "rules.json").read_text())
    rules.append(
        {
            "Name": "ghost",
            "ImportPath": "example.com/tricky/lib",
            "Function": "Ghost",
            "OnEnter": "GreetEnter",
            "Path": "example.com/tricky/hooks",
        }
    )
    path = write(tmp_path, rules)
    proc = _otel_build(testdata / "tricky", "--rules", str(path), "-o", str(tmp_path / "out"), ".")
    assert proc.returncode == 0, proc.stderr
    assert "rule 13 (ghost): Ghost not found in example.com/tricky/lib" in proc.stderr


def test_explain_says_where_each_rule_applies_and_why_not(tmp_path, testdata):
    proc = _otel("go", "build", "--explain", "-o", str(tmp_path / "hello"), ".", cwd=testdata / "hello")
    assert proc.returncode == 0, proc.stderr
    lines = dict(
        line.strip().split(": ", 1) for line in proc.stderr.splitlines() if line.startswith("  ") and ": " in line
    )
    assert lines["nethttp-client"].startswith("applied to (*Transport).RoundTrip in net/http go1.")
    assert lines["sdk-main-exit"] == "applied to main in every program"
    h2 = "nethttp-server-h2-writeheader-internal"
    assert lines[h2].startswith("skipped: version go1.") or lines[h2].endswith("is not in this build")
