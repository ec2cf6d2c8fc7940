"""The README's table of libraries is what the rule files say
(`otel rules libraries`), so it cannot drift from the rules."""

from __future__ import annotations

import harness

from otelgo.ruleset.load import builtin_rule_files, load_all
from otelgo.ruleset.table import BEGIN, END, library_table


def test_the_readme_table_is_generated_from_the_rules():
    readme = (harness.REPO_ROOT / "README.md").read_text()
    assert BEGIN in readme and END in readme, "the README lost the markers of its library table"
    table = readme.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n") + "\n"
    expected = library_table(load_all(builtin_rule_files()))
    assert table == expected, "regenerate it: otel rules libraries"
