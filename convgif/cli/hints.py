"""Usage errors for the slips a student makes most, said with the fix.

click already suggests a close long option (``--kk``: did you mean ``--k``?). Two slips it
answers tersely: a long option typed with one dash (``-in 1,5,5`` is read as ``-i`` with
``n 1,5,5``: "No such option '-i'"), and a value with no option before it (``--in 1,5,5 3,3``
makes ``3,3`` a subcommand: "No such command '3,3'"). These classes name the option meant.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Optional

import click

#: A word that is a value (a shape, sizes, a number, a region), not a command's name.
VALUE = re.compile(r"[-+]?\d[\d.,:x×-]*")
#: The options of sizes a stray value most likely belongs to, in the order a student writes them.
SIZE_OPTIONS = (("input_shape", "--in"), ("kernel_size", "--k"), ("stride", "--s"), ("padding", "--p"))


def single_dash(command: click.Command, ctx: click.Context, args: Sequence[str], letter: str) -> Optional[str]:
    """The message for ``-in`` (a long option with one dash) among ``args``, when click refused
    its first letter ``letter`` (``-i``); else None."""
    longs = {opt for param in command.get_params(ctx) for opt in getattr(param, "opts", ()) if opt.startswith("--")}
    longs |= {opt for param in command.get_params(ctx) for opt in getattr(param, "secondary_opts", ())}
    for word in args:
        if word == "--":
            break
        if not re.fullmatch(r"-[A-Za-z][\w-]+(=.*)?", word) or word[:2] != letter:
            continue
        meant = "--" + word[1:].split("=", 1)[0]
        if meant in longs:
            return f"No such option '{word}': an option longer than one letter takes two dashes: {meant}"
    return None


def stray_value(ctx: click.Context, value: str) -> str:
    """The message for a value that follows no option: the size option it most likely lacks
    (the first of --in, --k, --s, --p not given)."""

    def given(name: str) -> bool:
        source = ctx.get_parameter_source(name)
        return source not in (None, click.core.ParameterSource.DEFAULT)

    free = [flag for name, flag in SIZE_OPTIONS if not given(name)]
    commands = ", ".join(getattr(ctx.command, "commands", {}))
    guess = ""
    if free:
        others = f" (or {', '.join(free[1:])})" if len(free) > 1 else ""
        guess = f" did you mean {free[0]} {value}{others}?"
    return f"{value!r} follows no option:{guess} Each value goes right after its option; only the commands {commands} stand alone"


class _Hinting:
    """Names the long option a one-dash word meant, where click names only its first letter."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        given = list(args)
        try:
            return super().parse_args(ctx, args)  # type: ignore[misc]
        except click.NoSuchOption as error:
            hint = single_dash(self, ctx, given, error.option_name)  # type: ignore[arg-type]
            if hint is None:
                raise
            raise click.UsageError(hint, ctx=ctx) from None


class HintingCommand(_Hinting, click.Command):
    """A command whose unknown-option error names the long option a one-dash word meant."""


class HintingGroup(_Hinting, click.Group):
    """The ``convgif`` group: the same hint for its options, and a value standing where a
    command would is named as the value of an option."""

    command_class = HintingCommand

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        name = args[0] if args else None
        if name is not None and name not in self.commands and VALUE.fullmatch(name):
            ctx.fail(stray_value(ctx, name))
        return super().resolve_command(ctx, args)
