"""Files a render's words name, and the digest that says when a rendered picture is stale.

The gallery and the documentation plugins both take renders as the words a shell would pass;
files named by ``--image`` or a ``.npy`` ``--kernel`` are relative to the page or gallery file,
and their bytes are part of what a picture depends on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path

from .. import __version__

#: Options whose value may be a file.
FILE_OPTIONS = ("--image", "--kernel", "--weights")


def names_file(option: str, value: str) -> bool:
    """Whether ``value`` given to ``option`` is a path to a file."""
    return option in ("--image", "--weights") or (option == "--kernel" and value.strip().lower().endswith(".npy"))


def resolve(args: Sequence[str], locate: Callable[[str], str]) -> tuple[list[str], list[str]]:
    """``args`` with the files they name replaced by ``locate(path)``, and those files.

    Both ``--image PATH`` and ``--image=PATH`` are understood.
    """
    out: list[str] = []
    files: list[str] = []
    for arg in args:
        option, equals, value = arg.partition("=")
        if equals and option.startswith("--") and names_file(option, value):
            files.append(locate(value))
            arg = f"{option}={files[-1]}"
        elif out and out[-1] in FILE_OPTIONS and names_file(out[-1], arg):
            files.append(locate(arg))
            arg = files[-1]
        out.append(arg)
    return out, files


def digest(args: Sequence[str], files: Sequence[str]) -> str:
    """A hash of convgif's version, the words as written and the bytes of the files named
    (a missing file counts as empty)."""
    hasher = hashlib.sha256(__version__.encode())
    for arg in args:
        hasher.update(b"\0" + arg.encode())
    for file in files:
        path = Path(file)
        hasher.update(b"\0" + (path.read_bytes() if path.is_file() else b""))
    return hasher.hexdigest()
