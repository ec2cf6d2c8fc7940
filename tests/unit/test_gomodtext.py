"""go.mod files read in Python (otelgo/gocmd/gomodtext.py: edit_json) against
what the real `go mod edit -json` prints for them: the same, or None where
the file is left to the go command."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from otelgo.gocmd.golist import GoCommandError, mod_edit_json
from otelgo.gocmd.gomodtext import edit_json
from otelgo.plan import vendor

REPO = Path(__file__).resolve().parents[2]

PLAIN = {
    "minimal": "module m\n",
    "everything": (
        'module "example.com/m" // the module\n\ngo 1.24\n\ntoolchain go1.25.1\n\n'
        "godebug (\n\tdefault=go1.21\n\tpanicnil=1\n\tasync=a=b\n)\n\n"
        "require a.com/b v1.0.0 // indirect; because\n"
        'require (\n\tc.com/d v0.1.0 //indirect\n\t"e.com/f" v2.0.0+incompatible\n\t// a note\n'
        "\tg.com/h/v3 v3.1.0-rc.1 // not indirect\n\tgopkg.in/yaml.v3 v3.0.1\n"
        "\tgopkg.in/check.v1 v0.0.0-20161208181325-20d25e280405 // indirect\n)\n"
        "exclude x.com/y v1.2.3\n"
        "replace a.com/b => ../b\nreplace c.com/d v0.1.0 => g.com/h v0.2.0\n"
        "replace (\n\tk.com/l => /abs/l\n)\n"
        "tool c.com/d/cmd\nignore ./node_modules\n"
    ),
    "windows line ends": "module m\r\n\r\ngo 1.22\r\nrequire a.com/b v1.0.0 // indirect\r\n",
    "blocks written tight": "module m\nrequire(\n a.com/b v1.0.0\n)\n",
}

UNPLAIN = {
    "a retraction": "module m\nretract v1.0.0\n",
    "a deprecation": "// Deprecated: use n.\nmodule m\n",
    "an escape in a quoted path": 'module "m\\x41"\n',
    "an unknown directive": "module m\nfrobnicate x\n",
    "an unclosed block": "module m\nrequire (\n a.com/b v1.0.0\n",
    "a major version the path does not have": "module m\nrequire a.com/b v2.0.0\n",
    "a non-canonical version": "module m\nrequire a.com/b v1.2\n",
    "a version interval": "module m\nretract [v1.0.0, v1.1.0]\n",
    "no module line": "go 1.22\n",
    "two go lines": "module m\ngo 1.21\ngo 1.22\n",
}


def go_mod_edit_json(tmp_path: Path, text: str) -> dict | tuple:
    gomod = tmp_path / "go.mod"
    gomod.write_text(text)
    proc = subprocess.run(["go", "mod", "edit", "-json", str(gomod)], capture_output=True, text=True, cwd=tmp_path)
    return json.loads(proc.stdout) if proc.returncode == 0 else ("error", proc.stderr)


@pytest.mark.parametrize("name", sorted(PLAIN))
def test_a_plainly_written_go_mod_reads_as_the_go_command_prints_it(name, tmp_path):
    assert edit_json(PLAIN[name]) == go_mod_edit_json(tmp_path, PLAIN[name])


@pytest.mark.parametrize("name", sorted(UNPLAIN))
def test_anything_else_is_left_to_the_go_command(name, tmp_path):
    text = UNPLAIN[name]
    assert edit_json(text) is None
    gomod = tmp_path / "go.mod"
    gomod.write_text(text)
    theirs = go_mod_edit_json(tmp_path, text)
    if isinstance(theirs, tuple):  # the go command's own error reaches the user
        with pytest.raises(GoCommandError, match="go.mod"):
            mod_edit_json(gomod)
    else:
        assert mod_edit_json(gomod) == theirs


def test_every_go_mod_of_this_repository_reads_in_python_as_go_prints_it(tmp_path):
    """The rules' go.mod files are read by every build: none needs the go command."""
    files = [p for p in REPO.glob("**/go.mod") if ".venv" not in p.parts and ".git" not in p.parts]
    assert len(files) > 20
    for gomod in files:
        mine = edit_json(gomod.read_text())
        assert mine is not None, gomod
        proc = subprocess.run(["go", "mod", "edit", "-json", str(gomod)], capture_output=True, text=True, cwd=tmp_path)
        assert mine == json.loads(proc.stdout), gomod


def test_a_vendored_workspace_keeps_the_users_godebug_settings(tmp_path):
    user = tmp_path / "app"
    user.mkdir()
    (user / "go.mod").write_text("module example.com/app\n\ngo 1.22\n\ngodebug panicnil=1\n")
    workfile = tmp_path / "go.work"
    workfile.write_text("go 1.24.0\n\nuse ./app\n")
    main = vendor._Main(user, mod_edit_json(user / "go.mod"))
    assert vendor._godebug([main], workfile) == "godebug default=go1.22\ngodebug panicnil=1\n"
