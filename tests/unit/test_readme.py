"""The README's table of libraries is what the rule files say
(`otel rules libraries`), so it cannot drift from the rules."""

from __future__ import annotations

import harness

from otelgo.ruleset.load import builtin_rule_files, load_all
from otelgo.ruleset.table import BEGIN, END, _hull, library_table
from otelgo.versions import VersionRange


def test_the_readme_table_is_generated_from_the_rules():
    readme = (harness.REPO_ROOT / "README.md").read_text()
    assert BEGIN in readme and END in readme, "the README lost the markers of its library table"
    table = readme.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n") + "\n"
    expected = library_table(load_all(builtin_rule_files()))
    assert table == expected, "regenerate it: otel rules libraries"


def test_a_library_whose_ranges_leave_a_gap_shows_each_part():
    ranges = [VersionRange.parse(r) for r in ("[4.0.0,4.2.0)", "[1.5.0,1.6.0)", "[1.5.2,1.5.9)")]
    assert _hull(ranges) == "[1.5.0,1.6.0) [4.0.0,4.2.0)"
    # Ranges that meet are one: the hull.
    ranges = [VersionRange.parse(r) for r in ("[1.7.4,1.9.0)", "[1.6.2,1.7.4)")]
    assert _hull(ranges) == "[1.6.2,1.9.0)"
    assert _hull([VersionRange.parse("[1.0.0,2.0.0)"), VersionRange.parse("[1.2.0,)")]) == "[1.0.0,)"
