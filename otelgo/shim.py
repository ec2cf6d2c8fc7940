"""The -toolexec entry point: `python -I -S shim.py TOOL ARGS...`.

The go command starts this once per tool action, hundreds of times in a cold
build, so it imports nothing beyond the standard library and execs the real
tool at once unless the action compiles a package that a rule matched. Only
then does it load the splicer (tree-sitter, jinja2) from the plan's sys.path.

Per-build state comes from the plan file named by OTELGO_PLAN; the
-toolexec string itself never changes between builds.
"""

import os
import sys

PLAN_ENV = "OTELGO_PLAN"
PROGRESS_ENV = "OTELGO_PROGRESS"


def _progress(mark, pkg):
    """One line per compile for the progress display, when there is one."""
    path = os.environ.get(PROGRESS_ENV)
    if path:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.write(fd, f"{mark} {pkg}\n".encode())
        os.close(fd)


def _load_plan():
    import json

    with open(os.environ[PLAN_ENV], "rb") as f:
        return json.load(f)


def _tool_name(tool):
    name = os.path.basename(tool)
    return name[:-4] if name.endswith(".exe") else name


def _version(tool, args):
    """Answer -V=full with the tool's own line plus the instrumentation token.

    The go command keys its build cache on this line, so instrumented builds
    get cache entries of their own and a plain `go build` never sees them.
    """
    import subprocess

    proc = subprocess.run([tool, *args], stdout=subprocess.PIPE)
    if proc.returncode != 0:
        sys.stdout.buffer.write(proc.stdout)
        return proc.returncode
    line = proc.stdout.decode().rstrip("\n")
    token = "otelgo-" + _load_plan()["token"]
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


def _import_path(args):
    args = expand_response_files(args)
    for i, arg in enumerate(args):
        if arg == "-p" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("-p="):
            return arg[3:]
    return None


def main(argv):
    if len(argv) < 2:
        sys.stderr.write("otelgo shim: run by `go build -toolexec`, not by hand\n")
        return 2
    tool, args = argv[1], argv[2:]
    if "-V=full" in args:
        return _version(tool, args)
    if _tool_name(tool) == "compile":
        pkg = _import_path(args)
        if pkg is not None:
            plan = _load_plan()
            _progress("i" if pkg in plan["packages"] else "c", pkg)
            if pkg in plan["packages"]:
                sys.path[:0] = plan["python_path"]
                from otelgo.compile import compile_instrumented

                return compile_instrumented(plan, pkg, tool, args)
    os.execv(tool, [tool, *args])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
