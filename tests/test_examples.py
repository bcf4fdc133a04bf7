"""The examples in examples/ run as their headers say, write only into the folder they name (one
that git ignores), and the page they show points at files that exist and that the commands it
quotes still make."""

import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from convgif.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def project(tmp_path: Path) -> Path:
    """A project root holding a copy of examples/ (without outputs), as the examples run from the root."""
    root = tmp_path / "project"
    shutil.copytree(EXAMPLES, root / "examples", ignore=shutil.ignore_patterns("out", "__pycache__"))
    return root


def contents(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def written(root: Path, argv: list[str], **options) -> tuple[list[str], subprocess.CompletedProcess]:
    """Run ``argv`` in ``root``; the files it adds there, checking that it changes and removes none."""
    before = contents(root)
    done = subprocess.run(argv, check=False, cwd=root, capture_output=True, text=True, **options)
    assert done.returncode == 0, done.stderr
    after = contents(root)
    assert {k: v for k, v in after.items() if k in before} == before
    return sorted(set(after) - set(before)), done


def assert_ignored_by_git(paths: list[str]) -> None:
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        return  # not a git checkout: nothing to leave untracked
    done = subprocess.run(
        [git, "check-ignore", "--no-index", *paths], check=False, cwd=ROOT, capture_output=True, text=True
    )
    assert sorted(done.stdout.split()) == sorted(paths), "the examples' outputs must be ignored by git"


def test_shell_example_writes_only_into_its_folder(tmp_path):
    root = project(tmp_path)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    new, done = written(root, ["bash", "examples/shell.sh"], env=env)
    names = ["edges.webp", "headline.gif", "sheet.png", "step7.png", "values-dark.gif"]
    assert new == [f"examples/out/shell/{name}" for name in names]
    assert "![Input Shape : (3, 7, 7)" in done.stdout and "against 4,608 for a standard convolution" in done.stdout
    assert done.stdout.rstrip().endswith("the files are in examples/out/shell/")
    assert_ignored_by_git(new)


def test_python_example_writes_only_into_its_folder(tmp_path):
    root = project(tmp_path)
    script = [sys.executable, "examples/python_api.py"]
    new, _ = written(root, script)
    names = ["headline-step5.png", "headline.gif", "sobel.gif", "transposed.gif"]
    assert new == [f"examples/out/python/{name}" for name in names]  # not the shell example's folder
    assert_ignored_by_git(new)
    elsewhere = tmp_path / "elsewhere"
    new, _ = written(root, [*script, str(elsewhere)])
    assert new == [] and sorted(p.name for p in elsewhere.iterdir()) == names


def page_commands(page: str) -> list[list[str]]:
    (comment,) = re.findall(r"<!--(.*?)-->", page, flags=re.DOTALL)
    return [shlex.split(line)[1:] for line in comment.splitlines() if line.startswith("convgif ")]


def test_markdown_page_points_at_files_its_commands_make(tmp_path):
    page = (EXAMPLES / "page.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)]+)\)|src=\"([^\"]+)\"", page)
    links = [a or b for a, b in targets]
    assert links and all((EXAMPLES / p).resolve().is_file() for p in links)
    commands = page_commands(page)
    made = []
    for args in commands:
        target = ROOT / args[args.index("-o") + 1]
        link = os.path.relpath(target, EXAMPLES).replace(os.sep, "/")
        scratch = tmp_path / target.name
        args[args.index("-o") + 1] = str(scratch)
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        folder = os.path.dirname(link)
        snippet = result.output.splitlines()[1].replace(str(tmp_path) + os.sep, f"{folder}/" if folder else "")
        assert snippet in page, f"page.md should show what `convgif {shlex.join(args)}` prints: {snippet}"
        if target.parent == EXAMPLES:  # the page's own file: still what its command makes
            assert scratch.read_bytes() == target.read_bytes(), f"remake {target.name} with the command in page.md"
        made.append(link)
    assert sorted(made) == sorted(links)  # every figure shown has its command
    dark = commands[made.index(re.search(r'<img src="([^"]+)"', page)[1])]  # the figure for dark pages
    assert "--theme" in dark and dark[dark.index("--theme") + 1] == "dark"
