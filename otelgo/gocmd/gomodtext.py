"""A go.mod file read from its text, where a go command per file would cost
more than the file is worth: its requirements with the line each stands on
(fitted.py rewrites them in place), and what `go mod edit -json` prints of
it, for the files plainly written (edit_json).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Requirement:
    path: str
    version: str
    line: int  # index of the go.mod line that names it


_DIRECTIVE = re.compile(r"^\s*(require|exclude|replace|retract|module|go|toolchain|godebug|tool|ignore)\b(\s*\()?")
_REQUIREMENT = re.compile(r'^\s*(?:require\s+)?"?([^\s"()]+)"?\s+(v[^\s/]+)')


def requirements(text: str) -> list[Requirement]:
    """The require directives of a go.mod file (single lines and blocks)."""
    found, block = [], None
    for i, line in enumerate(text.split("\n")):
        code = line.split("//", 1)[0]
        if block is not None:
            if code.strip() == ")":
                block = None
            elif block == "require" and (m := _REQUIREMENT.match(code)):
                found.append(Requirement(m.group(1), m.group(2), i))
            continue
        directive = _DIRECTIVE.match(code)
        if directive is None:
            continue
        if directive.group(2):
            block = directive.group(1)
        elif directive.group(1) == "require" and (m := _REQUIREMENT.match(code)):
            found.append(Requirement(m.group(1), m.group(2), i))
    return found


# --- what `go mod edit -json` prints -------------------------------------------
#
# A cold build reads ten go.mod files or more (the user's, otelgo's copy,
# the hook modules'); a go command for each costs 20-25 ms. These files are
# read here when every line is of the plain kind the go command itself
# writes; anything else (a retraction, a deprecation, an escape in a
# quoted string, a directive this does not know, a syntax error) is left
# to the go command, which says what is wrong in its own words.

_SEMVER = re.compile(
    r"v(0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+incompatible)?"
)
_GO_VERSION = re.compile(r"1(?:\.(?:0|[1-9][0-9]*)){1,2}(?:(?:rc|beta)[1-9][0-9]*)?")
_TOOLCHAIN = re.compile(r"go1(?:\.(?:0|[1-9][0-9]*)){1,2}(?:(?:rc|beta)[1-9][0-9]*)?(?:-[0-9A-Za-z.+-]+)?")
_PATH = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~+/-]*")
_MAJOR_SUFFIX = re.compile(r"/v([0-9]+)$")
_GOPKG_SUFFIX = re.compile(r"^gopkg\.in/.*\.v([0-9]+)$")
_BLOCKS = ("require", "exclude", "replace", "godebug", "tool", "ignore")
_OUT_OF_IDENT = set(" \t\r()[]{},\"'`")


class _Unplain(Exception):
    """A line this reader leaves to the go command."""


def edit_json(text: str) -> dict | None:
    """What `go mod edit -json` prints for a go.mod with this text, or None
    where the file is not plainly written (the go command must read it)."""
    try:
        return _edit_json(text)
    except _Unplain:
        return None


def _edit_json(text: str) -> dict:
    out: dict = {"Module": None, "Require": None, "Exclude": None, "Replace": None, "Retract": None}
    out |= {"Tool": None, "Ignore": None}
    block = None
    for line in text.split("\n"):
        words, comment = _words(line)
        if "Deprecated:" in comment:
            raise _Unplain
        if block is not None:
            if words == [")"]:
                block = None
            elif words:
                _directive(out, block, words, comment)
            continue
        if not words:
            continue
        if words[1:] == ["("] and words[0] in _BLOCKS:
            block = words[0]
            continue
        _directive(out, words[0], words[1:], comment)
    if block is not None or out["Module"] is None:
        raise _Unplain
    return out


def _directive(out: dict, verb: str, args: list[str], comment: str) -> None:
    def add(key: str, item: dict) -> None:
        out[key] = (out[key] or []) + [item]

    if verb == "module" and len(args) == 1 and _PATH.fullmatch(args[0]) and out["Module"] is None:
        out["Module"] = {"Path": args[0]}
    elif verb == "go" and len(args) == 1 and _GO_VERSION.fullmatch(args[0]) and "Go" not in out:
        out["Go"] = args[0]
    elif verb == "toolchain" and len(args) == 1 and _TOOLCHAIN.fullmatch(args[0]) and "Toolchain" not in out:
        out["Toolchain"] = args[0]
    elif verb == "godebug" and len(args) == 1 and "=" in args[0].strip("="):
        key, value = args[0].split("=", 1)
        out.setdefault("GoDebug", []).append({"Key": key, "Value": value})
    elif verb in ("require", "exclude") and len(args) == 2 and _fits(*args):
        item = {"Path": args[0], "Version": args[1]}
        if verb == "require" and _indirect(comment):
            item["Indirect"] = True
        add(verb.capitalize(), item)
    elif verb == "replace" and "=>" in args:
        i = args.index("=>")
        add("Replace", {"Old": _replaced(args[:i], old=True), "New": _replaced(args[i + 1 :], old=False)})
    elif verb in ("tool", "ignore") and len(args) == 1 and (verb == "ignore" or _PATH.fullmatch(args[0])):
        add(verb.capitalize(), {"Path": args[0]})
    else:
        raise _Unplain


def _replaced(words: list[str], old: bool) -> dict:
    if len(words) == 1 and old and _PATH.fullmatch(words[0]):
        return {"Path": words[0]}
    if len(words) == 1 and not old and words[0].startswith(("./", "../", "/")):
        return {"Path": words[0]}
    if len(words) == 2 and _fits(*words):
        return {"Path": words[0], "Version": words[1]}
    raise _Unplain


def _fits(path: str, version: str) -> bool:
    """A module path and a canonical version whose major version agree."""
    m = _SEMVER.fullmatch(version)
    if not _PATH.fullmatch(path) or m is None:
        return False
    major, incompatible = int(m[1]), version.endswith("+incompatible")
    if (gopkg := _GOPKG_SUFFIX.search(path)) is not None:  # gopkg.in/yaml.v3; check.v1 takes v0 too
        return not incompatible and (major == int(gopkg[1]) or major == 0 and gopkg[1] == "1")
    if (suffix := _MAJOR_SUFFIX.search(path)) is not None:  # /v2 and up
        return not incompatible and major == int(suffix[1]) >= 2
    return major <= 1 or incompatible


def _indirect(comment: str) -> bool:
    fields = comment.split()
    return fields == ["indirect"] or len(fields) > 1 and fields[0] == "indirect;"


def _words(line: str) -> tuple[list[str], str]:
    """A line's words (a quoted one without its quotes) and its comment."""
    words: list[str] = []
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c in " \t\r":
            i += 1
        elif line.startswith("//", i):
            return words, line[i + 2 :]
        elif c in "()":
            words.append(c)
            i += 1
        elif c in '"`':
            end = line.find(c, i + 1)
            word = line[i + 1 : end]
            if end < 0 or "\\" in word or not word.isprintable() or not word:
                raise _Unplain
            words.append(word)
            i = end + 1
        else:
            start = i
            while i < n and line[i] not in _OUT_OF_IDENT and not line.startswith("//", i):
                i += 1
            if i == start or not line[start:i].isprintable():
                raise _Unplain  # [ ] { } , ' or a control character: the go command's to judge
            words.append(line[start:i])
    return words, ""
