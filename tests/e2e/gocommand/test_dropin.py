"""`otel go build` as a drop-in for `go build`: flags pass through and take
effect, go's own errors and exit codes come back unchanged, and the
environment's GOOS/GOARCH/CGO_ENABLED are honoured."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request
from pathlib import Path

import harness
import pytest


def otel(*args, cwd: Path, env=None):
    return harness.otel(*args, cwd=cwd, env=env)


@pytest.fixture(scope="module")
def dropin(testdata) -> Path:
    return testdata / "dropin"


def run_traced(binary: Path, receiver, *args: str) -> tuple[subprocess.CompletedProcess, list]:
    proc = subprocess.run(
        [str(binary), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=harness.clean_env({"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint}),
    )
    spans = (
        receiver.wait_for_spans(lambda s: {"CLIENT", "SERVER"} <= {x.kind for x in s}) if proc.returncode == 0 else []
    )
    return proc, spans


def test_version_and_help():
    assert otel("--version", cwd=harness.REPO_ROOT).stdout.startswith("otel (otelgo) ")
    help_text = otel("go", "--help", cwd=harness.REPO_ROOT).stdout
    assert "otel go build" in help_text and "OTEL_EXPORTER_OTLP_ENDPOINT" in help_text


def test_other_go_commands_pass_straight_through(dropin):
    ours, theirs = (
        otel("go", "env", "GOVERSION", "GOOS", cwd=dropin),
        harness.go("env", "GOVERSION", "GOOS", cwd=dropin),
    )
    assert (ours.returncode, ours.stdout) == (theirs.returncode, theirs.stdout)
    ours, theirs = (
        otel("go", "list", "-f", "{{.ImportPath}}", "./...", cwd=dropin),
        harness.go("list", "-f", "{{.ImportPath}}", "./...", cwd=dropin),
    )
    assert ours.stdout == theirs.stdout == "example.com/dropin\nexample.com/dropin/internal/greet\n"


def test_flags_take_effect_and_binary_is_traced(dropin, tmp_path, receiver):
    out = tmp_path / "bin" / "dropin"
    result = otel(
        "go",
        "build",
        "-v",
        "-tags",
        "extra",
        "-ldflags",
        "-X main.version=1.2.3",
        "-gcflags",
        "-N -l",
        "-o",
        str(out),
        ".",
        cwd=dropin,
    )
    harness.check_build(result)
    proc, spans = run_traced(out, receiver)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[:3] == ["version 1.2.3", "extra tagged", "hello, drop-in"]
    assert {s.name for s in spans if s.kind == "CLIENT"} == {"GET"}
    assert {s.service_name for s in spans} == {"dropin"}


def test_n_prints_the_compiles_through_the_shim(dropin, tmp_path):
    # A package never built before: -n prints nothing for cached archives.
    module = tmp_path / "fresh"
    shutil.copytree(dropin, module)
    greet = module / "internal" / "greet" / "greet.go"
    greet.write_text(greet.read_text() + f"\nconst unique = {str(tmp_path)!r}\n".replace("'", '"'))
    result = otel("go", "build", "-n", "-o", str(tmp_path / "d"), "./internal/greet", cwd=module)
    harness.check_build(result)
    compiles = [line for line in result.stderr.splitlines() if "/compile " in line]
    assert compiles and all("/otelgo-shim " in line for line in compiles)  # the native shim (toolexec/nativeshim.py)
    assert not (tmp_path / "d").exists()


def test_trimpath_reaches_the_spliced_files(dropin, tmp_path):
    out = tmp_path / "dropin"
    harness.check_build(otel("go", "build", "-trimpath", "-o", str(out), ".", cwd=dropin))
    proc = subprocess.run(
        [str(out), "panic"],
        capture_output=True,
        text=True,
        timeout=60,
        env=harness.clean_env({"OTEL_TRACES_EXPORTER": "none"}),
    )
    assert proc.returncode == 2
    line = harness.line_of(dropin / "main.go", 'panic("dropin: asked to panic")')
    # main.main is spliced (its OnExit flushes spans); its frame still names
    # the module path, not the build machine's directory or a temp copy.
    assert f"example.com/dropin/main.go:{line}" in proc.stderr, proc.stderr
    assert str(dropin) not in proc.stderr


def test_go_errors_and_exit_codes_are_unchanged(dropin, tmp_path):
    ours = otel("go", "build", "./nosuchpkg", cwd=dropin)
    theirs = harness.go("build", "./nosuchpkg", cwd=dropin)
    assert ours.returncode == theirs.returncode != 0
    assert ours.stderr == theirs.stderr


def test_compile_error_in_spliced_main_names_the_users_file(dropin, tmp_path):
    module = tmp_path / "broken"
    shutil.copytree(dropin, module)
    main_go = module / "main.go"
    main_go.write_text(
        main_go.read_text().replace('fmt.Println("version", version)', 'fmt.Println("version", undefinedName)')
    )
    ours = otel("go", "build", "-o", str(tmp_path / "b"), ".", cwd=module)
    theirs = harness.go("build", "-o", str(tmp_path / "b"), ".", cwd=module)
    assert ours.returncode == theirs.returncode == 1
    assert ours.stderr == theirs.stderr
    line = harness.line_of(main_go, "undefinedName")
    column = main_go.read_text().splitlines()[line - 1].index("undefinedName") + 1
    assert f"main.go:{line}:{column}: undefined: undefinedName" in ours.stderr


def test_compile_error_in_a_one_line_body_keeps_its_column(tmp_path):
    """The hook site goes in after main's brace: where the body goes on on
    that line, the error still points at go's column."""
    module = tmp_path / "oneline"
    module.mkdir()
    (module / "go.mod").write_text("module example.com/oneline\n\ngo 1.24\n")
    (module / "main.go").write_text("package main\n\nfunc main() { x := 1 }\n")
    ours = otel("go", "build", "-o", str(tmp_path / "b"), ".", cwd=module)
    theirs = harness.go("build", "-o", str(tmp_path / "b"), ".", cwd=module)
    assert ours.returncode == theirs.returncode == 1
    assert "main.go:3:15: declared and not used: x" in theirs.stderr
    assert ours.stderr == theirs.stderr


