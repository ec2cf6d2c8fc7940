"""Helpers for tests that build and run Go programs.

conftest.py turns these into fixtures; they live here so that they are
plain functions a test module can also import.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
TESTDATA = REPO_ROOT / "testdata"

# A cold instrumented build compiles the standard library under a new tool
# ID; on CI's 2 cores that takes minutes, so the bound is generous. It only
# exists so that a hung build fails instead of blocking the run.
BUILD_TIMEOUT = 900


def find_go() -> str:
    go = shutil.which("go")
    if go is None:
        raise RuntimeError("the go command is not on PATH")
    return go


def clean_env(extra: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """os.environ without OTEL_* and OTELGO_* settings of whoever runs the
    tests (they would change what the programs export), plus `extra`; a
    value of None removes the variable. GOCACHE/GOMODCACHE are left alone:
    all builds share the default caches."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "OTELGO_"))}
    for k, v in (extra or {}).items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def otel_go(*args: str, cwd: Path | str, env: Mapping[str, str | None] | None = None) -> subprocess.CompletedProcess:
    """Run `python -m otelgo go ARGS` in cwd, output captured."""
    return otel("go", *args, cwd=cwd, env=env)


def otel(*args: str, cwd: Path | str, env: Mapping[str, str | None] | None = None) -> subprocess.CompletedProcess:
    """Run `python -m otelgo ARGS` in cwd, output captured."""
    full_env = clean_env(env)
    # The otelgo package is found from the checkout even when it is not
    # installed into the interpreter (cwd is the Go module, not the repo).
    full_env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), full_env.get("PYTHONPATH", "")) if p)
    return subprocess.run(
        [sys.executable, "-m", "otelgo", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,  # callers look at the result; check_build() fails with output
    )


def go(*args: str, cwd: Path | str, env: Mapping[str, str | None] | None = None) -> subprocess.CompletedProcess:
    """Run the plain go command, `go ARGS`, in cwd, output captured."""
    return subprocess.run(
        [find_go(), *args],
        cwd=cwd,
        env=clean_env(env),
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,  # callers look at the result; check_build() fails with output
    )


def otel_build(
    module_dir: Path | str, *args: str, env: Mapping[str, str | None] | None = None
) -> subprocess.CompletedProcess:
    """Run `python -m otelgo go build ARGS` in module_dir, output captured."""
    return otel_go("build", *args, cwd=module_dir, env=env)


def go_build(
    module_dir: Path | str, *args: str, env: Mapping[str, str | None] | None = None
) -> subprocess.CompletedProcess:
    """Run plain `go build ARGS` in module_dir, output captured."""
    return go("build", *args, cwd=module_dir, env=env)


def check_build(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    """Fail the test with the build's own output when it failed."""
    if result.returncode != 0:
        raise AssertionError(
            f"build failed (exit {result.returncode}): {' '.join(map(str, result.args))}\n"
            f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        )
    return result


def build_program(out_dir: Path, module_dir: Path, *args: str) -> Path:
    """Build module_dir's main package with otel into out_dir, failing the
    test with the build's output on an error; the binary, named after the
    module's directory."""
    binary = out_dir / module_dir.name
    check_build(otel_build(module_dir, *args, "-o", str(binary), "."))
    return binary


@dataclass
class BuildInfo:
    """What `go version -m` says of a binary."""

    modules: dict[str, str]  # dependency module path -> version ("\tdep\tPATH\tVERSION\tSUM")
    replaced: dict[str, str]  # module path -> the directory or module replacing it (the "\t=>\tNEW" line after it)
    settings: dict[str, str]  # build setting -> value ("\tbuild\t-tags=a,b")


def build_info(binary: Path | str) -> BuildInfo:
    proc = go("version", "-m", str(binary), cwd=Path(binary).parent)
    assert proc.returncode == 0, proc.stderr
    info, last = BuildInfo({}, {}, {}), None
    for fields in (line.split("\t") for line in proc.stdout.splitlines()[1:]):
        if len(fields) > 3 and fields[1] == "dep":
            info.modules[fields[2]] = fields[3]
            last = fields[2]
        elif len(fields) > 2 and fields[1] == "=>" and last:
            info.replaced[last] = fields[2]
        elif len(fields) > 2 and fields[1] == "build":
            key, _, value = fields[2].partition("=")
            info.settings[key] = value
    return info


def free_port() -> int:
    """A port that was free a moment ago. Also serves as a port where
    nothing listens (for 'collector down' tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen | None = None, timeout: float = 20.0) -> None:
    """Wait until 127.0.0.1:port accepts connections (or the process dies)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise AssertionError(f"process exited with {proc.returncode} before listening")
        with contextlib.suppress(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        time.sleep(0.05)
    raise AssertionError(f"nothing listened on port {port} within {timeout}s")


@dataclass
class Program:
    """A running (then finished) program. Output goes to files, not pipes,
    so a chatty program can never block on a full pipe."""

    proc: subprocess.Popen
    port: int | None
    stdout_path: Path
    stderr_path: Path
    returncode: int | None = None

    @property
    def addr(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def wait_for_output(self, text: str, timeout: float = 15.0) -> None:
        """Wait until `text` appears on stdout or stderr."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.stdout or text in self.stderr:
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        if text in self.stdout or text in self.stderr:
            return
        raise AssertionError(
            f"{text!r} not printed (exit {self.proc.poll()}); stdout:\n{self.stdout}\nstderr:\n{self.stderr}"
        )

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        """Send `sig` if still running, wait (bounded), then kill. Returns the
        exit code (negative for death by signal, as subprocess reports it)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(
                    f"process did not exit within {timeout}s of signal {sig}; killed.\nstderr:\n{self.stderr}"
                ) from None
        self.returncode = self.proc.returncode
        return self.returncode

    def wait(self, timeout: float = 15.0) -> int:
        """Wait for the program to exit by itself (bounded)."""
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(
                f"process did not exit within {timeout}s; killed.\nstdout:\n{self.stdout}\nstderr:\n{self.stderr}"
            ) from None
        return self.returncode


_run_counter = iter(range(1_000_000))


@contextlib.contextmanager
def run_program(
    binary: Path | str,
    args: Sequence[str] = (),
    env: Mapping[str, str | None] | None = None,
    *,
    listen: bool = True,
    output_dir: Path | None = None,
    port_timeout: float = 20.0,
    stop_signal: int = signal.SIGTERM,
) -> Iterator[Program]:
    """Start `binary`; with listen=True give it ADDR=127.0.0.1:<free port>
    and wait until that port accepts connections. On exit from the block
    the program gets `stop_signal` (if still running) and is waited for."""
    binary = Path(binary)
    output_dir = Path(output_dir or binary.parent)
    n = next(_run_counter)
    out = output_dir / f"{binary.name}.{n}.stdout"
    err = output_dir / f"{binary.name}.{n}.stderr"
    full_env = clean_env(env)
    port = None
    if listen:
        port = free_port()
        full_env["ADDR"] = f"127.0.0.1:{port}"
    with open(out, "wb") as o, open(err, "wb") as e:
        proc = subprocess.Popen(
            [str(binary), *args],
            env=full_env,
            stdout=o,
            stderr=e,
            stdin=subprocess.DEVNULL,
        )
    prog = Program(proc, port, out, err)
    try:
        if listen:
            try:
                wait_for_port(port, proc, port_timeout)
            except AssertionError as exc:
                raise AssertionError(f"{binary.name}: {exc}\nstderr:\n{prog.stderr}") from None
        yield prog
    except BaseException:
        # Stop the program but let the test's own failure be the one reported.
        with contextlib.suppress(AssertionError):
            prog.stop(stop_signal)
        raise
    else:
        prog.stop(stop_signal)


def assert_hello_traced(binary: Path, receiver) -> None:
    """testdata/hello, built instrumented, calls itself once: a CLIENT span
    and the SERVER span of its route under it reach the receiver."""
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.http_endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}
    with run_program(binary, env=env, listen=False) as prog:
        assert prog.wait() == 0, prog.stderr
    spans = receiver.wait_for_spans(lambda s: {"CLIENT", "SERVER"} <= {x.kind for x in s})
    server = next(s for s in spans if s.kind == "SERVER")
    client = next(s for s in spans if s.kind == "CLIENT")
    assert server.parent_span_id == client.span_id and server.name == "GET /hello/{name}"


# --- a plain HTTP target that records what it receives ----------------------


@dataclass
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]  # lowercased names


@dataclass
class TargetServer:
    """A small HTTP server on loopback answering every GET with 200 "pong"
    (or `status`), recording requests (e.g. to see an injected traceparent)."""

    status: int = 200
    requests: list[ReceivedRequest] = field(default_factory=list)

    def __enter__(self) -> TargetServer:
        target = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                target.requests.append(
                    ReceivedRequest(
                        "GET",
                        self.path,
                        {k.lower(): v for k, v in self.headers.items()},
                    )
                )
                body = b"pong"
                self.send_response(target.status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"


# --- source tree snapshots ---------------------------------------------------


def tree_snapshot(root: Path) -> dict[str, str]:
    """relative path -> sha256 of every file under root (directories are
    implied by the paths; empty ones are recorded with the value 'dir')."""
    snap = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root)
        if not dirnames and not filenames:
            snap[str(rel_dir) + "/"] = "dir"
        for name in filenames:
            path = Path(dirpath) / name
            snap[str(rel_dir / name)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return snap


def diff_snapshots(before: dict[str, str], after: dict[str, str]) -> str:
    """Human-readable difference, empty when the trees are identical."""
    lines = [f"added: {p}" for p in sorted(after.keys() - before.keys())]
    lines += [f"removed: {p}" for p in sorted(before.keys() - after.keys())]
    lines += [f"changed: {p}" for p in sorted(before.keys() & after.keys()) if before[p] != after[p]]
    return "\n".join(lines)


def line_of(path: Path, needle: str) -> int:
    """1-based number of the only line of `path` containing `needle`, so
    tests never hard-code line numbers of the Go sources they check."""
    hits = [i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line]
    assert len(hits) == 1, f"{needle!r} occurs on lines {hits} of {path}"
    return hits[0]


# --- otel view ----------------------------------------------------------------


def view_env() -> dict[str, str]:
    """The environment `otel view` runs in for tests: a UTF-8 locale, colour
    and width left to the terminal, otelgo from this checkout."""
    env = clean_env({"LANG": "C.UTF-8", "NO_COLOR": None, "COLUMNS": None})
    env["PYTHONPATH"] = str(REPO_ROOT)
    return env


def view_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "otelgo", "view", *args]
