"""The examples in examples/ run, and the pages they show point at files that exist."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_shell_example(tmp_path):
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "examples/shell.sh", str(tmp_path)], cwd=ROOT, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["edges.webp", "headline.gif", "sheet.png", "step7.png", "values-dark.gif"]
    assert "![Input Shape : (3, 7, 7)" in done.stdout and "against 4,608 for a standard convolution" in done.stdout


def test_python_example(tmp_path):
    done = subprocess.run([sys.executable, "examples/python_api.py", str(tmp_path)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert {p.name for p in tmp_path.iterdir()} == {"headline.gif", "headline-step5.png", "sobel.gif", "transposed.gif"}


def test_markdown_page_points_at_gallery_files():
    page = (ROOT / "examples" / "page.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)]+)\)|src=\"([^\"]+)\"", page)
    paths = [a or b for a, b in targets]
    assert paths and all((ROOT / "examples" / p).resolve().is_file() for p in paths)
