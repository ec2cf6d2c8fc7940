"""The build summary says what stays dark: the libraries a program imports
that talk to the network or serve and that no rule covers."""

from __future__ import annotations

import json

import harness


def test_an_uncovered_network_library_is_named(tmp_path):
    """The FTP client dials its own sockets. goquery's requests would go
    through net/http, which is traced, and pflag imports net for its IP
    flags only: neither is named."""
    result = harness.check_build(harness.otel_build(harness.TESTDATA / "untraced", "-o", str(tmp_path / "u"), "."))
    lines = [line for line in result.stderr.splitlines() if "not traced" in line]
    assert lines == ["  not traced github.com/jlaffaye/ftp v0.2.0: they use the network, and no rule covers them"], (
        result.stderr
    )
    result = harness.check_build(
        harness.otel_build(harness.TESTDATA / "untraced", "--json", "-o", str(tmp_path / "u"), ".")
    )
    assert json.loads(result.stdout)["untraced"] == [{"module": "github.com/jlaffaye/ftp", "version": "v0.2.0"}]


def test_a_program_of_covered_libraries_has_nothing_dark(tmp_path):
    result = harness.check_build(
        harness.otel_build(harness.TESTDATA / "hello", "--json", "-o", str(tmp_path / "h"), ".")
    )
    assert json.loads(result.stdout)["untraced"] == []
