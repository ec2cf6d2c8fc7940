"""The tool actions the shim's fast path hands over: answering -V=full,
compiles whose arguments are in a response file, and compiles of packages a
rule matched. Imported by shim.py only when needed, so that it is loaded
from cached bytecode and the fast path never pays for it.
"""

import os
import sys

from otelgo.toolexec import protocol


def main(argv):
    tool, args = argv[1], argv[2:]
    if "-V=full" in args:
        return _version(tool, args)
    if protocol.is_cover(tool):
        return _cover(tool, args)
    expanded = protocol.expand_response_files(args)
    pkg = protocol.compiled_package(tool, expanded)
    if pkg:
        matched = protocol.is_matched(pkg)
        protocol.progress("i" if matched else "c", pkg)
        if matched:
            return _compile_instrumented(pkg, tool, protocol.without_markers(expanded))
    protocol.exec_tool(tool, args)  # a response file stays one: the command line may be too long without


def _compile_instrumented(pkg, tool, args):
    # The shim runs with -S: the interpreter's site-packages (tree-sitter,
    # jinja2) join the path only here, where they are needed.
    import site

    site.main()
    from otelgo.toolexec.compile import compile_instrumented

    return compile_instrumented(protocol.read_plan(), pkg, tool, args)


def _version(tool, args):
    """Answer -V=full with the tool's own line plus the instrumentation token.

    The go command keys its build cache on this line, so instrumented builds
    get cache entries of their own and a plain `go build` never sees them.
    """
    out = _tool_version(tool, args)
    if isinstance(out, int):
        return out
    line = out.decode().rstrip("\n")
    token = "otelgo-" + protocol.token()
    fields = line.split()
    if fields and fields[-1].startswith("buildID="):
        # Devel toolchains: the go command takes only this last field as the ID.
        fields[-1] += "-" + token
        line = " ".join(fields)
    else:
        line = line + " " + token
    sys.stdout.write(line + "\n")
    return 0


def _tool_version(tool, args):
    """The tool's own -V=full line (bytes), or its exit status when it failed
    (what it printed is passed on). The go command asks it of every tool at
    the start of every build, one after another, and the tool's answer
    depends only on the tool's binary and the GO* settings it reads
    (GOEXPERIMENT, GOOS, GOARCH...): it is kept in otelgo's cache
    (protocol.toolid_cache) under all of those, so that a rebuild runs no
    tool for it."""
    key = protocol.toolid_key(tool, args)
    cached = protocol.toolid_cache(key)
    if cached is not None:
        return cached
    import subprocess

    proc = subprocess.run([tool, *args], stdout=subprocess.PIPE)
    if proc.returncode != 0:
        sys.stdout.buffer.write(proc.stdout)
        return proc.returncode
    protocol.toolid_store(key, proc.stdout)
    return proc.stdout


def _cover(tool, args):
    """-cover and -coverpkg: the go command gives the cover tool the paths
    of the package's files on disk, also of those the -overlay adds or
    replaces, which the tool then cannot open or reads as they are on disk.
    A file the overlay replaces is given to it by its replacement; a file
    otelgo adds (the rules stamp, the bootstrap) is left out of coverage:
    copied as it is to the output the go command expects for it."""
    import shutil

    overlay = protocol.read_overlay()
    listfile = protocol.flag(args, "-outfilelist")
    inputs = protocol.go_files(args)
    if not overlay or listfile is None or not inputs or not any(args[i] in overlay for i in inputs):
        protocol.exec_tool(tool, args)
    with open(listfile) as f:
        outputs = f.read().splitlines()
    if len(outputs) != len(inputs) + 1:
        protocol.exec_tool(tool, args)  # not the protocol this was written for: let the tool say so
    kept_in, kept_out = [], [outputs[0]]  # the first output holds the counters
    for i, out in zip(inputs, outputs[1:], strict=True):
        replacement = overlay.get(args[i])
        if replacement is not None and os.path.basename(args[i]).startswith("otelgo_"):
            shutil.copyfile(replacement, out)
            continue
        kept_in.append(replacement or args[i])
        kept_out.append(out)
    with open(listfile + ".otelgo", "w") as f:
        f.write("".join(line + "\n" for line in kept_out))
    flags = [listfile + ".otelgo" if a == listfile else a for a in args[: inputs[0]]]
    flags = [f"-outfilelist={listfile}.otelgo" if a == f"-outfilelist={listfile}" else a for a in flags]
    protocol.exec_tool(tool, [*flags, *kept_in])
