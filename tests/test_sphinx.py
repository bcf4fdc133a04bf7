"""The Sphinx extension: ``.. convgif::`` renders at build time, once, into the HTML's images."""

import os
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("sphinx")
from sphinx.cmd.build import build_main  # noqa: E402

import convgif.integrations.sphinx  # noqa: E402
import convgif.sphinx  # noqa: E402,F401
from convgif.cli.options import Request  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CAPTION = (
    "Input Shape : (3, 7, 7) — Output Shape : (2, 3, 3) — K : (3, 3) — P : (1, 1) — S : (2, 2) — D : (2, 2) — G : 1"
)
SMALL = "Input Shape : (1, 5, 5) — Output Shape : (1, 3, 3) — K : (3, 3) — P : (0, 0) — S : (1, 1) — D : (1, 1) — G : 1"
PICTURE = "Input Shape : (1, 6, 6) — Output Shape : (1, 4, 4) — K : (3, 3) — P : (0, 0) — S : (1, 1) — D : (1, 1) — G : 1 — bias=False"

INDEX = """\
Layers
======

.. toctree::

   sub/page

.. convgif:: --in 3,7,7 --out 2 --k 3
   --p 1 --s 2 --d 2
   :width: 60%
   :class: wide

.. convgif::
   :alt: a small one

   --in 1,5,5 --max-frames 2
"""

PAGE = """\
A picture
=========

.. convgif:: --in 1,6,6 --image "my picture.png" --kernel sobel-x --no-bias
"""

BAD = """\
Bad
===

.. convgif:: --in 3,7,7 --g 2

.. convgif:: --in 3,7,7 --k "3

.. convgif:: --in 3,7,7 --bogus 1

.. convgif:: --in 1,5,5 info

.. convgif:: --in 1,5,5 --version
"""


class Images(HTMLParser):
    """The attributes of every ``<img>`` of a page."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.found: list[dict] = []
        self.feed(path.read_text(encoding="utf-8"))

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.found.append(dict(attrs))


@pytest.fixture
def renders(monkeypatch):
    """The argument lists of the renders the directive runs."""
    calls = []
    parsed = {}  # id of each request the directive parsed -> the arguments it parsed
    original_parse, original_render = convgif.integrations.words.parse, Request.render

    def parse(args):
        request = original_parse(args)
        parsed[id(request)] = list(args)
        return request

    def counted(self, path, progress=None):
        calls.append(parsed[id(self)])
        return original_render(self, path, progress)

    monkeypatch.setattr(convgif.integrations.words, "parse", parse)  # the front end the directive reads words with
    monkeypatch.setattr(Request, "render", counted)
    return calls


def build(src: Path, out: Path, *options: str) -> tuple[int, str]:
    """Build ``src`` as HTML into ``out``: the exit status and the warnings."""
    warnings = out.parent / f"{out.name}-warnings.txt"
    status = build_main(["-b", "html", "-q", "-N", "-w", str(warnings), *options, str(src), str(out)])
    return status, warnings.read_text(encoding="utf-8")


def project(folder: Path, pages: dict[str, str]) -> Path:
    for name, text in {"conf.py": 'extensions = ["convgif.sphinx"]\n', **pages}.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_gifs_render_once_into_the_html_output_with_the_caption_as_alt(tmp_path, renders):
    src = project(tmp_path / "src", {"index.rst": INDEX, "sub/page.rst": PAGE})
    Image.fromarray(np.arange(64, dtype=np.uint8).reshape(8, 8) * 4).save(src / "sub" / "my picture.png")
    out = tmp_path / "out"

    status, warnings = build(src, out)
    assert status == 0 and warnings == ""
    assert len(renders) == 3
    index, page = Images(out / "index.html").found, Images(out / "sub" / "page.html").found
    assert [img["alt"] for img in index] == [CAPTION, "a small one"]
    assert page[0]["alt"] == PICTURE
    assert index[0]["style"] == "width: 60%;" and index[0]["class"] == "wide"
    # src is a URL: a file name with a space (the picture's, "my picture") is written %20 there
    gifs = [(out / unquote(img["src"])).resolve() for img in index] + [
        (out / "sub" / unquote(page[0]["src"])).resolve()
    ]
    for gif in gifs:
        assert gif.parent == (out / "_images").resolve() and gif.read_bytes()[:6] == b"GIF89a"
    assert gifs[0].name.startswith("conv2d_3x7x7_out2_k3_s2_p1_d2-")
    assert Image.open(gifs[1]).n_frames == 2  # --max-frames 2, from the content, reached the CLI: a 1×2 part
    cached = sorted((out / ".doctrees" / "convgif").iterdir())
    assert sorted(gif.name for gif in gifs) == [gif.name for gif in cached]

    # A rebuild that rereads every page finds every GIF and renders nothing.
    stamps = {gif: gif.stat().st_mtime_ns for gif in cached}
    status, warnings = build(src, out, "-E")
    assert status == 0 and warnings == "" and len(renders) == 3
    assert {gif: gif.stat().st_mtime_ns for gif in cached} == stamps

    # A changed picture rereads its page and renders a new GIF.
    picture = src / "sub" / "my picture.png"
    Image.fromarray(np.full((8, 8), 200, dtype=np.uint8)).save(picture)
    os.utime(picture, ns=(time.time_ns() + 2 * 10**9,) * 2)  # newer than the last build on any clock
    status, warnings = build(src, out)
    assert status == 0 and warnings == "" and len(renders) == 4
    assert "--image" in renders[-1] and str(picture) in renders[-1]
    assert Images(out / "sub" / "page.html").found[0]["src"] != page[0]["src"]


def test_bad_arguments_are_errors_at_their_line_not_crashes(tmp_path):
    src = project(tmp_path / "src", {"index.rst": BAD})
    status, warnings = build(src, tmp_path / "out")
    assert status == 0 and "Traceback" not in warnings and "Exception occurred" not in warnings
    assert (
        "index.rst:4: ERROR: convgif: Invalid value for '--g' / '--groups': groups=2 must divide in_channels=3"
        in warnings
    )
    assert "index.rst:6: ERROR: convgif: cannot split the arguments as a shell would" in warnings
    assert "index.rst:8: ERROR: convgif: No such option" in warnings and "--bogus" in warnings
    assert "index.rst:10: ERROR: convgif: 'info' is a subcommand of the convgif command" in warnings
    assert "index.rst:12: ERROR: convgif: --help and --version print text; they draw nothing" in warnings
    assert Images(tmp_path / "out" / "index.html").found == []


def test_the_example_project_builds(tmp_path):
    status, warnings = build(ROOT / "examples" / "sphinx", tmp_path / "out")
    assert status == 0 and warnings == ""
    assert len(Images(tmp_path / "out" / "index.html").found) == 3


def test_convgif_imports_sphinx_only_as_the_extension():
    code = "import sys, convgif, convgif.cli; print(any(m.split('.')[0] == 'sphinx' for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


MYST = """\
# Layers in MyST

