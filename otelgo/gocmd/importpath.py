"""What an import path alone tells: whether it is the standard library's."""

from __future__ import annotations


def is_standard(path: str) -> bool:
    """The go command's own test (no dot in the first element), less "main",
    which rules use for every program's main package."""
    return "." not in path.split("/", 1)[0] and path != "main"