def test_install_puts_an_instrumented_binary_in_gobin(dropin, tmp_path, receiver):
    gobin = tmp_path / "gobin"
    result = otel("go", "install", ".", cwd=dropin, env={"GOBIN": str(gobin)})
    harness.check_build(result)
    proc, spans = run_traced(gobin / "dropin", receiver)
    assert proc.returncode == 0 and spans


def test_cgo_disabled_still_traced(dropin, tmp_path, receiver):
    out = tmp_path / "static"
    harness.check_build(otel("go", "build", "-o", str(out), ".", cwd=dropin, env={"CGO_ENABLED": "0"}))
    proc, spans = run_traced(out, receiver)
    assert proc.returncode == 0 and any(s.kind == "SERVER" for s in spans)


def test_cross_compile_for_windows(dropin, tmp_path):
    out = tmp_path / "dropin.exe"
    harness.check_build(
        otel("go", "build", "-o", str(out), ".", cwd=dropin, env={"GOOS": "windows", "GOARCH": "amd64"})
    )
    data = out.read_bytes()
    assert data[:2] == b"MZ"  # a PE executable
    # Cannot run it here: check that the hooks were linked into it.
    assert b"otelgo.dev/rules/nethttp.ServerOnEnter" in data


# (GOOS, GOARCH) -> what the executable's header must say.
CROSS_TARGETS = {
    ("linux", "arm64"): ("ELF", 183),  # EM_AARCH64
    ("darwin", "arm64"): ("Mach-O", 0x0100000C),  # CPU_TYPE_ARM64
    ("darwin", "amd64"): ("Mach-O", 0x01000007),  # CPU_TYPE_X86_64
}


def executable_format(data: bytes) -> tuple[str, int]:
    """(format, machine) from a 64-bit little-endian ELF or Mach-O header."""
    if data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1:  # ELFCLASS64, ELFDATA2LSB
        return "ELF", int.from_bytes(data[18:20], "little")  # e_machine
    if data[:4] == b"\xcf\xfa\xed\xfe":  # MH_MAGIC_64, little-endian
        return "Mach-O", int.from_bytes(data[4:8], "little")  # cputype
    return "unknown", 0


@pytest.mark.parametrize("goos,goarch", list(CROSS_TARGETS))
def test_cross_compile_for_other_platforms(dropin, tmp_path, goos, goarch):
    out = tmp_path / "dropin"
    harness.check_build(otel("go", "build", "-o", str(out), ".", cwd=dropin, env={"GOOS": goos, "GOARCH": goarch}))
    assert executable_format(out.read_bytes()[:64]) == CROSS_TARGETS[(goos, goarch)]
    # Cannot run it here: the build info names the hook modules, and the
    # hooks and the trampolines spliced into net/http are linked in.
    info = harness.go("version", "-m", str(out), cwd=dropin).stdout
    assert f"GOOS={goos}" in info and f"GOARCH={goarch}" in info
    assert "dep\totelgo.dev/rules\tv0.0.0" in info, info
    symbols = harness.go("tool", "nm", str(out), cwd=dropin).stdout
    assert " otelgo.dev/rules/nethttp.ServerOnEnter" in symbols
    assert " net/http.otelgoEnter" in symbols


