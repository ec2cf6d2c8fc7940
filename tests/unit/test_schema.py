"""The JSON schema of rule files, rules/schema.json: generated from the
same pydantic models that `otel rules check` and the build validate with,
so the shipped file can never say something else."""

from __future__ import annotations

import json
import subprocess
import sys

import harness

from otelgo.resources import rules_dir
from otelgo.ruleset.load import builtin_rule_files
from otelgo.ruleset.validate import json_schema

SCHEMA = rules_dir() / "schema.json"


def test_the_shipped_schema_is_the_generated_one():
    assert json.loads(SCHEMA.read_text()) == json_schema(), "regenerate it: otel rules schema > rules/schema.json"


def test_otel_rules_schema_prints_it():
    env = harness.clean_env({"PYTHONPATH": str(harness.REPO_ROOT)})
    proc = subprocess.run([sys.executable, "-m", "otelgo", "rules", "schema"], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == json.loads(SCHEMA.read_text())


def test_the_schema_knows_both_forms_and_every_kind():
    schema = json_schema()
    forms = schema["anyOf"]
    assert {"array", "object"} <= {f.get("type") for f in forms} | {
        schema["$defs"][f["$ref"].split("/")[-1]].get("type") for f in forms if "$ref" in f
    }
    kinds = {
        d["properties"]["Kind"].get("const") or d["properties"]["Kind"].get("default")
        for d in schema["$defs"].values()
        if "Kind" in d.get("properties", {})
    }
    assert kinds == {"function", "raw", "struct", "file", "span"}
    header = schema["$defs"]["_LibraryFile"]["properties"]
    assert {"Library", "Path", "Version", "Metrics", "LogBridge", "Rules", "$schema"} <= set(header)


def test_every_builtin_rule_file_points_editors_at_the_schema():
    for path in builtin_rule_files():
        data = json.loads(path.read_text())
        assert isinstance(data, dict) and "Library" in data, f"{path}: give it a header"
        assert (path.parent / data["$schema"]).resolve() == SCHEMA, path
