"""The shim's fast path: what it imports, and how it answers -V=full; the
native shim (toolexec/native/shim.go) must do what shim.py does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import harness
import pytest

from otelgo.driver import toolexec_command
from otelgo.toolexec import nativeshim
from otelgo.toolexec.protocol import write_index as write_shim_index

SHIM = harness.REPO_ROOT / "otelgo" / "toolexec" / "shim.py"
HEAVY = {"click", "pydantic", "tree_sitter", "jinja2", "rich"}
# What the fast path must not import either: json alone doubles its instructions.
FAST_PATH_FORBIDDEN = HEAVY | {"json", "subprocess"}
# The only modules of otelgo's own that the fast path may load.
PROTOCOL = {"otelgo", "otelgo.toolexec", "otelgo.toolexec.protocol"}


def _plan(tmp_path, packages=None) -> Path:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"token": "abc123", "packages": packages or {}}))
    write_shim_index(tmp_path, "abc123", packages or {})
    return plan


def _shim(tmp_path, *args, packages=None):
    return subprocess.run(
        [sys.executable, "-I", "-S", "-X", "importtime", str(SHIM), *args],
        capture_output=True,
        text=True,
        env={"OTELGO_PLAN": str(_plan(tmp_path, packages))},
    )


def imported_modules(stderr: str) -> set[str]:
    return {line.split("|")[-1].strip() for line in stderr.splitlines() if line.startswith("import time:")}


def imported(stderr: str) -> set[str]:
    return {name.split(".")[0] for name in imported_modules(stderr)}


def fast_path_only(stderr: str) -> bool:
    modules = imported_modules(stderr)
    own = {m for m in modules if m.split(".")[0] == "otelgo"}
    return imported(stderr).isdisjoint(FAST_PATH_FORBIDDEN) and own <= PROTOCOL


def test_unmatched_compile_execs_the_tool_without_heavy_imports(tmp_path):
    proc = _shim(
        tmp_path, "/bin/echo", "-p", "example.com/nothing", "-o", "x.a", "a.go", packages={"net/http": {"rules": []}}
    )
    assert proc.stdout == "-p example.com/nothing -o x.a a.go\n"
    assert fast_path_only(proc.stderr), sorted(imported_modules(proc.stderr))


def test_other_tools_are_execed_untouched(tmp_path):
    proc = _shim(tmp_path, "/bin/echo", "-o", "out", "-p", "net/http", "main.o")  # not a compile
    assert proc.stdout == "-o out -p net/http main.o\n"
    assert fast_path_only(proc.stderr), sorted(imported_modules(proc.stderr))


def test_version_line_carries_the_token(tmp_path):
    tool = tmp_path / "compile"
    tool.write_text("#!/bin/sh\necho 'compile version go1.26.8'\n")
    tool.chmod(0o755)
    assert _shim(tmp_path, str(tool), "-V=full").stdout == "compile version go1.26.8 otelgo-abc123\n"


def test_devel_toolchain_build_id_carries_the_token(tmp_path):
    tool = tmp_path / "compile"
    tool.write_text("#!/bin/sh\necho 'compile version devel go1.27-abc Tue buildID=xyz'\n")
    tool.chmod(0o755)
    out = _shim(tmp_path, str(tool), "-V=full").stdout
    assert out == "compile version devel go1.27-abc Tue buildID=xyz-otelgo-abc123\n"


def test_toolexec_command_is_the_native_shim():
    """Built by install.sh into the installation; the same command for every build."""
    assert toolexec_command() == toolexec_command()
    binary = Path(toolexec_command())
    assert binary.name == "otelgo-shim" and binary.is_relative_to(nativeshim.installed_dir()), toolexec_command()
    assert nativeshim.python_command()[1:3] == ["-I", "-S"]
    assert nativeshim.python_command()[-1].endswith("otelgo/toolexec/shim.py")


def test_without_the_native_shim_builds_run_the_python_shim_while_it_is_built(tmp_path, monkeypatch):
    """Not installed: the first build starts building it into otelgo's
    cache in the background and runs shim.py; the builds after it, the
    native shim."""
    gocache = subprocess.run(["go", "env", "GOCACHE"], capture_output=True, text=True, check=True).stdout.strip()
    monkeypatch.setenv("GOCACHE", gocache)  # the standard library compiled already
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(nativeshim, "installed_dir", lambda: tmp_path / "not-installed")
    assert toolexec_command() == " ".join(nativeshim.python_command())
    assert toolexec_command() == " ".join(nativeshim.python_command())  # one build at a time
    (building,) = (tmp_path / "cache" / "otelgo" / "shim").glob(f"*/{nativeshim.BUILDING}")
    deadline = time.monotonic() + 120
    while building.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    binary = Path(toolexec_command())
    assert binary.name == "otelgo-shim" and binary.parent == building.parent, toolexec_command()


def test_a_cache_that_cannot_be_written_leaves_the_python_shim(tmp_path, monkeypatch):
    (tmp_path / "cache").write_text("a file where otelgo's cache would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(nativeshim, "installed_dir", lambda: tmp_path / "not-installed")
    assert toolexec_command() == " ".join(nativeshim.python_command())


def test_a_native_shim_that_cannot_be_built_is_not_tried_again(tmp_path, monkeypatch):
    broken = tmp_path / "shim.go"
    broken.write_text("package main\n\nfunc main() { not Go }\n")
    monkeypatch.setattr(nativeshim, "SOURCE", broken)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(nativeshim, "installed_dir", lambda: tmp_path / "not-installed")
    key = nativeshim._source()[0]
    where = tmp_path / "cache" / "otelgo" / "shim" / key
    assert nativeshim.build(where) is None
    assert "exit 1" in (where / nativeshim.FAILED).read_text()
    assert toolexec_command() == " ".join(nativeshim.python_command())
    assert not (where / nativeshim.BUILDING).exists()  # no background build started


def test_response_files_are_read(tmp_path):
    from otelgo.toolexec.protocol import expand_response_files

    rsp = tmp_path / "args"
    rsp.write_text("-p\nexample.com/a\\\\b\nline\\nbreak\n")
    assert expand_response_files(["-o", "x", f"@{rsp}"]) == ["-o", "x", "-p", "example.com/a\\b", "line\nbreak"]


def _shim_progress(tmp_path, *args, packages=None):
    plan = _plan(tmp_path, packages)
    progress = tmp_path / "progress"
    echo = tmp_path / "compile"  # the shim looks into compiles only
    echo.symlink_to("/bin/echo")
    proc = subprocess.run(
        [sys.executable, "-I", "-S", "-X", "importtime", str(SHIM), str(echo), *args],
        capture_output=True,
        text=True,
        env={"OTELGO_PLAN": str(plan), "OTELGO_PROGRESS": str(progress)},
    )
    return proc, progress.read_text() if progress.exists() else ""


def test_compile_arguments_in_a_response_file_are_looked_into(tmp_path):
    rsp = tmp_path / "args"
    rsp.write_text("-p\nexample.com/nothing\n-o\nx.a\na.go\n")
    proc, progress = _shim_progress(tmp_path, f"@{rsp}", packages={"net/http": {"rules": []}})
    assert proc.stdout == f"@{rsp}\n"  # the tool gets its response file, untouched
    assert progress == "c example.com/nothing\n"
    assert imported(proc.stderr).isdisjoint(HEAVY)


def test_matched_compile_leaves_the_fast_path(tmp_path):
    """A matched package goes to the splicer; sources it cannot read are
    compiled as they are, with a warning."""
    proc, progress = _shim_progress(
        tmp_path,
        "-p",
        "example.com/hit",
        "-o",
        "x.a",
        "missing.go",
        packages={"example.com/hit": {"version": "v1.0.0", "digest": "d", "rules": []}},
    )
    assert progress == "i example.com/hit\n"
    assert "example.com/hit compiled without instrumentation" in proc.stderr
    assert proc.stdout == "-p example.com/hit -o x.a missing.go\n"
    assert "otelgo.splice.edit" in imported_modules(proc.stderr)  # the splicer was loaded


def test_unmatched_compile_reports_progress(tmp_path):
    proc, progress = _shim_progress(tmp_path, "-p", "example.com/nothing", "a.go", packages={"net/http": {"rules": []}})
    assert progress == "c example.com/nothing\n"


def test_unmatched_compile_loses_a_marker(tmp_path):
    """The package under test of `otel go test` carries its test main's
    marker; unmatched, it goes the fast path, which removes it."""
    proc, progress = _shim_progress(tmp_path, "-p", "example.com/x", "-otelgo.rules=ab12", "a.go", packages={"n": {}})
    assert proc.stdout == "-p example.com/x a.go\n"
    assert progress == "c example.com/x\n"
    assert fast_path_only(proc.stderr), sorted(imported_modules(proc.stderr))


def _version_tool(tmp_path, text="compile version go1.26.8"):
    tool = tmp_path / "bin" / "compile"
    tool.parent.mkdir(exist_ok=True)
    tool.write_text(f"#!/bin/sh\necho '{text}'; echo ran >> {tmp_path / 'runs'}\n")
    tool.chmod(0o755)
    return tool


def _version(tmp_path, tool, *args, env=None):
    proc = subprocess.run(
        [sys.executable, "-I", "-S", "-X", "importtime", str(SHIM), str(tool), *args],
        capture_output=True,
        text=True,
        env={"OTELGO_PLAN": str(_plan(tmp_path)), "XDG_CACHE_HOME": str(tmp_path / "cache"), **(env or {})},
    )
    runs = tmp_path / "runs"
    return proc, len(runs.read_text().splitlines()) if runs.exists() else 0


def test_version_answers_are_kept_under_everything_they_depend_on(tmp_path):
    """-V=full is answered from otelgo's cache once the tool has answered
    it; the tool runs again when its binary, its arguments or a GO*
    variable changes, and each answer is the tool's own."""
    from otelgo.resources import private_dir

    private_dir(tmp_path / "cache" / "otelgo" / "toolids")  # what planning makes
    tool = _version_tool(tmp_path)
    proc, runs = _version(tmp_path, tool, "-V=full")
    assert (proc.stdout, runs) == ("compile version go1.26.8 otelgo-abc123\n", 1)
    proc, runs = _version(tmp_path, tool, "-V=full")
    assert (proc.stdout, runs) == ("compile version go1.26.8 otelgo-abc123\n", 1)  # kept: the tool did not run
    assert "subprocess" not in imported(proc.stderr)
    # A GO* setting the tool reads (experiments are part of its answer).
    proc, runs = _version(tmp_path, tool, "-V=full", env={"GOEXPERIMENT": "nogreenteagc"})
    assert runs == 2
    _, runs = _version(tmp_path, tool, "-V=full", env={"GOEXPERIMENT": "nogreenteagc"})
    assert runs == 2
    # Other arguments.
    _, runs = _version(tmp_path, tool, "-V=full", "-x")
    assert runs == 3
    # Another binary at the same path: what it says now.
    tool.unlink()
    _version_tool(tmp_path, "compile version go1.27.0")
    proc, runs = _version(tmp_path, tool, "-V=full")
    assert (proc.stdout, runs) == ("compile version go1.27.0 otelgo-abc123\n", 4)
    # Another token (the index's first line) is not part of the kept answer.
    write_shim_index(tmp_path, "def456", {})
    proc = subprocess.run(
        [sys.executable, "-I", "-S", str(SHIM), str(tool), "-V=full"],
        capture_output=True,
        text=True,
        env={"OTELGO_PLAN": str(tmp_path / "plan.json"), "XDG_CACHE_HOME": str(tmp_path / "cache")},
    )
    assert proc.stdout == "compile version go1.27.0 otelgo-def456\n"


