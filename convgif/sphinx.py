"""A Sphinx extension: ``.. convgif::`` shows the GIF the command line draws for its arguments.

Enable it with ``extensions = ["convgif.sphinx"]`` in ``conf.py``, then write the rendering
arguments as typed in a shell (they may go on over more lines, or into the directive's content)::

    .. convgif:: --in 3,7,7 --out 2 --k 3 --p 1 --s 2 --d 2
       :width: 60%

The GIF is rendered while the document is read, into ``<doctreedir>/convgif/``, under a name made
from the arguments (and the bytes of the files they name), and not again while that file exists.
The image node points at it, so Sphinx copies it into the output as it does any image (HTML:
``_images/``). Its alt text is the layer's caption unless ``:alt:`` is given. Files named by
``--image`` or a ``.npy`` ``--kernel`` are relative to the document, or with a leading ``/`` to
the source folder, as for ``.. image::``. Bad arguments are errors at the directive's line.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

from . import __version__
from .api import default_filename
from .cli import main, spec_from_args

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: The folder of ``app.doctreedir`` that holds the rendered GIFs.
CACHE = "convgif"


def _names_file(option: str, value: str) -> bool:
    """Whether ``value`` given to ``option`` is a path to a file."""
    return option == "--image" or (option == "--kernel" and value.strip().lower().endswith(".npy"))


class ConvgifDirective(SphinxDirective):
    """``.. convgif:: ARGS``: the GIF ``convgif ARGS`` writes, with the layer's caption as alt text."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec = {
        "width": directives.length_or_percentage_or_unitless,
        "alt": directives.unchanged,
        "class": directives.class_option,
    }

    def run(self) -> list[nodes.Node]:
        try:
            typed = shlex.split(" ".join([*self.arguments, *self.content]))
        except ValueError as error:
            raise self.error(f"convgif: cannot split the arguments as a shell would: {error}") from None
        if not typed:
            raise self.error("convgif: give the arguments of a render, e.g. --in 3,7,7 --k 3")
        args, files = self.resolve_files(typed)
        commands = [arg for arg in args if arg in main.commands]
        if commands:
            raise self.error(f"convgif: the directive draws a GIF; {commands[0]!r} is a subcommand")
        try:
            with contextlib.redirect_stdout(io.StringIO()):  # what --help, --version or a render print
                spec = spec_from_args(args)
                path = Path(self.env.doctreedir) / CACHE / f"{default_filename(spec)[:-4]}-{_digest(typed, files)}.gif"
                if not path.exists():
                    self.render(args, path)
        except click.ClickException as error:
            raise self.error(f"convgif: {error.format_message()}") from None
        except click.exceptions.Exit:
            raise self.error("convgif: --help and --version print text; they draw nothing") from None
        uri = "/" + Path(os.path.relpath(path, self.env.srcdir)).as_posix()  # "/": from the source folder
        image = nodes.image(self.block_text, uri=uri, alt=self.options.get("alt", spec.caption))
        image["classes"] += self.options.get("class", [])
        if "width" in self.options:
            image["width"] = self.options["width"]
        self.set_source_info(image)
        return [image]

    def resolve_files(self, typed: list[str]) -> tuple[list[str], list[str]]:
        """``typed`` with the files it names made absolute (from the document), and those files."""
        args: list[str] = []
        files: list[str] = []
        for arg in typed:
            option, equals, value = arg.partition("=")
            if equals and _names_file(option, value):
                arg = f"{option}={self.env.relfn2path(value)[1]}"
                files.append(arg.partition("=")[2])
            elif args and _names_file(args[-1], arg):
                arg = self.env.relfn2path(arg)[1]
                files.append(arg)
            args.append(arg)
        for file in files:
            self.env.note_dependency(file)  # a changed file rereads the document, and renders anew
        return args, files

    @staticmethod
    def render(args: list[str], path: Path) -> None:
        """Run the command line in-process to write ``path``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        main.main(args=[*args, "-o", str(path), "-q"], standalone_mode=False)
        if not path.exists():
            raise click.ClickException(f"nothing was written to {path}")


def _digest(typed: list[str], files: list[str]) -> str:
    """A short hash of convgif's version, the arguments as typed and the bytes of the files named."""
    digest = hashlib.sha256(__version__.encode())
    for arg in typed:
        digest.update(b"\0" + arg.encode())
    for file in files:
        digest.update(b"\0" + (Path(file).read_bytes() if Path(file).is_file() else b""))
    return digest.hexdigest()[:12]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the ``convgif`` directive."""
    app.add_directive("convgif", ConvgifDirective)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