```{convgif} --in 3,7,7 --out 2 --k 3 --p 1 --s 2 --d 2
:width: 60%
```

```{convgif}
:alt: a small one

--in 1,5,5 --max-frames 2
```
"""


def test_myst_markdown_pages_use_the_directive_as_jupyter_book_does(tmp_path):
    pytest.importorskip("myst_parser")
    source = tmp_path / "src"
    source.mkdir()
    (source / "conf.py").write_text('extensions = ["myst_parser", "convgif.sphinx"]\n', encoding="utf-8")
    (source / "index.md").write_text(MYST, encoding="utf-8")
    status, warnings = build(source, tmp_path / "out")
    assert status == 0 and warnings == ""
    images = Images(tmp_path / "out" / "index.html").found
    assert [image["alt"] for image in images] == [CAPTION, "a small one"]
    assert images[0]["style"] == "width: 60%;"
    for image in images:
        assert (tmp_path / "out" / unquote(image["src"])).read_bytes().startswith(b"GIF89a")


def test_a_directive_reads_no_file_outside_the_source_folder_unless_allowed(tmp_path):
    Image.new("L", (4, 4), 9).save(tmp_path / "secret.png")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "junk.pt").write_bytes(b"not a model")
    page = ".. convgif:: --in 1,4,4 --image ../secret.png\n\n.. convgif:: --in 1,4,4 --weights junk.pt\n"
    src = project(tmp_path / "src", {"index.rst": "Page\n====\n\n" + page})
    status, warnings = build(src, tmp_path / "out")
    assert "index.rst:4: ERROR: convgif: --image names" in warnings and "outside the folder" in warnings
    assert "index.rst:6: ERROR: convgif: Invalid value for '--weights'" in warnings and "Traceback" not in warnings
    (src / "conf.py").write_text('extensions = ["convgif.sphinx"]\nconvgif_file_roots = [".."]\n')
    status, warnings = build(src, tmp_path / "out2")
    assert "--image names" not in warnings
