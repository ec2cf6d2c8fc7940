"""A go.mod file's requirements, read from its text: where a go command
per file (`go mod edit -json`) would cost more than the file is worth,
and where the line a requirement stands on matters (fitted.py rewrites
it in place)."""

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
