"""The test helpers that other tests rely on to notice problems: if the tree
snapshot missed a change, the "tree untouched" tests could never fail."""

from __future__ import annotations

import pytest
from harness import diff_snapshots, line_of, tree_snapshot


def test_snapshot_sees_every_kind_of_change(tmp_path):
    (tmp_path / "a.go").write_text("package a\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.go").write_text("package sub\n")
    before = tree_snapshot(tmp_path)
    assert diff_snapshots(before, tree_snapshot(tmp_path)) == ""

    (tmp_path / "a.go").write_text("package a \n")  # one byte more
    (tmp_path / "sub" / "b.go").unlink()
    (tmp_path / "go.sum").write_text("")
    (tmp_path / "empty").mkdir()
    assert diff_snapshots(before, tree_snapshot(tmp_path)).splitlines() == [
        "added: empty/",
        "added: go.sum",
        "added: sub/",  # now empty
        "removed: sub/b.go",
        "changed: a.go",
    ]


def test_line_of_finds_exactly_one_line(tmp_path):
    f = tmp_path / "x.go"
    f.write_text("package x\n\nfunc f() {\n\tpanic(1)\n}\n")
    assert line_of(f, "panic(") == 4
    with pytest.raises(AssertionError):
        line_of(f, "nothing like this")
