"""The -toolexec entry point in Python: `python -I -S shim.py TOOL ARGS...`.

The native shim (native/shim.go) runs first and hands over what its fast
path does not do; where it cannot be built, the go command starts this for
every tool action, hundreds of times in a cold build. A script is compiled afresh at each start (only imported modules
have cached bytecode), so this file holds the fast path alone: it reads the
plan's plain-text index (protocol.py) and execs the real tool. Everything
else -- -V=full, response files, instrumented compiles -- is in slowpath.py.
"""

import os
import sys

# -I leaves the script's own folder off the path: otelgo's parent goes first.
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from otelgo.toolexec import protocol  # noqa: E402


def main(argv):
    if len(argv) < 2:
        sys.stderr.write("otelgo shim: run by `go build -toolexec`, not by hand\n")
        return 2
    tool, args = argv[1], argv[2:]
    pkg = None if "-V=full" in args or protocol.is_cover(tool) else protocol.compiled_package(tool, args)
    if pkg is None or pkg and protocol.is_matched(pkg):
        from otelgo.toolexec import slowpath

        return slowpath.main(argv)
    if pkg:
        protocol.progress("c", pkg)
        # A test's main package is keyed through the -gcflags of the package
        # under test, which then carries a marker too.
        args = protocol.without_markers(args)
    protocol.exec_tool(tool, args)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
