"""Where the templates and the rules (with the Go hook module) live, and
otelgo's own cache.

A source checkout or editable install keeps them at the repository's top
level; a wheel carries them under otelgo/_data.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    for candidate in (_PACKAGE.parent / name, _PACKAGE / "_data" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"otelgo installation is incomplete: no {name}/ directory near {_PACKAGE}")


def templates_dir() -> Path:
    return _data_dir("templates")


def rules_dir() -> Path:
    """The built-in rules: JSON rule files beside the Go hook module."""
    return _data_dir("rules")


def package_dir() -> Path:
    return _PACKAGE


def cache_dir() -> Path:
    """otelgo's own cache (generated files, check verdicts, compile outcomes)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "otelgo"
