"""What names in rules look like, and how problems with rules are worded.

The leaf the rest of ruleset/ shares: validate.py checks rule files with
these patterns, spancomments.py checks //otel:span comments with them, and
every problem names the file, the rule (index and Name) and the field.
"""

from __future__ import annotations

import re
from typing import Any

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
IMPORT_PATH = (r"[A-Za-z0-9_.~+-]+(/[A-Za-z0-9_.~+-]+)*", "a Go import path")
FUNCTION_NAME = (IDENT, "a Go function name")
RECEIVER_TYPE = (rf"\*?{IDENT}", 'a receiver type such as "*Transport" or "Client"')
HOOK_NAME = (r"[A-Z][A-Za-z0-9_]*", "an exported Go function name")


class RuleError(Exception):
    """One or more problems in rule files, one line each."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def name_problem(text: str | None, pattern: str, what: str) -> str | None:
    """Why a name does not fit, if it does not (None passes: optional fields)."""
    if text is not None and not re.match(f"^{pattern}$", text):
        return f"{text!r} is not {what}"
    return None


def describe_item(index: int, name: Any) -> str:
    """How problems name an item of a rule file's list of rules."""
    return f"rule {index}" + (f" ({name})" if isinstance(name, str) else "")


def one_line(problem: str) -> str:
    """One problem, one line, whatever the rule file's strings hold."""
    return problem.replace("\r", "\\r").replace("\n", "\\n")
