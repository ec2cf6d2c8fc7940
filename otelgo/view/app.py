"""`otel view`: receive OTLP on localhost and show each finished trace.

Wires the receivers (receiver.py) to the trace assembler
(traces.py) and prints what it finishes, as trees (render.py) or
as JSON lines. With a command, runs it pointed at the receivers and stops
once it has exited and its traces are shown: a demo needs no second
terminal and no guess at when the receiver is listening.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console

from otelgo.view.receiver import HOST, ReceiverError, Receivers
from otelgo.view.render import render_trace
from otelgo.view.traces import Trace, TraceAssembler, trace_to_json

# How often the loop looks whether the command has exited.
POLL_SECONDS = 0.2
# How long a command gets to exit after SIGTERM before it is killed.
STOP_SECONDS = 10.0


@dataclass(frozen=True)
class ViewOptions:
    http_port: int = 4318
    grpc_port: int = 4317  # 0: no gRPC receiver
    traces: int | None = None  # exit after this many traces
    idle: float = 1.0
    json: bool = False
    command: tuple[str, ...] = ()
    host: str = HOST  # where the receivers listen: loopback unless told otherwise


class _CommandError(Exception):
    """The command could not be started."""


class _Stop(Exception):
    """SIGTERM: stop like on Ctrl-C, showing what has arrived."""


def run(opts: ViewOptions) -> int:
    assembler = TraceAssembler(opts.idle)
    receivers = Receivers(opts.http_port, opts.grpc_port, assembler.add, opts.host)
    try:
        receivers.start()
    except ReceiverError as e:
        _say(f"otel: {e}")
        return 1
    signal.signal(signal.SIGTERM, _raise_stop)
    _announce(receivers)
    show = _Printer(opts.json)
    proc = None
    try:
        if opts.command:
            proc = _start_command(opts.command, receivers.http_port)
        _loop(assembler, show, opts.traces, proc)
    except (KeyboardInterrupt, _Stop):
        for trace in assembler.take_all()[: _left(opts.traces, show.count)]:
            show(trace)
    except _CommandError as e:
        _say(f"otel: {e}")
        return 127
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM ends the viewer at once
        code = _command_status(proc)
        _stop_command(proc)
        receivers.close()
    return code


def _loop(assembler: TraceAssembler, show: _Printer, limit: int | None, proc: subprocess.Popen | None) -> None:
    while True:
        for trace in assembler.take_finished()[: _left(limit, show.count)]:
            show(trace)
        if _left(limit, show.count) <= 0:
            return
        if proc is not None and proc.poll() is not None and assembler.quiet_for() >= assembler.idle:
            # The command has exited and flushed: what is pending now is all
            # there will be, root or not.
            for trace in assembler.take_all()[: _left(limit, show.count)]:
                show(trace)
            return
        assembler.wait(POLL_SECONDS if proc is not None else 3600)


def _left(limit: int | None, shown: int) -> int:
    return sys.maxsize if limit is None else limit - shown


def _raise_stop(signum, frame) -> None:
    raise _Stop


class _Printer:
    """Prints traces on stdout, as trees or as JSON lines, and counts them."""

    def __init__(self, as_json: bool):
        self.as_json = as_json
        self.count = 0
        self._console = Console(highlight=False)

    def __call__(self, trace: Trace) -> None:
        if self.as_json:
            print(json.dumps(trace_to_json(trace)), flush=True)
        else:
            self._console.print(render_trace(trace, self._console.width))
            self._console.print()
        self.count += 1


def _announce(receivers: Receivers) -> None:
    # Short enough for 80 columns with both ports of five digits.
    host = f"[{receivers.host}]" if ":" in receivers.host else receivers.host
    where = f"http://{host}:{receivers.http_port} (OTLP/HTTP)"
    if receivers.grpc_port:
        where += f" and :{receivers.grpc_port} (gRPC)"
    _say(f"otel view: listening on {where}")


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


# --- the command run under the viewer -------------------------------------------------


def _start_command(command: Sequence[str], http_port: int) -> subprocess.Popen:
    env = dict(os.environ)
    # Signal-specific settings would win over the general ones set below.
    for name in ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"):
        env.pop(name, None)
    env.update(
        OTEL_TRACES_EXPORTER="otlp",
        OTEL_EXPORTER_OTLP_ENDPOINT=f"http://{HOST}:{http_port}",
        OTEL_EXPORTER_OTLP_PROTOCOL="http/protobuf",
    )
    try:
        return subprocess.Popen(list(command), env=env)
    except OSError as e:
        raise _CommandError(f"cannot run {command[0]}: {e.strerror or e}") from None


def _command_status(proc: subprocess.Popen | None) -> int:
    """The viewer's exit status: the command's, shell style, when it has
    exited by itself; 0 when there is none or the viewer is stopping it."""
    if proc is None or proc.poll() is None:
        return 0
    return proc.returncode if proc.returncode >= 0 else 128 - proc.returncode


def _stop_command(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
