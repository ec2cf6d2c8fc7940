"""Validated rule files, remembered: a file whose bytes were validated
before is not validated again, so a warm build never imports pydantic.

The key is a digest of the file's bytes and of the code that decides
whether they are valid and what they mean (this version of otelgo, every
module of ruleset/, version ranges); the value is the validated file as
JSON: its header ("library", or null) and its rules as dicts, as
model.rule_from_dict takes them. Only valid files are kept. Checks that
depend on more than the file's bytes (a file rule's Go file must exist
beside the rule file) are not kept: they run on every load.

Entries for the built-in rule files are also made when otelgo is installed
(installed_dir), so that a build with an empty cache reads them too.

The cache is an optimisation, never a source of errors: an entry that
cannot be read or parsed is a miss, and a cache that cannot be written is
skipped. Standard library only.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

from otelgo import __version__
from otelgo.resources import cache_dir, installation_dir, package_dir, write_atomically


def _validation_code() -> list[Path]:
    here = package_dir()
    return [*sorted((here / "ruleset").glob("*.py")), here / "versions.py", here / "hookapi.py"]


@lru_cache(maxsize=1)
def _code_digest() -> bytes:
    h = hashlib.sha256(__version__.encode())
    for path in _validation_code():
        h.update(path.name.encode() + b"\0")
        try:
            h.update(path.read_bytes())
        except OSError:  # an install without sources: never trust an entry
            h.update(os.urandom(16))
    return h.digest()


def key(data: bytes) -> str:
    """The cache key of a rule file with these bytes."""
    return hashlib.sha256(_code_digest() + data).hexdigest()[:32]


def _path(key_: str) -> Path:
    return cache_dir() / "rules" / f"{key_}.json"


def installed_dir() -> Path:
    """Entries for the built-in rule files, made when otelgo was installed
    (install_entries): the first build with an empty cache, in a container
    or a CI job, validates none of them (0.2-0.3 s, most of it importing
    pydantic)."""
    return installation_dir() / "rules"


def get(key_: str) -> dict | None:
    """The validated file kept under this key ({"library", "rules"}), or None."""
    return _read(_path(key_)) or _read(installed_dir() / f"{key_}.json")


def _read(path: Path) -> dict | None:
    try:
        entry = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(entry, dict) or not isinstance(entry.get("rules"), list):
        return None
    if not all(isinstance(i, dict) for i in entry["rules"]):
        return None
    if entry.get("library") is not None and not isinstance(entry["library"], dict):
        return None
    return entry


def put(key_: str, entry: dict) -> None:
    """Keep a validated file; a reader sees the whole entry or none."""
    with contextlib.suppress(OSError):  # a read-only or full cache: validate again next time
        write_atomically(_path(key_), json.dumps(entry))


def install_entries(entries: dict[str, dict]) -> Path:
    """Write entries (key -> validated file) into installed_dir(), readable
    by every user of the installation."""
    into = installed_dir()
    into.mkdir(parents=True, exist_ok=True)
    for key_, entry in entries.items():
        tmp = into / f".{key_}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(entry))
        os.replace(tmp, into / f"{key_}.json")
    return into
