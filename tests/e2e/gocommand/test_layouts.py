"""Module layouts: a go.work workspace, a module in a subdirectory of a
repository with its main package away from the root, and several main
packages in one `go build ./...`."""

from __future__ import annotations

import shutil
import subprocess

import harness

LIB = """package greet

import (
	"io"
	"net/http"
)

// Fetch gets url and returns its body.
func Fetch(url string) string {
	resp, err := http.Get(url)
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
"""

APP = """package main

import (
	"fmt"
	"os"

	"example.com/greet"
)

func main() { fmt.Println(greet.Fetch(os.Getenv("TARGET_URL"))) }
"""


def run_traced(binary, receiver, target):
    env = harness.clean_env({"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "TARGET_URL": target.url + "/x"})
    proc = subprocess.run([str(binary)], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "pong", proc.stderr
    (span,) = receiver.wait_for_spans(1)
    assert span.kind == "CLIENT" and target.requests[-1].headers["traceparent"].split("-")[2] == span.span_id
    return span


def test_workspace_with_two_modules(tmp_path, receiver):
    (tmp_path / "greet").mkdir()
    (tmp_path / "greet" / "go.mod").write_text("module example.com/greet\n\ngo 1.24\n")
    (tmp_path / "greet" / "greet.go").write_text(LIB)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "go.mod").write_text("module example.com/app\n\ngo 1.24\n")
    (tmp_path / "app" / "main.go").write_text(APP)
    (tmp_path / "go.work").write_text("go 1.24\n\nuse (\n\t./app\n\t./greet\n)\n")
    before = harness.tree_snapshot(tmp_path)
    out = tmp_path.parent / f"{tmp_path.name}-app"
    harness.check_build(harness.otel_build(tmp_path / "app", "-o", str(out), "."))
    assert harness.tree_snapshot(tmp_path) == before
    with harness.TargetServer() as target:
        span = run_traced(out, receiver, target)
    assert span.service_name == out.name


def test_module_in_a_repository_subdirectory_with_main_below_the_root(tmp_path, receiver):
    module = tmp_path / "repo" / "services" / "greeter"
    (module / "cmd" / "greeter").mkdir(parents=True)
    (module / "greet").mkdir()
    (module / "go.mod").write_text("module example.com/greet\n\ngo 1.24\n")
    (module / "greet" / "greet.go").write_text(LIB)
    (module / "cmd" / "greeter" / "main.go").write_text(APP.replace('"example.com/greet"', '"example.com/greet/greet"'))
    out = tmp_path / "greeter"
    harness.check_build(
        harness.otel_build(tmp_path / "repo", "-C", "services/greeter", "-o", str(out), "./cmd/greeter")
    )
    with harness.TargetServer() as target:
        run_traced(out, receiver, target)


def test_several_main_packages_in_one_build(tmp_path, receiver, testdata):
    module = tmp_path / "httpchain"
    shutil.copytree(testdata / "httpchain", module)
    outdir = tmp_path / "bin"
    outdir.mkdir()
    harness.check_build(harness.otel_build(module, "-o", str(outdir) + "/", "./..."))
    names = sorted(p.name for p in outdir.iterdir())
    assert names == ["backend", "crash", "frontend", "oneshot"]
    for name in names:
        info = subprocess.run(
            [harness.find_go(), "version", "-m", str(outdir / name)], capture_output=True, text=True
        ).stdout
        assert "otelgo.dev/rules" in info, name
