"""The `otel` entry point: `otel go build|install|run|test` runs without
click, with the arguments click would have handed over."""

from __future__ import annotations

import subprocess
import sys

import pytest

from otelgo import cli, commands, instrumented

CASES = [
    ["build", "-o", "x", "."],
    ["build", "-race", "-o=x", "./..."],
    ["test", "-run", "TestX", "-v", ".", "-args", "-foo"],
    ["run", "main.go", "-x", "--flag", "--f=1", "-"],
    ["build", "--without", "nethttp", "--rules=x.json", "-q", "--json"],
    ["build", "-ldflags=-s -w", "-gcflags", "all=-N -l", "."],
    ["install", "example.com/x@v1.0.0"],
    ["build", "-h"],
    ["test", "./...", "-count=1", "-args", "-test.v"],
    ["build", "-tags", "a,b", "-mod", "mod", "--show-injected=net/http"],
]


@pytest.mark.parametrize("args", CASES)
def test_the_arguments_are_those_click_hands_over(monkeypatch, args):
    seen = []
    monkeypatch.setattr(instrumented, "run", lambda sub, rest, plan_only=False: seen.append([sub, *rest]) or 0)
    monkeypatch.setattr(sys, "argv", ["otel", "go", *args])
    monkeypatch.setattr(cli, "_leave", sys.exit)  # the real one ends the process at once
    with pytest.raises(SystemExit):
        cli.main()
    with pytest.raises(SystemExit):
        commands.main.main(["go", *args])
    assert seen == [args, args]


def test_an_instrumented_build_imports_no_click():
    code = (
        "import sys; from otelgo import cli, instrumented; instrumented.run = lambda *a: 0; cli._leave = sys.exit; "
        "sys.argv = ['otel', 'go', 'build', '.']\n"
        "try: cli.main()\nexcept SystemExit: pass\nprint('click' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout == "False\n"


def test_a_build_exits_with_the_go_commands_status_and_all_its_output_written():
    code = (
        "import sys; from otelgo import cli, instrumented\n"
        "def run(*a):\n"
        "    sys.stdout.write('out')\n"
        "    sys.stderr.write('err')\n"
        "    return 3\n"
        "instrumented.run = run; sys.argv = ['otel', 'go', 'build', '.']\n"
        "cli.main()\n"
        "print('after')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (proc.returncode, proc.stdout, proc.stderr) == (3, "out", "err")


def test_everything_else_goes_to_click():
    proc = subprocess.run([sys.executable, "-m", "otelgo", "--version"], capture_output=True, text=True)
    assert proc.stdout.startswith("otel (otelgo) ")
    proc = subprocess.run([sys.executable, "-m", "otelgo", "go", "-h"], capture_output=True, text=True)
    assert proc.stdout.startswith("Usage: otel go build")
