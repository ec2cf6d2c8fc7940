"""Go files that planning renders from templates/ (the SDK bootstrap of each
program, the rules stamps), kept in otelgo's cache under a digest of their
text: the same text has the same path in every build, so the go command's
cache keys stay stable, and a plan that rendered the same before neither
renders nor imports jinja2.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from otelgo.resources import cache_dir, templates_dir, write_atomically


def generated(template: str, **context) -> Path:
    """The file a template renders to with this context."""
    key = json.dumps([template, (templates_dir() / template).read_text(), context], sort_keys=True)
    memo = cache_dir() / "rendered" / hashlib.sha256(key.encode()).hexdigest()[:24]
    try:
        path = Path(memo.read_text())
        if path.exists():
            return path
    except OSError:
        pass
    from otelgo.gotemplate import render

    path = _write_generated(render(template, **context))
    write_atomically(memo, str(path))
    return path


def _write_generated(text: str) -> Path:
    return cached_file(text, ".go")


def cached_file(text: str, suffix: str) -> Path:
    """A file holding text, under a digest of it: the same path in every build
    (the go command, and the plan's go list cache, key on such paths)."""
    digest = hashlib.sha256(text.encode()).hexdigest()[:24]
    path = cache_dir() / "generated" / f"{digest}{suffix}"
    if not path.exists():
        write_atomically(path, text)
    return path
