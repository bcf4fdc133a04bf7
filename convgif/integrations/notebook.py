"""convgif in Jupyter: ``convgif.show(...)`` and the ``%convgif`` magic.

``show`` renders into memory (nothing is written to disk) and displays the animation inline;
``%load_ext convgif`` adds the line magic ``%convgif``, which takes the ``convgif`` command's own
arguments (``%convgif --in 3,7,7 --k 3 --s 2``). IPython is imported only when one is running.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass, field
from typing import Any, Optional

from ..animation.result import RenderResult
from ..api import render, render_still


@dataclass(frozen=True)
class Shown(RenderResult):
    """A render kept in memory and already displayed by :func:`show`: the object returned
    shows itself again anywhere but in the cell that displayed it (no double picture when
    ``show(...)`` is a cell's last line)."""

    cell: Optional[int] = field(default=None, repr=False, compare=False)

    def _ipython_display_(self) -> None:
        shell = _shell()
        if shell is None or getattr(shell, "execution_count", None) != self.cell:
            from IPython.display import display

            display(self._repr_mimebundle_(), raw=True)


def _shell() -> Any:
    """The running IPython shell, or None (IPython is not imported if it is not loaded)."""
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    return get_ipython()


def show(spec: Any, *, step: Optional[int] = None, format: Optional[str] = None, **options: Any) -> RenderResult:
    """Render ``spec`` (a spec or a PyTorch module, with :func:`convgif.render`'s options)
    into memory and display it in the running notebook; returns the render, whose ``data``
    holds the bytes and which displays itself. ``step=N`` shows that step as a PNG instead.
    Outside IPython nothing is displayed."""
    buffer = io.BytesIO()
    if step is not None:
        if format is not None:
            raise _spec_error("format", "step shows one step as a PNG; format is for animations")
        result = render_still(spec, buffer, step=step, **options)
    else:
        result = render(spec, buffer, format=format, **options)
    return _display(result)


def _display(result: RenderResult) -> RenderResult:
    shell = _shell()
    if shell is None:
        return result
    from dataclasses import fields

    values = {f.name: getattr(result, f.name) for f in fields(result)}
    shown = Shown(**values, cell=getattr(shell, "execution_count", None))
    from IPython.display import display

    display(shown._repr_mimebundle_(), raw=True)
    return shown


def _spec_error(argument: str, message: str) -> Exception:
    from ..errors import SpecError

    return SpecError(argument, message)


def run_magic(line: str) -> Optional[RenderResult]:
    """``%convgif ARGS``: the picture ``convgif ARGS`` draws, shown inline (``-o FILE`` also
    writes it there). Bad arguments are reported as the command reports them, without a
    traceback."""
    from IPython.core.error import UsageError

    from . import words as sources

    try:
        typed = sources.split(line)
        if any(word in ("-h", "--help") for word in sources.options_in(typed)):
            print(magic_help())
            return None
        words = sources.read(typed, who="%convgif", output=True, example="%convgif --in 3,7,7 --k 3")
        request = words.request
        with sources.refusals():
            if words.output is not None:
                request.render(words.output)
            result = request.render(io.BytesIO())
    except sources.WordsError as error:
        raise UsageError(f"convgif: {error}") from None
    _display(result)
    return None


def magic_help() -> str:
    """The help of ``%convgif``: the command's render options, and ``-o``."""
    import click

    from ..cli.options import layer_options, render_options

    @click.command(name="%convgif", context_settings={"max_content_width": 100})
    @layer_options
    @render_options
    @click.option("-o", "--output", metavar="FILE", help="Also write the picture to this file.")
    def magic(**params: Any) -> None:
        """Show the picture that ``convgif ARGS`` draws under the cell: the same arguments
        as the command's (a render; its subcommands are for the shell).

            %convgif --in 3,7,7 --k 3 --s 2
        """

    return magic.get_help(click.Context(magic, info_name="%convgif"))


def load(ipython: Any) -> None:
    """Register ``%convgif`` with the IPython shell ``ipython``."""
    ipython.register_magic_function(run_magic, magic_kind="line", magic_name="convgif")
