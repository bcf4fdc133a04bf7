"""The README's commands and Python example run, and CI runs what the README says."""

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from convgif.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_one_install_and_one_test_command_both_used_by_ci():
    installs = [line for block in blocks("sh") for line in block.splitlines() if line.startswith("pip install")]
    tests = [line for block in blocks("sh") for line in block.splitlines() if "pytest" in line]
    assert len(installs) == 1 and len(tests) == 1
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert installs[0] in ci and tests[0] in ci


@pytest.mark.parametrize(
    "command", [line for block in blocks("sh") for line in block.splitlines() if line.startswith("convgif ")]
)
def test_readme_command_runs(command, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").symlink_to(ROOT / "examples")  # commands run from the project root
    (tmp_path / "gallery").mkdir()
    shutil.copy(ROOT / "gallery" / "gallery.toml", tmp_path / "gallery")
    result = CliRunner().invoke(main, command.split()[1:], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    if command.startswith("convgif gallery"):
        assert result.output.startswith("rendered 1 of 1 entries")
        assert (tmp_path / "gallery" / "index.html").is_file()
    elif command.startswith("convgif info"):  # the README shows what it prints
        (shown,) = [block for block in blocks("text") if block.startswith("Conv2d:")]
        assert result.output == shown
    else:
        assert Path(result.output.split()[0]).is_file()  # the file written comes first


def test_readme_summary_matches_the_main_command(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shown = blocks("text")[0].splitlines()
    result = CliRunner().invoke(main, ["--in", "3,7,7", "--k", "3", "--s", "2"], catch_exceptions=False)
    got = result.output.splitlines()
    assert got[0] == shown[0]
    assert got[1].rsplit(" · ", 1)[0] == shown[1].rsplit(" · ", 1)[0]  # all but the seconds


def test_readme_python_example_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (code,) = blocks("python")
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "(2, 3, 3) 56" in out and (tmp_path / "article.gif").is_file()
