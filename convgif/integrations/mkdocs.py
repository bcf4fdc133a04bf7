"""A MkDocs plugin: a fenced ``convgif`` block becomes the animation its arguments draw.

Enable it in ``mkdocs.yml`` (the ``mkdocs`` extra installs MkDocs)::

    plugins:
      - convgif

and write the ``convgif`` command's arguments in a fenced block of a page::

    ```convgif
    --in 3,7,7 --out 2 --k 3 --p 1 --s 2 --d 2
    ```

Each block is rendered when the site is built, into a cache folder (``cache_dir``, default
``.cache/convgif`` beside ``mkdocs.yml``) under a name made from the arguments and the bytes of
the files they name, as the Sphinx directive does, and not again while that file is there.
The page shows it with the layer's caption as alt text, and, unless ``still: false``, its last
frame to readers who prefer reduced motion. Files named by ``--image``, a ``.npy``
``--kernel`` or ``--weights`` are relative to the page, and must be inside the documentation's
folder (``docs_dir``) or a folder ``file_roots`` lists (relative to ``mkdocs.yml``), so that a
page never publishes a file from elsewhere on the machine. Whatever a block's render fails on
stops the build with a message naming the page, the line and the option, never a traceback.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any, Optional

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin

from ..files.atomic import write_bytes
from . import embed
from . import words as sources

#: Where the pictures go in the built site.
SITE_FOLDER = "assets/convgif"
FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)[^`]*$")


class ConvgifConfig(Config):
    cache_dir = config_options.Type(str, default=".cache/convgif")
    still = config_options.Type(bool, default=True)
    file_roots = config_options.Type(list, default=[])


def blocks(markdown: str) -> list[tuple[int, int, str]]:
    """The fenced ``convgif`` blocks of a page: (first line, line after the closing fence,
    the arguments inside), other fenced blocks skipped whole."""
    lines = markdown.split("\n")
    found, i = [], 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        fence = opening["fence"]
        end = i + 1
        while end < len(lines) and not re.match(rf"^ {{0,3}}{fence[0]}{{{len(fence)},}}\s*$", lines[end]):
            end += 1
        if opening["info"] == "convgif":
            found.append((i, min(end + 1, len(lines)), "\n".join(lines[i + 1 : end])))
        i = end + 1
    return found


class ConvgifPlugin(BasePlugin[ConvgifConfig]):
    """Renders the fenced ``convgif`` blocks of every page at build time."""

    def on_config(self, config: Any) -> Any:
        base = Path(config.config_file_path or ".").resolve().parent
        self.cache = base / self.config.cache_dir
        docs = getattr(config, "docs_dir", None)
        self.roots = [Path(docs) if docs else base, *(base / str(root) for root in self.config.file_roots)]
        self.pending: dict[str, Path] = {}
        return config

    def on_page_markdown(self, markdown: str, page: Any, config: Any, files: Any) -> str:
        found = blocks(markdown)
        if not found:
            return markdown
        lines = markdown.split("\n")
        for start, end, text in reversed(found):
            figure = self.figure(text, page, start + 1)
            lines[start:end] = ["", figure, ""]
        return "\n".join(lines)

    def figure(self, text: str, page: Any, line: int) -> str:
        """The HTML of one block: the rendered picture (and its still) with the caption."""
        where = f"{page.file.src_uri}, line {line}"
        folder = Path(page.file.abs_src_path).parent
        try:
            with sources.refusals():
                check = sources.within(self.roots, "the documentation", "file_roots of the convgif plugin")
                words = sources.read(text, lambda path: str(folder / path), who="the plugin", check=check)
                picture = self.cache / words.cache_name()
                request = words.request
                if not picture.exists():
                    picture.parent.mkdir(parents=True, exist_ok=True)
                    request.render(picture)
                still: Optional[Path] = None  # an MP4's size is read from its still, shown or not
                if not request.still and (self.config.still or picture.suffix == ".mp4"):
                    still = embed.still_name(picture)
                    if not still.exists():
                        request.render_poster(still)
                return self.html(page, request.spec.caption, picture, still)
        except sources.WordsError as error:
            raise PluginError(f"convgif: {where}: {error}") from None

    def html(self, page: Any, caption: str, picture: Path, still: Optional[Path]) -> str:
        """The markup for ``picture``: paths from the page's place in the site; the still is
        shown to readers who prefer reduced motion unless ``still: false`` (an MP4's size is
        read from it all the same)."""
        here = posixpath.dirname(page.file.dest_uri) or "."
        size = embed.size_of(picture, still)
        shown = self.publish(still, here) if still is not None and self.config.still else None
        return embed.html(self.publish(picture, here), caption, size, still=shown)

    def publish(self, path: Path, here: str) -> str:
        """Copy ``path`` into the site after the build; its URL from the folder ``here``."""
        target = f"{SITE_FOLDER}/{path.name}"
        self.pending[target] = path
        return posixpath.relpath(target, here)

    def on_post_build(self, config: Any) -> None:
        site = Path(config.site_dir)
        for target, path in self.pending.items():
            destination = site / target
            destination.parent.mkdir(parents=True, exist_ok=True)
            try:
                write_bytes(destination, path.read_bytes(), follow=False)
            except OSError as error:
                raise PluginError(f"convgif: cannot write {destination}: {error.strerror or error}") from None
