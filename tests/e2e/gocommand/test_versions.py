"""otelgo never raises a user's library version: a library older than its
hook module supports is left uninstrumented, with a note, and the build
uses the user's version."""

from __future__ import annotations

import subprocess

import harness

MAIN = """package main

import "go.uber.org/zap"

func main() {
	logger := zap.NewExample()
	logger.Info("hello")
}
"""


def test_library_older_than_the_hooks_support_is_not_upgraded(tmp_path):
    (tmp_path / "go.mod").write_text("module example.com/oldzap\n\ngo 1.24\n\nrequire go.uber.org/zap v1.20.0\n")
    (tmp_path / "main.go").write_text(MAIN)
    tidy = subprocess.run(
        [harness.find_go(), "mod", "tidy"], cwd=tmp_path, capture_output=True, text=True, env=harness.clean_env()
    )
    assert tidy.returncode == 0, tidy.stderr
    # zap v1.20.0 comes with a 2021 x/net, x/sys, x/text and multierr, older
    # than the oldest OpenTelemetry release set needs: the way out otelgo's
    # stop message gives, taken (zap stays where it is).
    raised = ["go.uber.org/multierr@v1.11.0", "golang.org/x/net@v0.19.0", "golang.org/x/sys@v0.17.0"]
    get = subprocess.run(
        [harness.find_go(), "get", *raised, "golang.org/x/text@v0.14.0"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=harness.clean_env(),
    )
    assert get.returncode == 0, get.stderr
    assert "go.uber.org/zap v1.20.0" in (tmp_path / "go.mod").read_text()
    before = {p: p.read_bytes() for p in (tmp_path / "go.mod", tmp_path / "go.sum")}
    out = tmp_path / "app"
    result = harness.check_build(harness.otel_build(tmp_path, "-o", str(out), "."))
    assert (
        "go.uber.org/zap v1.20.0 is older than v1.21.0, the oldest version otelgo.dev/rules/zap supports"
        in result.stderr
    )
    info = subprocess.run([harness.find_go(), "version", "-m", str(out)], capture_output=True, text=True).stdout
    assert "\tgo.uber.org/zap\tv1.20.0\t" in info
    assert "otelgo.dev/rules/zap" not in info
    assert {p: p.read_bytes() for p in before} == before  # the user's go.mod/go.sum untouched
    run = subprocess.run(
        [str(out)], capture_output=True, text=True, env=harness.clean_env({"OTEL_TRACES_EXPORTER": "none"})
    )
    assert run.returncode == 0 and '"msg":"hello"' in run.stdout
