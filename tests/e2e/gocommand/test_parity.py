"""Where `go build` fails, `otel go build` fails the same way; where it
succeeds, so does otelgo: the same inputs through both, the exit status
and the first line of the error compared."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import harness
import pytest

HELLO = (harness.TESTDATA / "hello" / "main.go").read_text()
# The OpenTelemetry API at the version otelgo's own hooks require.
OTEL = re.search(r"^\s*go\.opentelemetry\.io/otel (v\S+)", (harness.REPO_ROOT / "rules" / "go.mod").read_text(), re.M)[
    1
]

# name -> files of a module (go.mod first), the go build arguments
CASES = {
    "builds": ({"go.mod": "module example.com/p\n\ngo 1.24\n", "main.go": HELLO}, ["."]),
    "syntax-error": (
        {"go.mod": "module example.com/p\n\ngo 1.24\n", "main.go": "package main\n\nfunc main() {\n\tx := \n}\n"},
        ["."],
    ),
    "type-error": (
        {
            "go.mod": "module example.com/p\n\ngo 1.24\n",
            "main.go": 'package main\n\nfunc main() { var x int = "s"; _ = x }\n',
        },
        ["."],
    ),
    "missing-import": (
        {
            "go.mod": "module example.com/p\n\ngo 1.24\n",
            "main.go": 'package main\n\nimport _ "example.com/nowhere"\n\nfunc main() {}\n',
        },
        ["."],
    ),
    "no-such-directory": ({"go.mod": "module example.com/p\n\ngo 1.24\n", "main.go": HELLO}, ["./nothing"]),
    "no-go-files": (
        {"go.mod": "module example.com/p\n\ngo 1.24\n", "main.go": "//go:build never\n\npackage main\n"},
        ["."],
    ),
    "unknown-flag": ({"go.mod": "module example.com/p\n\ngo 1.24\n", "main.go": HELLO}, ["-nosuchflag", "."]),
    "files-from-two-directories": (
        {"go.mod": "module example.com/p\n\ngo 1.24\n", "main.go": HELLO, "sub/x.go": "package main\n"},
        ["main.go", "sub/x.go"],
    ),
    # A module's zip leaves out its nested modules: prometheus v0.316.0's
    # go.work then uses four directories that are not there.
    "workspace-uses-a-directory-with-no-go-mod": (
        {
            "go.mod": "module example.com/p\n\ngo 1.24\n",
            "go.work": "go 1.24\n\nuse (\n\t.\n\t./tools\n)\n",
            "main.go": HELLO,
        },
        ["."],
    ),
    "bad-go-mod": ({"go.mod": "module example.com/p\n\ngo 1.24\nrequire (\n", "main.go": HELLO}, ["."]),
    # go.sum lacks the entry of a module otelgo's own packages need too: the
    # completion of otelgo's go.sum copy must not make the build pass.
    "missing-sum-of-a-module-otelgo-needs": (
        {
            "go.mod": f"module example.com/p\n\ngo 1.24\n\nrequire go.opentelemetry.io/otel {OTEL}\n",
            "main.go": 'package main\n\nimport "go.opentelemetry.io/otel"\n\nfunc main() { _ = otel.Tracer("p") }\n',
        },
        ["."],
    ),
}


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def _first_error(stderr: str) -> str:
    """The first line that is the go command's, not otelgo's summary."""
    lines = [line for line in stderr.splitlines() if line.strip() and not line.startswith(("otel:", "  "))]
    return lines[0] if lines else ""


@pytest.mark.parametrize("case", list(CASES))
def test_go_and_otel_agree(tmp_path, case):
    files, args = CASES[case]
    results = {}
    for tool, argv in (("go", ["go"]), ("otel", [sys.executable, "-m", "otelgo", "go"])):
        module = tmp_path / tool
        _write(module, files)
        proc = subprocess.run(
            [*argv, "build", "-o", str(tmp_path / f"{tool}.bin"), *args],
            cwd=module,
            env=harness.clean_env({"PYTHONPATH": str(harness.REPO_ROOT)}),
            capture_output=True,
            text=True,
            timeout=harness.BUILD_TIMEOUT,
        )
        results[tool] = (proc.returncode, _first_error(proc.stderr).replace(str(module), "MODULE"))
    assert results["otel"] == results["go"], results
