"""The module cache's case encoding of module paths and versions: an
upper-case letter is written as ! and the letter in lower case, so that
paths differing in case stay apart on case-insensitive file systems."""

from __future__ import annotations

import re


def escape(text: str) -> str:
    return re.sub(r"[A-Z]", lambda m: "!" + m.group(0).lower(), text)


def unescape(escaped: str) -> str:
    return re.sub(r"!([a-z])", lambda m: m.group(1).upper(), escaped)
