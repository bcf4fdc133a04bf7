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
``--kernel`` or ``--weights`` are relative to the page. Bad arguments stop the build with a
message naming the page and the option.
"""

from __future__ import annotations

import html
import posixpath
import re
import shlex
import shutil
from pathlib import Path
from typing import Any, Optional

from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin

from . import words as sources

#: Where the pictures go in the built site.
SITE_FOLDER = "assets/convgif"
FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)[^`]*$")


class ConvgifConfig(Config):
    cache_dir = config_options.Type(str, default=".cache/convgif")
    still = config_options.Type(bool, default=True)


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
        self.cache = Path(config.config_file_path or ".").resolve().parent / self.config.cache_dir
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
        import click

        from ..cli.options import parse
        from ..errors import SpecError

        where = f"{page.file.src_uri}, line {line}"
        try:
            typed = shlex.split(text)
        except ValueError as error:
            raise PluginError(f"convgif: {where}: cannot split the arguments as a shell would: {error}") from None
        if not typed:
            raise PluginError(f"convgif: {where}: give the arguments of a render, e.g. --in 3,7,7 --k 3")
        folder = Path(page.file.abs_src_path).parent
        args, files = sources.resolve(typed, lambda path: str((folder / path).resolve()))
        try:
            request = parse(args)
            name = Path(request.default_name())
            stem = f"{name.stem}-{sources.digest(typed, files)[:12]}"
            picture = self.cache / f"{stem}{name.suffix}"
            if not picture.exists():
                picture.parent.mkdir(parents=True, exist_ok=True)
                request.render(picture)
            still: Optional[Path] = None
            if self.config.still and not request.still:
                still = self.cache / f"{stem}-still.png"
                if not still.exists():
                    request.render_poster(still)
        except click.ClickException as error:
            raise PluginError(f"convgif: {where}: {error.format_message()}") from None
        except SpecError as error:
            raise PluginError(f"convgif: {where}: {error}") from None
        return self.html(page, request.spec.caption, picture, still)

    def html(self, page: Any, caption: str, picture: Path, still: Optional[Path]) -> str:
        """The markup for ``picture``: paths from the page's place in the site."""
        from PIL import Image

        here = posixpath.dirname(page.file.dest_uri) or "."
        src = self.publish(picture, here)
        e = html.escape
        if picture.suffix == ".mp4":
            poster = f' poster="{e(self.publish(still, here))}"' if still else ""
            return f'<video src="{e(src)}"{poster} controls loop muted playsinline aria-label="{e(caption)}"></video>'
        with Image.open(picture) as image:
            width, height = image.size
        img = f'<img src="{e(src)}" alt="{e(caption)}" width="{width}" height="{height}">'
        if still is None:
            return img
        srcset = e(self.publish(still, here))
        return f'<picture><source media="(prefers-reduced-motion: reduce)" srcset="{srcset}">{img}</picture>'

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
            shutil.copyfile(path, destination)
