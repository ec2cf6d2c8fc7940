"""The toolexec protocol: everything planning and the shim agree on.

Planning writes, into the build dir, a plan file and its plain-text index,
and sets PLAN_ENV to the plan file's path for the go command, which hands
its environment to every tool action it runs through the shim:

  index (INDEX_NAME)  the instrumentation token on the first line, then one
                      import path a rule matched per line ("main" for every
                      program), each line ended by a newline. The shim reads
                      it for every compile: no json, no parsing.
  plan (PLAN_NAME)    JSON: {"otelgo": version, "token": ..., "goversion": ...,
                      "packages": {key: {"version": ..., "digest": ...,
                      "rules": [rule as a rule file spells it, all fields],
                      "key": "main" for a program's package listed under its
                      import path (compiled as a library: a plugin)}}}
                      read for the compile of a matched package only.
  PROGRESS_ENV        a file the shim appends "c PKG" or "i PKG" to for each
                      compile (i: instrumented), for the progress line.

A matched package's compile carries MARKER (via a -gcflags for that package)
when its directory is one the go command's -overlay may not add a file to:
the marker keys the package's cached compile on the rules applied to it, and
the shim removes it before the real compiler sees it.

A compile the splicer refuses is recorded by toolexec/refusals.py.
Standard library only: the shim's fast path imports this module.
"""

import os

PLAN_ENV = "OTELGO_PLAN"
PROGRESS_ENV = "OTELGO_PROGRESS"
PLAN_NAME = "plan.json"
INDEX_NAME = "packages.txt"
OVERLAY_NAME = "overlay.json"  # the -overlay planning writes beside the plan
MARKER = "-otelgo.rules="


def is_cover(tool):
    """The cover tool: the go command hands it the on-disk path of every
    source file, overlay or not (shim.py sends it to slowpath.py)."""
    return os.path.basename(tool) in ("cover", "cover.exe")


def read_overlay():
    """The build's -overlay as {file the go command sees: file with its content}, {} if none."""
    import json

    try:
        with open(os.path.join(os.path.dirname(os.environ[PLAN_ENV]), OVERLAY_NAME), "rb") as f:
            return json.load(f).get("Replace", {})
    except (OSError, ValueError, KeyError):
        return {}


def read_index():
    with open(os.path.join(os.path.dirname(os.environ[PLAN_ENV]), INDEX_NAME)) as f:
        return f.read()


def is_matched(pkg, index=None):
    # Every line ends with "\n" and the first one is the token.
    return "\n" + pkg + "\n" in (index if index is not None else read_index())


def token(index=None):
    return (index if index is not None else read_index()).split("\n", 1)[0]


def write_index(build_dir, token_, packages):
    with open(os.path.join(build_dir, INDEX_NAME), "w") as f:
        f.write("".join(f"{line}\n" for line in [token_, *packages]))


def write_plan(build_dir, plan):
    import json  # here: the shim's fast path never reads or writes the plan

    path = os.path.join(build_dir, PLAN_NAME)
    with open(path, "w") as f:
        json.dump(plan, f, indent=1)
    write_index(build_dir, plan["token"], plan["packages"])
    return path


def read_plan():
    import json

    with open(os.environ[PLAN_ENV], "rb") as f:
        return json.load(f)


def progress(mark, pkg):
    """One line per compile for the progress display, when there is one."""
    path = os.environ.get(PROGRESS_ENV)
    if path:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.write(fd, f"{mark} {pkg}\n".encode())
        os.close(fd)


def compiled_package(tool, args):
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


def without_markers(args):
    return [a for a in args if not a.startswith(MARKER)]


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


def go_files(args):
    """Indexes of a compile's source files: the compiler takes them after all flags."""
    i = len(args)
    while i > 0 and args[i - 1].endswith(".go") and not args[i - 1].startswith("-"):
        i -= 1
    return list(range(i, len(args)))


def flag(args, name):
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None
