"""A Sphinx extension: ``.. convgif::`` shows the GIF the command line draws for its arguments.

Enable it with ``extensions = ["convgif.sphinx"]`` in ``conf.py``, then write the rendering
arguments as typed in a shell (they may go on over more lines, or into the directive's content)::

    .. convgif:: --in 3,7,7 --out 2 --k 3 --p 1 --s 2 --d 2
       :width: 60%

The GIF is rendered while the document is read, into ``<doctreedir>/convgif/``, under a name made
from the arguments (and the bytes of the files they name), and not again while that file exists.
The image node points at it, so Sphinx copies it into the output as it does any image (HTML:
``_images/``). Its alt text is the layer's caption unless ``:alt:`` is given. Files named by
``--image``, a ``.npy`` ``--kernel`` or ``--weights`` are relative to the document, or with a
leading ``/`` to the source folder, as for ``.. image::``, and must be inside the source folder
(or a folder that ``convgif_file_roots`` in ``conf.py`` lists, relative to the source folder), so that a page
never publishes a file from elsewhere on the machine. Whatever a directive's render fails on is
an error at the directive's line naming the option, never a crash of the build.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

from ..version import __version__
from . import words as sources

if TYPE_CHECKING:
    from sphinx.application import Sphinx

#: The folder of ``app.doctreedir`` that holds the rendered GIFs.
CACHE = "convgif"


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
        roots = [self.env.srcdir, *(Path(self.env.srcdir) / r for r in self.config.convgif_file_roots)]
        try:
            with sources.refusals():
                words = sources.read(
                    " ".join([*self.arguments, *self.content]),
                    lambda path: self.env.relfn2path(path)[1],
                    who="the directive",
                    check=sources.within(roots, "the documentation", "convgif_file_roots in conf.py"),
                )
                for file in words.files:
                    self.env.note_dependency(file)  # a changed file rereads the document, and renders anew
                path = Path(self.env.doctreedir) / CACHE / words.cache_name()
                if not path.exists():
                    path.parent.mkdir(parents=True, exist_ok=True)
                    words.request.render(path)
                spec = words.request.spec
        except sources.WordsError as error:
            raise self.error(f"convgif: {error}") from None
        uri = "/" + Path(os.path.relpath(path, self.env.srcdir)).as_posix()  # "/": from the source folder
        image = nodes.image(self.block_text, uri=uri, alt=self.options.get("alt", spec.caption))
        image["classes"] += self.options.get("class", [])
        if "width" in self.options:
            image["width"] = self.options["width"]
        self.set_source_info(image)
        return [image]


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the ``convgif`` directive."""
    app.add_directive("convgif", ConvgifDirective)
    app.add_config_value("convgif_file_roots", [], "env", [list, tuple])
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
