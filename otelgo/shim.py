"""The -toolexec entry point: `python -I -S shim.py TOOL ARGS...`.

The go command starts this for every tool action, hundreds of times in a
cold build. A script is compiled afresh at each start (only imported modules
have cached bytecode), so this file holds the fast path alone: it imports
os and sys, reads the plan's plain-text index (INDEX_NAME beside the plan
file: the instrumentation token, then one import path a rule matched per
line) and execs the real tool. Everything else -- -V=full, response files,
instrumented compiles -- is in otelgo/toolexec.py.
"""

import os
import sys

PLAN_ENV = "OTELGO_PLAN"
PROGRESS_ENV = "OTELGO_PROGRESS"
INDEX_NAME = "packages.txt"


def read_index():
    with open(os.path.join(os.path.dirname(os.environ[PLAN_ENV]), INDEX_NAME)) as f:
        return f.read()


def _progress(mark, pkg):
    """One line per compile for the progress display, when there is one."""
    path = os.environ.get(PROGRESS_ENV)
    if path:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.write(fd, f"{mark} {pkg}\n".encode())
        os.close(fd)


def _compiled_package(tool, args):
    """The -p of a compile; "" for other tools, None when unsure (@file)."""
    name = os.path.basename(tool)
    if name not in ("compile", "compile.exe"):
        return ""
    for i, arg in enumerate(args):
        if arg == "-p" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("-p="):
            return arg[3:]
        if arg.startswith("@"):
            return None
    return ""


def _slow(argv):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from otelgo.toolexec import main

    return main(argv)


def main(argv):
    if len(argv) < 2:
        sys.stderr.write("otelgo shim: run by `go build -toolexec`, not by hand\n")
        return 2
    tool, args = argv[1], argv[2:]
    pkg = None if "-V=full" in args else _compiled_package(tool, args)
    if pkg is None:
        return _slow(argv)
    if pkg:
        # The index ends every line with "\n" and starts with the token line.
        if "\n" + pkg + "\n" in read_index():
            return _slow(argv)
        _progress("c", pkg)
    os.execv(tool, [tool, *args])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
