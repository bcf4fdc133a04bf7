"""Optional extras: what each one brings, and the command that installs it here.

A hint to install an extra names the command that works for how convgif itself was installed,
as pip recorded it (``direct_url.json``, PEP 610):

* from a package index: ``pip install "convgif[video]"``;
* from a folder (a clone): ``pip install ".[video]"``, with ``-e`` when it was installed in
  editable mode, and the folder's path when the current folder is not that one;
* from a wheel or an archive: that file with the extra, while the file is still there;
  otherwise the extra's own requirements, as convgif's metadata lists them.

Nothing here imports more than the standard library, so a hint costs nothing at start-up.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Optional
from urllib.parse import unquote, urlparse

#: Each extra and what it brings, in the words of a hint.
EXTRAS = {
    "video": "imageio and imageio-ffmpeg, which brings its own ffmpeg",
    "torch": "PyTorch",
    "docs": "Sphinx and MyST",
    "mkdocs": "MkDocs",
    "test": "pytest, hypothesis, ruff and the notebook runner",
    "zh": "Noto Sans CJK, a freely licensed font for Chinese text (--lang zh-Hans, zh-Hant)",
}


@lru_cache(maxsize=1)
def _origin() -> tuple[str, Optional[Path], bool]:
    """How convgif was installed: ("index" | "folder" | "file" | "source", path, editable)."""
    from importlib import metadata

    try:
        dist = metadata.distribution("convgif")
    except metadata.PackageNotFoundError:  # imported from a source tree that is not installed
        return "source", Path(__file__).resolve().parent.parent, True
    try:
        found = json.loads(dist.read_text("direct_url.json") or "{}")
    except ValueError:
        found = {}
    url = found.get("url", "") if isinstance(found, dict) else ""
    if not url.startswith("file:"):
        return "index", None, False
    path = Path(unquote(urlparse(url).path))
    if "dir_info" in found:
        return "folder", path, bool((found.get("dir_info") or {}).get("editable"))
    return "file", path, False


def _requirements(extra: str) -> list[str]:
    """What ``extra`` requires, as convgif's installed metadata lists it."""
    from importlib import metadata

    try:
        listed = metadata.requires("convgif") or []
    except metadata.PackageNotFoundError:
        listed = []
    marker = re.compile(r"""\s*;\s*extra\s*==\s*["']""" + re.escape(extra) + r"""["']\s*$""")
    return [marker.sub("", line) for line in listed if marker.search(line)]


def install_command(extra: str) -> str:
    """The command that installs ``extra`` for this installation of convgif."""
    kind, path, editable = _origin()
    if kind == "index":
        return f'pip install "convgif[{extra}]"'
    assert path is not None
    if kind == "file":
        if path.is_file():
            return f'pip install "{os.fspath(path)}[{extra}]"'
        wanted = _requirements(extra)
        return "pip install " + " ".join(f'"{w}"' for w in wanted) if wanted else f'pip install "convgif[{extra}]"'
    try:
        here = Path.cwd().resolve() == path.resolve()
    except OSError:
        here = False
    where = "." if here else os.fspath(path)
    return f'pip install {"-e " if editable else ""}"{where}[{extra}]"'


def install_hint(extra: str) -> str:
    """The install command of ``extra`` and what it brings, e.g. ``pip install "convgif[video]"
    (imageio and imageio-ffmpeg, which brings its own ffmpeg)``."""
    return f"{install_command(extra)} ({EXTRAS[extra]})"
