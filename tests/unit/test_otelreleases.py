"""otelreleases' search for the contrib release made for a core, over a
proxy whose list of versions misses some (tests/e2e/reliability/
test_otel_versions.py asks the real proxy)."""

from __future__ import annotations

import pytest

from otelgo.plan import otelreleases
from otelgo.versions import Version

# module version -> the core its go.mod requires; what resolves.
CORES = {
    "v0.18.0": "v1.43.0",
    "v0.19.0": "v1.44.0",
    "v0.20.0": "v1.45.0",
    "v0.20.1": "v1.46.0",
    "v0.21.0": "v1.47.0",
    "v0.22.0": "v1.48.0",
}


@pytest.fixture
def proxy(monkeypatch):
    asked = []

    def core_of(module, version, answers):
        asked.append(version)
        if version not in CORES:
            raise otelreleases.ReleaseLookupError(f"{module}@{version}: not found")
        return Version.parse(CORES[version])

    def listing(listed):
        monkeypatch.setattr(otelreleases, "_releases", lambda module: listed)
        return asked

    monkeypatch.setattr(otelreleases, "_core_of", core_of)
    return listing


@pytest.mark.parametrize(
    "listed",
    [
        ["v0.18.0", "v0.19.0", "v0.20.0", "v0.20.1", "v0.21.0", "v0.22.0"],  # all of them
        ["v0.21.0"],  # the newest below the oldest listed, and its patch
        ["v0.18.0", "v0.22.0"],  # the minors and patch after the one found
        ["v0.20.0"],  # its patch
    ],
)
def test_the_release_made_for_the_core_is_found_listed_or_not(proxy, listed):
    proxy(listed)
    assert otelreleases._search("m", Version.parse("v1.46.0"), {}) == "v0.20.1"


def test_between_two_cores_the_older_ones_release(proxy):
    proxy(["v0.22.0"])
    assert otelreleases._search("m", Version.parse("v1.45.3"), {}) == "v0.20.0"


def test_none_when_every_release_needs_a_newer_core(proxy):
    asked = proxy(["v0.21.0"])
    assert otelreleases._search("m", Version.parse("v1.40.0"), {}) is None
    assert asked == ["v0.21.0", "v0.20.0", "v0.19.0", "v0.18.0", "v0.17.0"]  # down to the first that does not resolve
