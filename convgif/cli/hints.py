"""Usage errors for the slips a student makes most, said with the fix.

click already suggests a close long option (``--kk``: did you mean ``--k``?). Two slips it
answers tersely or wrongly: a long option typed with one dash (``-in 1,5,5`` is read as ``-i``
with ``n 1,5,5``: "No such option '-i'"; ``-out`` as ``-o ut``, a file named ``ut``; ``-k 3``
for ``--k 3``: "No such option '-k'"), and a
value with no option before it (``--in 1,5,5 3,3`` makes ``3,3`` a subcommand: "No such command
'3,3'"). These classes name the option meant.
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


def _long_options(command: click.Command, ctx: click.Context) -> set[str]:
    """Every ``--name`` the command knows, ``--no-name`` included."""
    params = command.get_params(ctx)
    longs = {opt for param in params for opt in getattr(param, "opts", ()) if opt.startswith("--")}
    return longs | {opt for param in params for opt in getattr(param, "secondary_opts", ())}


def _one_dash_long(word: str, longs: set[str]) -> Optional[str]:
    """``--in`` for ``-in`` or ``-in=1,5,5`` when ``--in`` is one of ``longs``; else None."""
    if not re.fullmatch(r"-[A-Za-z][\w-]+(=.*)?", word):
        return None
    meant = "--" + word[1:].split("=", 1)[0]
    return meant if meant in longs else None


def one_dash_first(command: click.Command, ctx: click.Context, args: Sequence[str]) -> Optional[str]:
    """The message for the first option word of ``args`` that is a long option typed with one
    dash, before click reads it: ``-out`` would otherwise be ``-o`` with the value ``ut`` (a
    file named ``ut``) and ``-quiet`` the flag ``-q`` followed by an unknown ``-u``. Values of
    options are skipped, and for a group so is everything from its command's name on (the
    command checks its own words). None when there is no such word."""
    longs = _long_options(command, ctx)
    params = command.get_params(ctx)
    valued = {opt for p in params if isinstance(p, click.Option) and not p.is_flag and not p.count for opt in p.opts}
    words = iter(args)
    for word in words:
        if word == "--":
            break
        meant = _one_dash_long(word, longs)
        if meant is not None:
            return f"No such option '{word}': an option longer than one letter takes two dashes: {meant}"
        if word in valued:
            next(words, None)
        elif not word.startswith("-") and not command.allow_interspersed_args:
            break
    return None


def one_letter(command: click.Command, ctx: click.Context, option: Optional[str]) -> Optional[str]:
    """The message for a one-letter option click refused (``-k``, ``-s``, ``-p``, ``-g``, ``-d``,
    as PyTorch's argument names suggest) that convgif spells with two dashes (``--k``); else None."""
    if option is None or not re.fullmatch(r"-[A-Za-z]", option) or "-" + option not in _long_options(command, ctx):
        return None
    return f"No such option '{option}': convgif's options take two dashes: -{option}"


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
    """Refuses a one-dash word that names a long option before click reads it as short ones, and
    names the two-dash option an unknown one-letter option (``-k``) meant."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        hint = one_dash_first(self, ctx, args)  # type: ignore[arg-type]
        if hint is not None:
            raise click.UsageError(hint, ctx=ctx)
        try:
            return super().parse_args(ctx, args)  # type: ignore[misc]
        except click.NoSuchOption as error:
            hint = one_letter(self, ctx, error.option_name)  # type: ignore[arg-type]
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
