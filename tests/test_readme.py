"""The README's commands and Python example run, and CI runs what the README says."""

import importlib.util
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from convgif.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", README, flags=re.S | re.M)


def needs(command: str) -> list[str]:
    """The optional packages a README example needs (it is skipped without them)."""
    wanted = []
    if "--weights" in command or "import torch" in command or ".py:" in command:
        wanted.append("torch")
    if ".mp4" in command or "--format mp4" in command:
        wanted.append("imageio_ffmpeg")
    missing = [name for name in wanted if importlib.util.find_spec(name) is None]
    if "--lang zh" in command:
        from convgif.picture.glyphs import find_cjk_font

        missing += [] if find_cjk_font("zh-Hans") else ['a CJK font (pip install "convgif[zh]")']
    return missing


def test_one_install_and_one_test_command_both_used_by_ci():
    installs = [line for block in blocks("sh") for line in block.splitlines() if line.startswith("pip install")]
    tests = [line for block in blocks("sh") for line in block.splitlines() if "pytest" in line]
    assert len(installs) == 1 and len(tests) == 1
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert installs[0] in ci and tests[0] in ci


#: Shell lines of the README that are not convgif commands, and where each is exercised.
OTHER_SHELL_LINES = {
    "python3 -m venv .venv": ".ci/run makes a fresh virtual environment",
    ". .venv/bin/activate": ".ci/run activates it",
    'pip install -e ".[test]"': "test_one_install_and_one_test_command_both_used_by_ci",
    "python -m pytest -n auto": "test_one_install_and_one_test_command_both_used_by_ci",
}


def shell_steps() -> list[tuple[tuple[str, ...], str]]:
    """Each convgif command of the README's shell blocks, with the ``mkdir -p`` lines before it
    in its block (run first, as a reader typing the block would)."""
    steps = []
    for block in blocks("sh"):
        folders: list[str] = []
        for line in block.splitlines():
            if line.startswith("mkdir -p "):
                folders.append(line)
            elif line.startswith("convgif "):
                steps.append((tuple(folders), line))
    return steps


def test_every_shell_line_of_the_readme_is_run_somewhere():
    for block in blocks("sh"):
        for line in block.splitlines():
            assert line.startswith(("convgif ", "mkdir -p ")) or line in OTHER_SHELL_LINES, line


@pytest.mark.parametrize("folders, command", shell_steps(), ids=[command for _, command in shell_steps()])
def test_readme_command_runs(folders, command, tmp_path, monkeypatch):
    if needs(command):
        pytest.skip(f"needs {', '.join(needs(command))}")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "examples").symlink_to(ROOT / "examples")  # commands run from the project root
    (tmp_path / "gallery").mkdir()
    shutil.copy(ROOT / "gallery" / "gallery.toml", tmp_path / "gallery")
    for line in folders:
        for folder in shlex.split(line)[2:]:
            (tmp_path / folder).mkdir(parents=True, exist_ok=True)
    result = CliRunner().invoke(main, shlex.split(command)[1:], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    if command.startswith("convgif gallery"):
        assert result.output.startswith("rendered 1 of 1 entries")
        assert (tmp_path / "gallery" / "index.html").is_file()
    elif command.startswith("convgif model") and "--table" in command:  # the table, printed
        assert result.output.startswith("| module | class | input → output |")
    elif command.startswith("convgif info"):  # the README shows what it prints, after the command
        kind = result.output.split(":")[0]
        (shown,) = [block for block in blocks("text") if block.startswith(f"{kind}:")]
        assert result.output == shown
    else:
        assert Path(result.stdout.split()[0]).is_file()  # the file written comes first


def test_readme_summary_matches_the_main_command(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shown = blocks("text")[0].splitlines()
    result = CliRunner().invoke(main, ["--in", "3,7,7", "--k", "3", "--s", "2"], catch_exceptions=False)
    got = result.output.splitlines()
    assert got[0] == shown[0]
    assert got[1].rsplit(" · ", 1)[0] == shown[1].rsplit(" · ", 1)[0]  # all but the seconds


def test_readme_python_example_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (code,) = [block for block in blocks("python") if "convgif.record(" in block]  # the Python section's
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "(2, 3, 3) 56" in out and (tmp_path / "article.gif").is_file()


@pytest.mark.parametrize("code", [block for block in blocks("python") if "convgif.record(" not in block])
def test_readme_other_python_examples_run(code, tmp_path, monkeypatch, capsys):
    if needs(code):
        pytest.skip(f"needs {', '.join(needs(code))}")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    checked = 0
    for line in code.splitlines():  # what the comments say is printed (those that quote it)
        comment = line.split("  # ")[1] if line.startswith("print(") and "  # " in line else ":"
        if ":" not in comment:
            assert comment in out, line
            checked += 1
    assert checked


def test_readme_notebook_magic_runs(tmp_path, monkeypatch):
    pytest.importorskip("IPython")
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    monkeypatch.chdir(tmp_path)
    (code,) = blocks("ipython")
    shell = InteractiveShell.instance()
    with capture_output() as captured:
        result = shell.run_cell(code)
    assert result.success, result.error_in_exec
    assert len(captured.outputs) == 2 and all("text/html" in o.data for o in captured.outputs)
    assert list(tmp_path.iterdir()) == []  # shown, not written


def test_readme_mkdocs_example_builds(tmp_path):
    pytest.importorskip("mkdocs")
    from test_mkdocs import environment

    (config,) = blocks("yaml")
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    (page,) = [
        block for block in re.findall(r"^````markdown\n(.*?)^````", README, flags=re.S | re.M) if "```convgif" in block
    ]
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(page, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q"],
        cwd=tmp_path,
        env=environment(tmp_path),
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "<picture>" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


def test_readme_says_where_the_default_part_of_a_picture_is(tmp_path, monkeypatch):
    """The README names the part `--image` chooses for its own example, and says it is not the top left."""
    said = re.search(r"`(\w+\.gif)` above\s+draws output rows (\d+)–(\d+), columns (\d+)–(\d+)", README)
    assert said, "the README should say which part its --image example draws"
    name, *numbers = said.groups()
    command = next(c for _, c in shell_steps() if f"-o {name}" in c)
    assert "--image" in command and "--region" not in command
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    result = CliRunner().invoke(main, shlex.split(command)[1:])
    assert result.exit_code == 0, result.output
    drew = re.search(r"drew output rows (\d+)–(\d+), columns (\d+)–(\d+)", result.output)
    assert drew and list(drew.groups()) == numbers, result.output
    assert numbers[0] != "0", "a part on a picture is placed where it varies most, not at the top left"