@pytest.mark.skipif(shutil.which("gcc") is None, reason="cgo needs a C compiler")
def test_cgo_package_builds_and_is_traced(testdata, tmp_path, receiver, run_program):
    out = tmp_path / "cgoapp"
    harness.check_build(otel("go", "build", "-o", str(out), ".", cwd=testdata / "cgoapp", env={"CGO_ENABLED": "1"}))
    with run_program(out, env={"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint}) as prog:
        with urllib.request.urlopen(f"http://{prog.addr}/add", timeout=15) as resp:
            assert resp.read() == b"2+3=5"  # computed in C
        (span,) = receiver.wait_for_spans(1)
    assert (span.kind, span.name, span.attributes["http.route"]) == ("SERVER", "GET /add", "/add")


@pytest.mark.skipif(shutil.which("gcc") is None, reason="-race needs cgo and a C compiler")
def test_race_detector_build_runs_traced(dropin, tmp_path, receiver):
    out = tmp_path / "race"
    harness.check_build(otel("go", "build", "-race", "-o", str(out), ".", cwd=dropin))
    proc, spans = run_traced(out, receiver)
    assert proc.returncode == 0, proc.stderr
    assert "WARNING: DATA RACE" not in proc.stderr
    assert any(s.kind == "SERVER" for s in spans)


def test_user_flag_for_module_mode_is_respected(dropin, tmp_path):
    result = otel("go", "build", "-mod=mod", "-o", str(tmp_path / "m"), ".", cwd=dropin)
    harness.check_build(result)
    assert (tmp_path / "m").exists()


def test_build_dir_is_removed_afterwards(dropin, tmp_path):
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    harness.check_build(otel("go", "build", "-o", str(tmp_path / "x"), ".", cwd=dropin, env={"TMPDIR": str(tmp)}))
    assert list(tmp.iterdir()) == []


def test_quiet_and_json_summaries(dropin, tmp_path):
    loud = otel("go", "build", "-o", str(tmp_path / "a"), ".", cwd=dropin)
    assert "otel: instrumented" in loud.stderr and "net/http go1." in loud.stderr
    assert (
        "  metrics: http.server.request.duration, http.client.request.duration (net/http); go.memory.used"
        in loud.stderr
    )
    quiet = otel("go", "build", "-q", "-o", str(tmp_path / "b"), ".", cwd=dropin)
    assert quiet.returncode == 0 and quiet.stderr == ""
    machine = otel("go", "build", "--json", "-o", str(tmp_path / "c"), ".", cwd=dropin)
    assert machine.returncode == 0
    data = json.loads(machine.stdout)
    assert data["programs"]["example.com/dropin"] == sorted(data["programs"]["example.com/dropin"])
    assert "otelgo.dev/rules/nethttp" in data["programs"]["example.com/dropin"]
    http = next(i for i in data["instrumented"] if i["package"] == "net/http")
    assert "(*Transport).RoundTrip" in http["targets"] and http["version"].startswith("go1.")
    # Only what the program links: the hook packages' own imports of
    # database/sql do not make it "instrumented" here.
    assert "database/sql" not in {i["package"] for i in data["instrumented"]}
    assert [m["source"] for m in data["metrics"]] == ["net/http", "SDK and Go runtime"]
    # The SDK is in this program for otelgo's bootstrap (its goroutine-context
    # hooks stay), net/http because the program imports it; the text summary
    # says which is which. grpc and logr are linked only through the SDK (the
    # OTLP protocol packages, its logger): no library rule applies to them.
    by_package = {i["package"]: i for i in data["instrumented"]}
    assert by_package["go.opentelemetry.io/otel/sdk/trace"]["for_the_sdk"] is True
    assert by_package["net/http"]["for_the_sdk"] is False
    assert not {"google.golang.org/grpc", "github.com/go-logr/logr"} & set(by_package), sorted(by_package)
    assert "google.golang.org/grpc" not in loud.stderr
    lines = {line.split()[0]: line for line in loud.stderr.splitlines() if line.startswith("  ")}
    assert "(linked by the OpenTelemetry SDK): (*recordingSpan).End" in lines["go.opentelemetry.io/otel/sdk/trace"]
    assert "(linked by the OpenTelemetry SDK)" not in lines["net/http"]
