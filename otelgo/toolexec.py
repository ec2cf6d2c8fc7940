"""The tool actions the shim's fast path hands over: answering -V=full,
compiles whose arguments are in a response file, and compiles of packages a
rule matched. Imported by otelgo/shim.py only when needed, so that it is
loaded from cached bytecode and the fast path never pays for it.
"""

import os
import subprocess
import sys

from otelgo.shim import PLAN_ENV, _compiled_package, _progress, read_index


def main(argv):
    tool, args = argv[1], argv[2:]
    if "-V=full" in args:
        return _version(tool, args)
    pkg = _compiled_package(tool, expand_response_files(args))
    if pkg:
        matched = pkg in read_index().split("\n")[1:]
        _progress("i" if matched else "c", pkg)
        if matched:
            return _compile_instrumented(pkg, tool, args)
    os.execv(tool, [tool, *args])


def _compile_instrumented(pkg, tool, args):
    import json

    with open(os.environ[PLAN_ENV], "rb") as f:
        plan = json.load(f)
    sys.path[:0] = plan["python_path"]
    from otelgo.compile import compile_instrumented

    return compile_instrumented(plan, pkg, tool, args)


def _version(tool, args):
    """Answer -V=full with the tool's own line plus the instrumentation token.

    The go command keys its build cache on this line, so instrumented builds
    get cache entries of their own and a plain `go build` never sees them.
    """
    proc = subprocess.run([tool, *args], stdout=subprocess.PIPE)
    if proc.returncode != 0:
        sys.stdout.buffer.write(proc.stdout)
        return proc.returncode
    line = proc.stdout.decode().rstrip("\n")
    token = "otelgo-" + read_index().split("\n", 1)[0]
    fields = line.split()
    if fields and fields[-1].startswith("buildID="):
        # Devel toolchains: the go command takes only this last field as the ID.
        fields[-1] += "-" + token
        line = " ".join(fields)
    else:
        line = line + " " + token
    sys.stdout.write(line + "\n")
    return 0


def expand_response_files(args):
    """Inline @file arguments, which the go command uses for long command lines.

    Each line of the file is one argument, with backslash and newline escaped.
    """
    if not any(a.startswith("@") for a in args):
        return args
    out = []
    for arg in args:
        if not arg.startswith("@"):
            out.append(arg)
            continue
        with open(arg[1:], encoding="utf-8") as f:
            out.extend(_decode_arg(line) for line in f.read().splitlines())
    return out


def _decode_arg(line):
    chars, i = [], 0
    while i < len(line):
        if line[i] == "\\" and i + 1 < len(line):
            chars.append("\n" if line[i + 1] == "n" else line[i + 1])
            i += 2
        else:
            chars.append(line[i])
            i += 1
    return "".join(chars)
