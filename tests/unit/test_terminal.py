"""otelgo's lines on stderr: coloured by rich on a terminal, plain without
importing rich elsewhere, the same text either way, brackets of the text
kept (rich's own markup would drop "[string]" from "map[string]int")."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from otelgo.report import terminal

LINES = [
    "[green]otel:[/] instrumented 3 packages for 1 program",
    "  [yellow]not applied[/] rules.json: rule 0 (x): Write([]byte) not found in example.com/x",
    "  [yellow]not instrumented[/] go/types: compiled as it is: union.go:10: dot imports are not supported",
    "  [cyan]ignored[/] package main: every function of main.go (//otel:ignore at main.go:3)",
    "  [red]upgraded[/] google.golang.org/grpc v1.64.0 → v1.83.2 (--allow-upgrades)",
    "[bold]otel: rules[/]",
    "  a rule named [x] on map[string]int: stays as it is",
]


@pytest.mark.parametrize("line", LINES)
def test_a_terminal_and_a_pipe_get_the_same_text(line):
    assert terminal.styled(line).plain == terminal.plain(line)
    assert "[green]" not in terminal.plain(line) and "[/]" not in terminal.plain(line)


def test_the_tags_style_the_text_between_them():
    text = terminal.styled("[green]otel:[/] x [yellow]not applied[/] map[string]int")
    assert text.plain == "otel: x not applied map[string]int"
    assert [(text.plain[s.start : s.end], str(s.style)) for s in text.spans] == [
        ("otel:", "green"),
        ("not applied", "yellow"),
    ]


def run_printing(line: str, **env: str) -> subprocess.CompletedProcess:
    script = (
        "import sys\n"
        "from otelgo.report import terminal\n"
        f"terminal.stderr_console().print({line!r})\n"
        "print('rich' in sys.modules)\n"
    )
    environment = {"PATH": os.environ["PATH"], **env}
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=environment, check=True)


def test_a_pipe_gets_plain_lines_without_rich():
    proc = run_printing("[green]otel:[/] map[string]int")
    assert proc.stderr == "otel: map[string]int\n"
    assert proc.stdout == "False\n"


@pytest.mark.parametrize("variable", ["FORCE_COLOR", "TTY_COMPATIBLE"])
def test_a_variable_that_rich_reads_hands_the_lines_to_rich(variable):
    proc = run_printing("[green]otel:[/] map[string]int", **{variable: "1"})
    assert proc.stdout == "True\n"
    assert "\x1b[32motel:\x1b[0m map[string]int" in proc.stderr, repr(proc.stderr)
