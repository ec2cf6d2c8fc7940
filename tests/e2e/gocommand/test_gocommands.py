"""`otel go run` and `otel go test`: the program run, and the code under test,
are instrumented; the go command's own behaviour is unchanged."""

from __future__ import annotations

import harness
import pytest


def test_go_run_runs_the_instrumented_program_with_its_arguments(testdata, receiver):
    proc = harness.otel_go(
        "run",
        "-ldflags",
        "-X main.version=run",
        ".",
        cwd=testdata / "dropin",
        env={"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "version run"
    spans = receiver.wait_for_spans(lambda s: {"CLIENT", "SERVER"} <= {x.kind for x in s})
    assert {s.service_name for s in spans} == {"dropin"}


def test_go_run_passes_program_arguments_and_exit_status(testdata):
    proc = harness.otel_go("run", ".", "panic", cwd=testdata / "dropin", env={"OTEL_TRACES_EXPORTER": "none"})
    assert proc.returncode == 1  # go run reports the program's failure as exit 1
    assert "dropin: asked to panic" in proc.stderr and "exit status 2" in proc.stderr


def test_go_test_exports_spans_from_the_code_under_test(testdata, receiver):
    proc = harness.otel_go(
        "test",
        "-count=1",
        "-v",
        "./...",
        cwd=testdata / "gotest",
        env={"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "--- PASS: TestBody" in proc.stdout
    spans = receiver.wait_for_spans(2)
    client = next(s for s in spans if s.kind == "CLIENT")
    server = next(s for s in spans if s.kind == "SERVER")
    assert server.parent_span_id == client.span_id and client.attributes["url.full"].endswith("/thing")
    assert client.service_name == "fetch.test"


def test_go_test_failure_is_reported_as_go_does(testdata, tmp_path):
    import shutil

    module = tmp_path / "gotest"
    shutil.copytree(testdata / "gotest", module)
    test = module / "fetch" / "fetch_test.go"
    test.write_text(test.read_text().replace('got != "fetched"', 'got != "something else"'))
    proc = harness.otel_go("test", "-count=1", "./...", cwd=module, env={"OTEL_TRACES_EXPORTER": "none"})
    assert proc.returncode == 1
    assert "--- FAIL: TestBody" in proc.stdout and "FAIL\texample.com/gotest/fetch" in proc.stdout


def test_other_go_commands_do_not_plan_a_build(testdata):
    proc = harness.otel_go("vet", "./...", cwd=testdata / "gotest")
    assert proc.returncode == 0 and proc.stderr == ""


NAMED_TEST = """package fetch

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestGet(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/thing")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}
"""


@pytest.mark.parametrize("gomod", [True, False], ids=["module", "no-module"])
def test_go_test_of_named_files_exports_spans(tmp_path, receiver, gomod):
    """`go test x_test.go` builds the files named alone: the bootstrap joins
    them as one more named file (before, the link failed on the hooks)."""
    (tmp_path / "fetch_test.go").write_text(NAMED_TEST)
    if gomod:
        (tmp_path / "go.mod").write_text("module example.com/fetch\n\ngo 1.24\n")
    proc = harness.otel_go(
        "test",
        "-count=1",
        "-v",
        "fetch_test.go",
        cwd=tmp_path,
        env={"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "--- PASS: TestGet" in proc.stdout
    spans = receiver.wait_for_spans(lambda s: {"CLIENT", "SERVER"} <= {x.kind for x in s})
    client = next(s for s in spans if s.kind == "CLIENT")
    server = next(s for s in spans if s.kind == "SERVER")
    assert server.parent_span_id == client.span_id and client.attributes["url.full"].endswith("/thing")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["fetch_test.go", *(["go.mod"] if gomod else [])])


@pytest.mark.parametrize("where", ["command line", "GOFLAGS"])
def test_a_toolexec_of_the_users_is_refused_before_any_build(testdata, tmp_path, where):
    """otelgo's own -toolexec would replace it: the build would run without
    the user's tool, and say nothing."""
    out = tmp_path / "dropin"
    if where == "GOFLAGS":
        proc = harness.otel_go("build", "-o", str(out), ".", cwd=testdata / "dropin", env={"GOFLAGS": "-toolexec=time"})
    else:
        proc = harness.otel_go("build", "-toolexec=time", "-o", str(out), ".", cwd=testdata / "dropin")
    assert proc.returncode == 2
    assert proc.stderr.startswith("otel: ") and "cannot be combined with otel go build" in proc.stderr
    assert ("GOFLAGS sets -toolexec" in proc.stderr) == (where == "GOFLAGS")
    assert not out.exists()
