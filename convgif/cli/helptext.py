"""``convgif --help`` without loading click: the help text, rendered ahead by click itself.

The command's help is a pure function of the sources that build it (the command's modules and
click's formatter) and of the width click wraps it to. ``help.txt`` beside this module holds the
text for the two widths a terminal usually gives (78 columns: a pipe, or an 80-column terminal;
98: a terminal of 100 columns or more) and a checksum of every source file it was rendered from.
The entry point prints it only while those files are byte for byte the same, so it cannot go
stale: after any change (or under another release of click) the command falls back to click,
and ``tests/test_cli_helptext.py`` asks for ``python -m convgif.cli.helptext`` to render it
again after a change to convgif.

Only the standard library's built-in modules are used here: this runs before anything else.
"""

from __future__ import annotations

import os
import sys
import zlib
from typing import Optional

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_PARENT = os.path.dirname(os.path.dirname(HERE))
TEXT_FILE = os.path.join(HERE, "help.txt")
#: The widths the text is kept for: click wraps help to min(columns, 100) − 2.
WIDTHS = (78, 98)
#: The options that print the command's help (its context's help_option_names).
HELP_ARGS = (["--help"], ["-h"])
#: click's modules that shape the text, as found on sys.path.
CLICK_FILES = ("click/core.py", "click/formatting.py", "click/decorators.py")


def width() -> int:
    """The width click wraps the command's help to: the terminal's columns (as
    ``shutil.get_terminal_size`` tells them, 80 when unknown), at most 100, less 2."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return max(min(columns or 80, 100) - 2, 50)


def _click_file(relative: str) -> Optional[str]:
    for folder in sys.path:
        path = os.path.join(folder or os.getcwd(), relative)
        if os.path.isfile(path):
            return path
    return None


def _path(name: str) -> Optional[str]:
    return _click_file(name) if name.startswith("click/") else os.path.join(PACKAGE_PARENT, name)


def checksum(names: list[str]) -> Optional[int]:
    """The CRC-32 of the files ``names`` (the package's by path from its folder's parent,
    click's as found on sys.path), in order; None when one is missing."""
    crc = 0
    for name in names:
        path = _path(name)
        try:
            with open(path, "rb") as file:  # type: ignore[arg-type]
                crc = zlib.crc32(file.read(), crc)
        except (OSError, TypeError):
            return None
    return crc


def prerendered(arguments: list[str], encoding: Optional[str] = "utf-8") -> Optional[str]:
    """The command's help for ``arguments`` (``--help`` alone) at this terminal's width, as
    click prints it, when it was rendered ahead from these very sources and ``encoding`` (the
    output's) can write it; else None (click prints it, replacing what cannot be written)."""
    wrap = width()
    if arguments not in HELP_ARGS or wrap not in WIDTHS:
        return None
    kept = read()
    if kept is None or kept[1] != digests(kept[0]):
        return None
    text = kept[2][WIDTHS.index(wrap)]
    try:
        text.encode(encoding or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return None
    return text


def read() -> Optional[tuple[list[str], tuple[Optional[int], ...], list[str]]]:
    """What ``help.txt`` holds: the source files, their checksums (the package's, click's) and
    the texts; None when it cannot be read."""
    try:
        with open(TEXT_FILE, encoding="utf-8") as file:
            header, sums, *texts = file.read().split("\f")
        kept = tuple(int(value, 16) for value in sums.split())
    except (OSError, ValueError):
        return None
    return (header.split(), kept, texts) if len(texts) == len(WIDTHS) else None


def digests(names: list[str]) -> tuple[Optional[int], ...]:
    """The checksums of the package's files among ``names`` and of click's."""
    return tuple(checksum([n for n in names if n.startswith("click/") == of_click]) for of_click in (False, True))


def sources() -> list[str]:
    """The package's files the command's help is built from: those importing its commands
    loads in a fresh interpreter (paths from the package folder's parent), and click's."""
    import subprocess

    script = (
        "import os, sys\nimport convgif.cli.commands\n"
        "for name, module in sorted(sys.modules.items()):\n"
        "    if name.split('.')[0] == 'convgif' and getattr(module, '__file__', None):\n"
        "        print(os.path.relpath(module.__file__, sys.argv[1]).replace(os.sep, '/'))\n"
    )
    found = subprocess.run([sys.executable, "-c", script, PACKAGE_PARENT], capture_output=True, text=True, check=True)
    return sorted(found.stdout.split()) + list(CLICK_FILES)


def render() -> str:
    """The contents of ``help.txt`` for the sources as they are: the files the help is built
    from, their checksum, and the text click prints at each of :data:`WIDTHS`."""
    import click

    from .commands import main

    names = sources()
    texts = []
    for columns in WIDTHS:
        formatting = click.formatting
        forced, formatting.FORCED_WIDTH = formatting.FORCED_WIDTH, columns
        try:
            with main.make_context("convgif", [], resilient_parsing=True) as ctx:
                texts.append(main.get_help(ctx) + "\n")
        finally:
            formatting.FORCED_WIDTH = forced
    sums = " ".join(f"{value:08x}" for value in digests(names))
    return "\f".join([" ".join(names), sums, *texts])


if __name__ == "__main__":
    with open(TEXT_FILE, "w", encoding="utf-8", newline="\n") as out:
        out.write(render())
    print(TEXT_FILE)
