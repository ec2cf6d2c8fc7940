"""The build-modes lane: collected only with OTELGO_BUILDMODES=1 (each mode
here compiles the standard library anew the first time; see
tests/README.md for how long it takes)."""

from __future__ import annotations

import os


def pytest_ignore_collect(collection_path, config):
    if os.environ.get("OTELGO_BUILDMODES") == "1":
        return None
    return collection_path.name.startswith("test_")
