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
  SPLICE_ENV          the Unix socket on which the otel process answers a
                      matched package's compile with its spliced arguments
                      while the build runs (toolexec/service.py), if any.

A matched package's compile carries MARKER (via a -gcflags for that package)
when its directory is one the go command's -overlay may not add a file to:
the marker keys the package's cached compile on the rules applied to it, and
the shim removes it before the real compiler sees it.

A compile the splicer refuses is recorded by toolexec/refusals.py.

The tools' -V=full answers are kept in otelgo's cache, in TOOLID_DIR
(created, private to the user, by planning), one file per tool and key:
the key holds the tool's path, its arguments, the identity of its binary
(device, inode, size, modification and change times) and every GO*
variable of the environment (GOEXPERIMENT, GOOS, GOARCH... decide what a
tool says), and is stored in the file and compared whole on every read.

Standard library only: the shim's fast path imports this module.
"""

import os

PLAN_ENV = "OTELGO_PLAN"
PROGRESS_ENV = "OTELGO_PROGRESS"
SPLICE_ENV = "OTELGO_SPLICER"
PLAN_NAME = "plan.json"
INDEX_NAME = "packages.txt"
OVERLAY_NAME = "overlay.json"  # the -overlay planning writes beside the plan
MARKER = "-otelgo.rules="
TOOLID_DIR = "toolids"  # in otelgo's cache (resources.cache_dir)


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


def exec_tool(tool, args):
    """Run the tool in this process's place. The go command names the C
    compiler by its name alone ("gcc -###" for its tool ID), which is looked
    for on PATH, as a shell would."""
    if os.sep in tool:
        os.execv(tool, [tool, *args])
    os.execvp(tool, [tool, *args])


def toolid_dir():
    """Where -V=full answers are kept (resources.cache_dir's rule), or None."""
    if chosen := os.environ.get("OTELGO_CACHE"):
        return os.path.join(chosen, TOOLID_DIR)
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "otelgo", TOOLID_DIR) if os.path.isabs(base) else None


def toolid_key(tool, args):
    """Everything a tool's answer to args depends on, as bytes; None when
    the tool is not a file that can be looked at."""
    try:
        st = os.stat(tool)
    except OSError:
        return None
    binary = f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"
    settings = sorted(f"{k}={v}" for k, v in os.environ.items() if k.startswith("GO"))
    return "\0".join([os.path.abspath(tool), binary, *args, "", *settings]).encode("utf-8", "surrogateescape")


def _toolid_file(tool_key):
    import zlib  # built in: no hashlib (OpenSSL) for a file name

    d = toolid_dir()
    if d is None or tool_key is None:
        return None
    name = os.path.basename(tool_key.split(b"\0", 1)[0].decode("utf-8", "surrogateescape"))
    return os.path.join(d, f"{name}-{zlib.crc32(tool_key):08x}-{len(tool_key)}")


def toolid_cache(tool_key):
    """The answer kept for tool_key (bytes), or None."""
    path = _toolid_file(tool_key)
    if path is None:
        return None
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    head, sep, rest = data.partition(b"\n")
    if not sep or not head.isdigit() or rest[: int(head)] != tool_key:
        return None
    answer = rest[int(head) :]
    return answer or None


def toolid_store(tool_key, answer):
    """Keep a tool's answer; only where planning made the private directory."""
    path = _toolid_file(tool_key)
    if path is None or not answer or not os.path.isdir(os.path.dirname(path)):
        return
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, b"%d\n" % len(tool_key) + tool_key + answer)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
