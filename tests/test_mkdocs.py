"""The MkDocs plugin: fenced ``convgif`` blocks rendered at build time, cached, with stills."""

import os
import re
import subprocess
import sys
import tomllib
from importlib.metadata import entry_points
from pathlib import Path
from urllib.parse import unquote

import pytest

pytest.importorskip("mkdocs")

ROOT = Path(__file__).resolve().parent.parent
CAPTION = (
    "Input Shape : (3, 7, 7) — Output Shape : (1, 3, 3) — K : (3, 3) — P : (0, 0) — S : (2, 2) — D : (1, 1) — G : 1"
)
INDEX = """\
# Layers

```convgif
--in 3,7,7 --k 3 --s 2
```

A fence that only shows the syntax is left alone:

````markdown
```convgif
--in 1,1
```
````
"""
PAGE = """\
# A picture

```convgif
--in 1,6,6 --image "../my picture.png"
--kernel sobel-x --no-bias
```
"""


def test_the_plugin_is_declared_as_an_entry_point():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["entry-points"]["mkdocs.plugins"] == {
        "convgif": "convgif.integrations.mkdocs:ConvgifPlugin"
    }


def environment(tmp_path: Path) -> dict:
    """The environment of a build: this convgif first, and its entry point where the installed
    metadata does not have it yet (an editable install made before it existed)."""
    paths = [str(ROOT)]
    if "convgif" not in {e.name for e in entry_points(group="mkdocs.plugins")}:
        info = tmp_path / "shim" / "convgif_entry-0.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: convgif-entry\nVersion: 0\n")
        (info / "entry_points.txt").write_text(
            "[mkdocs.plugins]\nconvgif = convgif.integrations.mkdocs:ConvgifPlugin\n"
        )
        paths.append(str(info.parent))
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "MPLBACKEND": "Agg"}


def site(folder: Path, pages: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mkdocs.yml").write_text("site_name: layers\nplugins:\n  - convgif\n", encoding="utf-8")
    for name, text in pages.items():
        (folder / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / "docs" / name).write_text(text, encoding="utf-8")
    return folder


def build(folder: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q"], cwd=folder, env=env, capture_output=True, text=True
    )


def test_a_site_builds_with_pictures_stills_and_captions_and_renders_once(tmp_path):
    from PIL import Image

    folder = site(tmp_path / "project", {"index.md": INDEX, "guide/page.md": PAGE})
    Image.new("L", (12, 12), 200).save(folder / "docs" / "my picture.png")
    env = environment(tmp_path)
    done = build(folder, env)
    assert done.returncode == 0, done.stderr
    index = (folder / "site" / "index.html").read_text(encoding="utf-8")
    (picture,) = re.findall(r"<picture>.*?</picture>", index)
    still, gif = re.search(r'srcset="([^"]+)"><img src="([^"]+)"', picture).groups()
    assert 'media="(prefers-reduced-motion: reduce)"' in picture and f'alt="{CAPTION}"' in picture
    assert (folder / "site" / gif).is_file() and (folder / "site" / still).is_file() and gif.endswith(".gif")
    assert "--in 1,1" in index  # the fence inside a fence stays text
    page = (folder / "site" / "guide" / "page" / "index.html").read_text(encoding="utf-8")
    src = unquote(re.search(r'<img src="([^"]+)"', page).group(1))  # a URL: "my picture" is written %20 there
    assert src.startswith("../../assets/convgif/") and (folder / "site" / "guide" / "page" / src).resolve().is_file()
    still = unquote(re.search(r'srcset="([^"]+)"', page).group(1))
    assert " " not in re.search(r'srcset="([^"]+)"', page).group(1)  # a space would split the srcset
    assert (folder / "site" / "guide" / "page" / still).resolve().is_file()
    cached = sorted((folder / ".cache" / "convgif").iterdir())
    assert len(cached) == 4
    times = [p.stat().st_mtime_ns for p in cached]
    assert build(folder, env).returncode == 0
    assert [p.stat().st_mtime_ns for p in sorted((folder / ".cache" / "convgif").iterdir())] == times  # not again


def test_bad_arguments_stop_the_build_naming_the_page_and_the_option(tmp_path):
    folder = site(tmp_path, {"index.md": "# Bad\n\ntext\n\n```convgif\n--in 3,7,7 --g 2\n```\n"})
    done = build(folder, environment(tmp_path))
    assert done.returncode != 0
    assert "convgif: index.md, line 5: Invalid value for '--g' / '--groups'" in done.stderr


def test_a_block_reads_no_file_outside_the_docs_and_no_failure_is_a_traceback(tmp_path):
    from PIL import Image

    pages = {
        "outside.md": "# O\n\n```convgif\n--in 1,4,4 --image ../../secret.png\n```\n",
        "weights.md": "# W\n\n```convgif\n--in 1,4,4 --weights junk.pt\n```\n",
        "unpool.md": "# U\n\n```convgif\n--layer MaxUnpool2d --in 1,2,2 --k 100000000\n```\n",
    }
    Image.new("L", (4, 4), 9).save(tmp_path / "secret.png")
    for name, text in pages.items():
        folder = site(tmp_path / name.split(".")[0], {name: text})
        (folder / "docs" / "junk.pt").write_bytes(b"not a model")
        done = build(folder, environment(tmp_path))
        assert done.returncode != 0 and "Traceback" not in done.stderr, done.stderr
        assert f"convgif: {name}, line 3:" in done.stderr, done.stderr
        assert name != "outside.md" or "outside the folder" in done.stderr
