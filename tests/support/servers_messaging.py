"""Real message brokers for the messaging library tests, each started once
per session on a free loopback port in a directory of its own and stopped
at its end:

- Kafka: franz-go's kfake package (a Kafka protocol implementation) run as
  its own process, the small main in testdata/kfake built with go build;
- NATS: nats-server (the Go module github.com/nats-io/nats-server/v2)
  installed with go install into the session's directory, with JetStream;
- RabbitMQ: rabbitmq-server from Debian's package (tests/install-services.sh
  installs it), with a node name, Erlang cookie, epmd port and data
  directory of its own, run as the package's rabbitmq user when the tests
  run as root.

The Go builds go through the shared GOCACHE: the first session compiles,
later ones link. A test never skips for want of a broker: the fixture
fails and says why.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from harness import TESTDATA, clean_env, find_go, free_port, wait_for_port
from services import Server, _stop

NATS_SERVER = "github.com/nats-io/nats-server/v2@v2.15.3"
RABBITMQ_SCRIPTS = Path("/usr/lib/rabbitmq/bin")
GO_BUILD_TIMEOUT = 900


def _go(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    """Run a go command; fail the test with its output when it fails."""
    result = subprocess.run(
        [find_go(), *args],
        cwd=cwd,
        env=clean_env(env),
        capture_output=True,
        text=True,
        timeout=GO_BUILD_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"go {' '.join(args)} failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")


def _start(args: list[str], workdir: Path, name: str, port: int, timeout: float, **popen) -> subprocess.Popen:
    log = open(workdir / f"{name}.log", "wb")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, **popen)
    log.close()
    try:
        wait_for_port(port, proc, timeout)
    except AssertionError as e:
        _stop(proc)
        tail = (workdir / f"{name}.log").read_text(errors="replace")[-4000:]
        pytest.fail(f"{name} did not start: {e}\n--- {name}.log (end)\n{tail}")
    return proc


@contextlib.contextmanager
def kfake_server(workdir: Path):
    binary = workdir / "kfake"
    _go(["build", "-o", str(binary), "."], TESTDATA / "kfake")
    port = free_port()
    proc = _start([str(binary)], workdir, "kfake", port, 30, env=clean_env({"KFAKE_PORT": str(port)}))
    try:
        yield Server("kafka", port, f"127.0.0.1:{port}", proc)
    finally:
        _stop(proc)


@contextlib.contextmanager
def nats_server(workdir: Path):
    bindir = workdir / "bin"
    _go(["install", NATS_SERVER], workdir, {"GOBIN": str(bindir), "GOFLAGS": "-buildvcs=false"})
    port = free_port()
    store = workdir / "jetstream"
    args = [str(bindir / "nats-server"), "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(store)]
    proc = _start(args, workdir, "nats-server", port, 30)
    try:
        yield Server("nats", port, f"nats://127.0.0.1:{port}", proc)
    finally:
        _stop(proc)


def _need_rabbitmq() -> Path:
    server = RABBITMQ_SCRIPTS / "rabbitmq-server"
    if not server.exists() or shutil.which("erl") is None:
        pytest.fail(
            f"{server} or erl not found: install the Debian package rabbitmq-server (tests/install-services.sh does)"
        )
    return server


@contextlib.contextmanager
def rabbitmq_server(workdir: Path):
    """rabbitmq-server in the foreground with everything of its own: node
    name, HOME (so its Erlang cookie), an epmd on a free port (killed at the
    end: epmd outlives the node), data, logs and an empty plugin list. As
    root it runs as the package's rabbitmq user (the Erlang cookie must be
    its own), in a directory that user owns."""
    server = _need_rabbitmq()
    # Popen's user/group (not a preexec_fn): brokers start in threads.
    demote = {}
    if os.geteuid() == 0:
        demote = {"user": "rabbitmq", "group": "rabbitmq", "extra_groups": []}
        # pytest's temp dirs are closed to other users.
        workdir = Path(tempfile.mkdtemp(prefix="otelgo-rabbitmq-"))
        workdir.chmod(0o755)
        shutil.chown(workdir, "rabbitmq", "rabbitmq")
    port, dist_port, epmd_port = free_port(), free_port(), free_port()
    plugins = workdir / "enabled_plugins"
    plugins.write_text("[].\n")
    if demote:
        shutil.chown(plugins, "rabbitmq", "rabbitmq")
    node = f"otelgo{port}@localhost"
    env = clean_env(
        {
            "HOME": str(workdir),
            "RABBITMQ_NODENAME": node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(port),
            "RABBITMQ_DIST_PORT": str(dist_port),
            "ERL_EPMD_PORT": str(epmd_port),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "RABBITMQ_MNESIA_BASE": str(workdir / "mnesia"),
            "RABBITMQ_LOG_BASE": str(workdir / "log"),
            "RABBITMQ_LOGS": "-",  # to the process's output, which _start keeps
            "RABBITMQ_PID_FILE": str(workdir / "rabbitmq.pid"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(plugins),
            "RABBITMQ_PLUGINS_EXPAND_DIR": str(workdir / "plugins-expand"),
            "RABBITMQ_CONFIG_FILE": str(workdir / "rabbitmq"),  # none: the defaults
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(workdir / "advanced.config"),
            "RABBITMQ_CONF_ENV_FILE": str(workdir / "rabbitmq-env.conf"),
        }
    )
    proc = None
    try:
        # Boot takes 5-15 s on 2 busy cores; the AMQP listener opens last.
        proc = _start([str(server)], workdir, "rabbitmq", port, 120, env=env, cwd=workdir, **demote)
        yield Server("rabbitmq", port, f"amqp://guest:guest@127.0.0.1:{port}/", proc)
    finally:
        if proc is not None:
            _stop(proc)
        epmd = shutil.which("epmd")
        if epmd:
            subprocess.run(
                [epmd, "-port", str(epmd_port), "-kill"], capture_output=True, timeout=10, check=False, env=env
            )
        if demote:
            shutil.rmtree(workdir, ignore_errors=True)


class Brokers:
    """The session's brokers, each started in a thread of its own on first
    request: a test can ask for all of them, build its programs while they
    compile and boot, and then wait (RabbitMQ takes 10-45 s to boot, the Go
    servers a minute or more to compile on a cold cache)."""

    STARTERS = {"kafka": kfake_server, "nats": nats_server, "rabbitmq": rabbitmq_server}

    def __init__(self, tmp_path_factory):
        self._tmp = tmp_path_factory
        self._pool = ThreadPoolExecutor(max_workers=len(self.STARTERS), thread_name_prefix="broker")
        self._futures: dict[str, Future] = {}
        self._lock = threading.Lock()

    def start(self, *names: str) -> None:
        """Start the brokers named (those not started yet), in the background."""
        with self._lock:
            for name in names:
                if name not in self._futures:
                    self._futures[name] = self._pool.submit(self._enter, name)

    def _enter(self, name: str):
        cm = self.STARTERS[name](self._tmp.mktemp(name))
        return cm, cm.__enter__()

    def get(self, name: str) -> Server:
        """The broker, once it accepts connections; its failure to start
        fails the test."""
        self.start(name)
        return self._futures[name].result()[1]

    def close(self) -> None:
        for future in self._futures.values():
            with contextlib.suppress(BaseException):
                cm, _ = future.result()
                cm.__exit__(None, None, None)
        self._pool.shutdown(wait=True)


# Session fixtures, made available to every test by conftest.py.


@pytest.fixture(scope="session")
def brokers(tmp_path_factory) -> Brokers:
    started = Brokers(tmp_path_factory)
    try:
        yield started
    finally:
        started.close()


@pytest.fixture(scope="session")
def kafka(brokers) -> Server:
    return brokers.get("kafka")


@pytest.fixture(scope="session")
def nats(brokers) -> Server:
    return brokers.get("nats")


@pytest.fixture(scope="session")
def rabbitmq(brokers) -> Server:
    return brokers.get("rabbitmq")
