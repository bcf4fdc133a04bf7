"""What the benchmark scripts share: their repeat-count options and the line naming the machine."""

from __future__ import annotations

import argparse
import compileall
import os
import platform
from collections.abc import Callable
from typing import Optional


def parse_args(
    doc: str,
    argv: Optional[list[str]],
    default: int,
    quick: int,
    name: str = "repeats",
    more: Optional[Callable[[argparse.ArgumentParser], None]] = None,
) -> argparse.Namespace:
    """Options ``--<name> N`` (default ``default``) and ``--quick`` (``quick`` of them)."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument(f"--{name}", type=int, help=f"{name} (default {default})")
    parser.add_argument("--quick", action="store_true", help=f"{quick} {name}, unless --{name}")
    if more is not None:
        more(parser)
    args = parser.parse_args(argv)
    if getattr(args, name) is None:
        setattr(args, name, quick if args.quick else default)
    if getattr(args, name) < 1:
        parser.error(f"--{name} must be at least 1")
    return args


def as_installed() -> None:
    """Start processes as an installed convgif starts: its bytecode compiled (pip compiles what
    it installs), and written for anything else they load (``PYTHONDONTWRITEBYTECODE`` dropped),
    so that a start-up time is not the compiler's."""
    import convgif

    compileall.compile_dir(os.path.dirname(convgif.__file__), quiet=1)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


def banner(what: str, repeats: int, per: str = "render") -> None:
    """Print the Python, system and machine, what is measured, and how often, then a blank line."""
    print(
        f"python {platform.python_version()}, {platform.system()} {platform.machine()}; "
        f"{what}; median of {repeats} repeats, one fresh process per {per}"
    )
    print()
