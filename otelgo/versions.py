"""Module and Go versions, and the interval ranges rules use to select them.

A rule's Version is an interval in the usual notation: "[1.7.0,1.11.0)",
"[1.22,)", "(,2.0.0]", or an exact "[1.2.3]". Versions follow semver
precedence, which is also what the go command uses: pseudo-versions
("v0.0.0-20191109021931-daa7c04131f5") are pre-releases of their base,
"+incompatible" and other build metadata are ignored, and Go toolchain
versions ("go1.26.8", "go1.22rc1", "1.22") are read as semver too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache, total_ordering

_SEMVER = re.compile(
    r"^v?(?P<major>\d+)(?:\.(?P<minor>\d+))?(?:\.(?P<patch>\d+))?"
    r"(?:-(?P<pre>[0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$"
)
_GO_RELEASE = re.compile(r"^go(?P<num>\d+(?:\.\d+){0,2})(?P<pre>(?:rc|beta)\d+)?$")


class VersionError(ValueError):
    pass


@total_ordering
@dataclass(frozen=True)
class Version:
    release: tuple[int, int, int]
    prerelease: tuple[str | int, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Version:
        text = text.strip()
        go = _GO_RELEASE.match(text)
        if go:
            # go1.22rc1 -> 1.22-rc.1, so that rc.2 sorts after rc.1 numerically
            pre = re.sub(r"(\d+)$", r".\1", go["pre"]) if go["pre"] else ""
            text = go["num"] + ("-" + pre if pre else "")
        m = _SEMVER.match(text)
        if not m:
            raise VersionError(f"{text!r} is not a version (expected e.g. v1.2.3 or go1.22.1)")
        release = (int(m["major"]), int(m["minor"] or 0), int(m["patch"] or 0))
        pre = tuple(int(p) if p.isdigit() else p for p in m["pre"].split(".")) if m["pre"] else ()
        return cls(release, pre)

    def _key(self):
        # A release sorts after all of its pre-releases; within a pre-release,
        # numeric identifiers sort before alphanumeric ones.
        pre = tuple((0, p, "") if isinstance(p, int) else (1, 0, p) for p in self.prerelease)
        return (self.release, not self.prerelease and 1 or 0, pre)

    def __lt__(self, other: Version) -> bool:
        return self._key() < other._key()

    def __str__(self) -> str:
        base = "v{}.{}.{}".format(*self.release)
        return base + ("-" + ".".join(map(str, self.prerelease)) if self.prerelease else "")


def is_newer(a: str, b: str) -> bool:
    """a is a newer version than b; False where either is not a version."""
    key_a, key_b = _key(a), _key(b)
    return key_a is not None and key_b is not None and key_a > key_b


@lru_cache(maxsize=4096)
def _key(text: str) -> tuple | None:
    """A version's sort key, kept: choosing a release set compares the same
    few hundred versions a thousand times or more."""
    try:
        return Version.parse(text)._key()
    except VersionError:
        return None


@dataclass(frozen=True)
class VersionRange:
    low: Version | None
    low_inclusive: bool
    high: Version | None
    high_inclusive: bool
    text: str

    @classmethod
    def parse(cls, text: str) -> VersionRange:
        s = text.strip()
        if len(s) < 3 or s[0] not in "[(" or s[-1] not in ")]":
            raise VersionError(f'{text!r} is not a range (expected e.g. "[1.7.0,1.11.0)" or "[1.22.0,)")')
        inner = s[1:-1]
        if "," not in inner:
            if s[0] != "[" or s[-1] != "]":
                raise VersionError(f'{text!r}: an exact version is written "[1.2.3]"')
            exact = Version.parse(inner)
            return cls(exact, True, exact, True, text)
        lo, _, hi = inner.partition(",")
        if "," in hi:
            raise VersionError(f"{text!r} has more than two bounds")
        low = Version.parse(lo) if lo.strip() else None
        high = Version.parse(hi) if hi.strip() else None
        if low is None and s[0] == "[" or high is None and s[-1] == "]":
            raise VersionError(f"{text!r}: an open bound is written with ( or )")
        if low is not None and high is not None and (high < low or high == low and not (s[0] == "[" and s[-1] == "]")):
            raise VersionError(f"{text!r} is empty: no version can be in it")
        return cls(low, s[0] == "[", high, s[-1] == "]", text)

    def contains(self, v: Version) -> bool:
        if self.low is not None and (v < self.low or v == self.low and not self.low_inclusive):
            return False
        if self.high is not None and (v > self.high or v == self.high and not self.high_inclusive):
            return False
        return True

    def __str__(self) -> str:
        return self.text