def test_version_answers_are_not_kept_without_the_private_directory(tmp_path):
    tool = _version_tool(tmp_path)
    for n in (1, 2):
        proc, runs = _version(tmp_path, tool, "-V=full")
        assert (proc.stdout, runs) == ("compile version go1.26.8 otelgo-abc123\n", n)


def test_a_damaged_kept_answer_is_asked_again(tmp_path):
    from otelgo.resources import private_dir

    kept = private_dir(tmp_path / "cache" / "otelgo" / "toolids")
    tool = _version_tool(tmp_path)
    _version(tmp_path, tool, "-V=full")
    (kept_file,) = kept.iterdir()
    whole = kept_file.read_bytes()
    for n, damaged in enumerate((b"12\nnot the key at all", whole[: whole.index(b"\n") + 10], b""), start=2):
        kept_file.write_bytes(damaged)
        proc, runs = _version(tmp_path, tool, "-V=full")
        assert (proc.stdout, runs) == ("compile version go1.26.8 otelgo-abc123\n", n)


def test_a_tool_named_without_a_directory_is_looked_for_on_path(tmp_path):
    """The go command asks `gcc -### -x c -c -` for the C compiler's ID
    through -toolexec, naming it as CC does: found on PATH, as by a shell."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    gcc = bindir / "mycc"
    gcc.write_text('#!/bin/sh\necho "mycc $*"\n')
    gcc.chmod(0o755)
    proc = subprocess.run(
        [sys.executable, "-I", "-S", str(SHIM), "mycc", "-###", "-x", "c", "-c", "-"],
        capture_output=True,
        text=True,
        env={"OTELGO_PLAN": str(_plan(tmp_path)), "PATH": f"{bindir}:/usr/bin:/bin"},
    )
    assert (proc.returncode, proc.stdout) == (0, "mycc -### -x c -c -\n"), proc.stderr


# --- the native shim: what shim.py does, without an interpreter ---------------


@pytest.fixture(scope="module")
def native() -> str:
    binary = toolexec_command()
    assert Path(binary).name == "otelgo-shim", f"the native shim was not built: {binary}"
    return binary


def _native(native, tmp_path, *args, packages=None, env=None):
    plan = _plan(tmp_path, packages)
    progress = tmp_path / "progress"
    proc = subprocess.run(
        [native, *args],
        capture_output=True,
        text=True,
        env={
            "OTELGO_PLAN": str(plan),
            "OTELGO_PROGRESS": str(progress),
            "XDG_CACHE_HOME": str(tmp_path / "cache"),
            "PATH": os.environ["PATH"],
            **(env or {}),
        },
    )
    return proc, progress.read_text() if progress.exists() else ""


def test_native_shim_execs_an_unmatched_compile_without_its_marker(native, tmp_path):
    compile_ = tmp_path / "compile"
    compile_.symlink_to("/bin/echo")
    args = ["-p", "example.com/x", "-otelgo.rules=ab12", "-o", "x.a", "a.go"]
    proc, progress = _native(native, tmp_path, str(compile_), *args, packages={"net/http": {}})
    assert (proc.returncode, proc.stdout) == (0, "-p example.com/x -o x.a a.go\n"), proc.stderr
    assert progress == "c example.com/x\n"


def test_native_shim_execs_other_tools_untouched_and_finds_them_on_path(native, tmp_path):
    proc, progress = _native(native, tmp_path, "/bin/echo", "-o", "out", "-p", "net/http", "-otelgo.rules=x")
    assert proc.stdout == "-o out -p net/http -otelgo.rules=x\n"  # not a compile: nothing removed
    assert progress == ""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "mycc").write_text('#!/bin/sh\necho "mycc $*"\n')
    (bindir / "mycc").chmod(0o755)
    proc, _ = _native(native, tmp_path, "mycc", "-###", "-x", "c", env={"PATH": f"{bindir}:/usr/bin:/bin"})
    assert (proc.returncode, proc.stdout) == (0, "mycc -### -x c\n"), proc.stderr


def test_native_shim_hands_matched_compiles_and_response_files_to_python(native, tmp_path):
    compile_ = tmp_path / "compile"
    compile_.symlink_to("/bin/echo")
    hit = {"example.com/hit": {"version": "v1.0.0", "digest": "d", "rules": []}}
    proc, progress = _native(native, tmp_path, str(compile_), "-p", "example.com/hit", "missing.go", packages=hit)
    assert progress == "i example.com/hit\n"  # written by shim.py's slow path
    assert "example.com/hit compiled without instrumentation" in proc.stderr
    rsp = tmp_path / "args"
    rsp.write_text("-p\nexample.com/nothing\na.go\n")
    (tmp_path / "progress").unlink()
    proc, progress = _native(native, tmp_path, str(compile_), f"@{rsp}", packages=hit)
    assert (proc.stdout, progress) == (f"@{rsp}\n", "c example.com/nothing\n")


@pytest.mark.parametrize(
    "line, answer",
    [
        ("compile version go1.26.8", "compile version go1.26.8 otelgo-abc123\n"),
        (
            "compile version devel go1.27-abc Tue buildID=xyz",
            "compile version devel go1.27-abc Tue buildID=xyz-otelgo-abc123\n",
        ),
    ],
)
def test_native_shim_answers_version_from_the_kept_answer(native, tmp_path, line, answer):
    """shim.py keeps the tool's answer; the native shim finds it under the
    same key and answers without running the tool. A different GO* setting
    is another key: the native shim hands over, and the tool runs."""
    from otelgo.resources import private_dir

    private_dir(tmp_path / "cache" / "otelgo" / "toolids")
    tool = _version_tool(tmp_path, line)
    env = {"GOEXPERIMENT": "", "GOFLAGS": "-x"}
    _, runs = _version(tmp_path, tool, "-V=full", env=env)  # shim.py: runs the tool, keeps its answer
    assert runs == 1
    proc, _ = _native(native, tmp_path, str(tool), "-V=full", env=env)
    assert (proc.returncode, proc.stdout) == (0, answer), proc.stderr
    assert len((tmp_path / "runs").read_text().splitlines()) == 1  # the tool did not run
    proc, _ = _native(native, tmp_path, str(tool), "-V=full", env={**env, "GOEXPERIMENT": "nogreenteagc"})
    assert proc.stdout == answer
    assert len((tmp_path / "runs").read_text().splitlines()) == 2
    for kept in (tmp_path / "cache" / "otelgo" / "toolids").iterdir():
        kept.write_bytes(b"12\nnot the key at all")
    proc, _ = _native(native, tmp_path, str(tool), "-V=full", env=env)  # damaged: handed over, asked again
    assert proc.stdout == answer
    assert len((tmp_path / "runs").read_text().splitlines()) == 3


# --- the native shim and the otel process's splice service (toolexec/service.py)


@pytest.fixture
def answering(tmp_path):
    """A socket that answers every request with the given bytes, and keeps
    what it was asked."""
    import socket
    import threading

    asked: list[bytes] = []

    def start(reply: bytes) -> str:
        path = tmp_path / "s.sock"
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(path))
        listener.listen(1)

        def serve():
            conn, _ = listener.accept()
            with conn:
                data = b""
                while chunk := conn.recv(4096):
                    data += chunk
                asked.append(data)
                conn.sendall(reply)
            listener.close()

        threading.Thread(target=serve, daemon=True).start()
        return str(path)

    start.asked = asked
    return start


def test_native_shim_compiles_with_the_arguments_the_otel_process_answers(native, tmp_path, answering):
    compile_ = tmp_path / "compile"
    compile_.symlink_to("/bin/echo")
    hit = {"example.com/hit": {"version": "v1.0.0", "digest": "d", "rules": []}}
    sock = answering(b"ok\0otel: a warning\n\0-p\0example.com/hit\0spliced.go\0\0")
    args = ["-p", "example.com/hit", "-otelgo.rules=ab12", "a.go"]
    proc, progress = _native(native, tmp_path, str(compile_), *args, packages=hit, env={"OTELGO_SPLICER": sock})
    assert (proc.returncode, proc.stdout) == (0, "-p example.com/hit spliced.go \n"), proc.stderr
    assert proc.stderr == "otel: a warning\n"
    assert progress == "i example.com/hit\n"
    # Asked with the package, the directory and the arguments less the marker.
    assert answering.asked == [b"example.com/hit\0" + os.fsencode(Path.cwd()) + b"\0-p\0example.com/hit\0a.go\0"]


@pytest.mark.parametrize("reply", [b"no\0it broke\0", b"ok\0truncated", b""])
def test_native_shim_hands_over_to_python_without_a_whole_answer(native, tmp_path, answering, reply):
    compile_ = tmp_path / "compile"
    compile_.symlink_to("/bin/echo")
    hit = {"example.com/hit": {"version": "v1.0.0", "digest": "d", "rules": []}}
    sock = answering(reply)
    env = {"OTELGO_SPLICER": sock}
    proc, progress = _native(
        native, tmp_path, str(compile_), "-p", "example.com/hit", "missing.go", packages=hit, env=env
    )
    assert progress == "i example.com/hit\n"  # written by shim.py's slow path
    assert "example.com/hit compiled without instrumentation" in proc.stderr
    assert proc.stdout == "-p example.com/hit missing.go\n"
    # No socket there at all: the same.
    (tmp_path / "progress").unlink()
    env = {"OTELGO_SPLICER": str(tmp_path / "nothing.sock")}
    proc, progress = _native(
        native, tmp_path, str(compile_), "-p", "example.com/hit", "missing.go", packages=hit, env=env
    )
    assert (progress, proc.stdout) == ("i example.com/hit\n", "-p example.com/hit missing.go\n")
