"""rules/internal/semconv is the OpenTelemetry package
go.opentelemetry.io/otel/semconv/v1.39.0 (and its httpconv, dbconv and
rpcconv helpers), copied by its update.sh: byte for byte the original of
the otel release rules/go.mod requires, but for the import comments."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import harness

RULES = harness.REPO_ROOT / "rules"
COPY = RULES / "internal" / "semconv"
FILES = ["attribute_group.go", "doc.go", "error_type.go", "exception.go", "schema.go"]
HELPERS = ["httpconv", "dbconv", "rpcconv"]


def test_the_semconv_copy_is_the_original():
    version = re.search(r"^\s*go\.opentelemetry\.io/otel (v\S+)$", (RULES / "go.mod").read_text(), re.MULTILINE)[1]
    proc = subprocess.run(
        [harness.find_go(), "mod", "download", "-json", f"go.opentelemetry.io/otel@{version}"],
        cwd=RULES,
        capture_output=True,
        text=True,
        timeout=600,
        env=harness.clean_env(),
    )
    assert proc.returncode == 0, proc.stderr
    original = Path(json.loads(proc.stdout)["Dir"]) / "semconv" / "v1.39.0"
    pairs = [(f, f) for f in FILES] + [(f"{h}/metric.go", f"{h}/metric.go") for h in HELPERS]
    for mine, theirs in pairs:
        want = re.sub(r'^(package \w+) // import ".*"$', r"\1", (original / theirs).read_text(), flags=re.MULTILINE)
        assert (COPY / mine).read_text() == want, f"{mine} differs from {original / theirs}: run update.sh"
