"""A render written as the words a shell would pass to ``convgif``: one front end for every
integration that takes them (the Sphinx directive, the MkDocs plugin, the gallery, ``%convgif``).

:func:`read` splits the text as a shell would, takes out what the integration chooses itself
(``-o FILE`` for the magic; refused elsewhere), makes the files named by ``--image``, a
``.npy`` ``--kernel`` or ``--weights`` relative to the page or gallery file, and keeps the bytes of
those files for :func:`digest`, which says when a rendered picture is stale.
:attr:`Words.request` parses the words with :func:`convgif.cli.options.parse`. Everything refused
on the way, and a render refused later (:func:`refusals`), is one :class:`WordsError` with the
message the command would print, which each integration reports in its own way.
"""

from __future__ import annotations

import hashlib
import re
import shlex
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Optional, Union

from ..version import __version__

if TYPE_CHECKING:
    from ..cli.options import Request

#: Options whose value may be a file.
FILE_OPTIONS = ("--image", "--kernel", "--weights")
#: The command's options that say where the picture goes and what is printed: an integration
#: chooses these itself (the magic takes ``-o FILE``, as an extra copy of the picture).
OWN_OPTIONS = ("-o", "--output", "-q", "--quiet", "--markdown", "--html", "--relative-to")
#: Options that print text rather than draw.
HELP_OPTIONS = ("-h", "--help", "--version")
#: What the message for empty words suggests.
EXAMPLE = "--in 3,7,7 --k 3"


class WordsError(ValueError):
    """Words that do not describe a render: the message the command would give, and the
    option it is about (``"--groups"``, ``"-o"``), or None."""

    def __init__(self, message: str, option: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        self.option = option


def split(text: str) -> list[str]:
    """``text`` split as a shell would; an unclosed quote or a backslash at the end is a
    :class:`WordsError`."""
    try:
        return shlex.split(text)
    except ValueError as error:
        raise WordsError(f"cannot split the arguments as a shell would: {error}") from None


def names_file(option: str, value: str) -> bool:
    """Whether ``value`` given to ``option`` is a path to a file."""
    return option in ("--image", "--weights") or (option == "--kernel" and value.strip().lower().endswith(".npy"))


def resolve(
    args: Sequence[str], locate: Callable[[str], str], check: Optional[Callable[[str, str], None]] = None
) -> tuple[list[str], list[str]]:
    """``args`` with the files they name replaced by ``locate(path)``, and those files;
    ``check(option, located)`` is called on each (and may refuse it).

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
            option = out[-1]
            files.append(locate(arg))
            arg = files[-1]
        else:
            out.append(arg)
            continue
        if check is not None:
            check(option, files[-1])
        out.append(arg)
    return out, files


def within(roots: Sequence[Union[str, Path]], who: str, setting: str) -> Callable[[str, str], None]:
    """A check for :func:`resolve` that refuses a file outside every folder of ``roots`` (after
    symbolic links and ``..`` are resolved): a page's build reads only its own sources, unless
    the integration's ``setting`` names more folders."""
    import os

    folders = [os.path.realpath(root) for root in roots]

    def check(option: str, located: str) -> None:
        real = os.path.realpath(located)
        if not any(real == folder or real.startswith(folder.rstrip(os.sep) + os.sep) for folder in folders):
            raise WordsError(
                f"{option} names {located}, outside the folder {who} reads files from ({', '.join(folders)}): "
                f"move the file there, or add its folder to {setting}",
                option,
            )

    return check


#: Files larger than this are not hashed but known by size and time of change: no file a render
#: reads is that large (see the readers' limits), so it is refused anyway, and hashing it would
#: only cost time.
MAX_HASHED_BYTES = 1 << 30


def digest(args: Sequence[str], files: Sequence[str]) -> str:
    """A hash of convgif's version, the words as written and the bytes of the files named,
    read in chunks (a missing file, or one that is not a regular file, counts as empty)."""
    from ..inputs.files import open_regular

    hasher = hashlib.sha256(__version__.encode())
    for arg in args:
        hasher.update(b"\0" + arg.encode("utf-8", "surrogateescape"))
    for file in files:
        hasher.update(b"\0")
        try:
            size = Path(file).stat().st_size
            if size > MAX_HASHED_BYTES:
                stat = Path(file).stat()
                hasher.update(f"{stat.st_size}:{stat.st_mtime_ns}".encode())
                continue
            with open_regular(file, MAX_HASHED_BYTES) as opened:
                while chunk := opened.read(1 << 20):
                    hasher.update(chunk)
        except (OSError, ValueError):
            continue
    return hasher.hexdigest()


@dataclass(frozen=True)
class Words:
    """A render as words: as written (``typed``, without what the integration took out), with
    the files they name located (``args``), those files, and ``-o FILE`` where it was taken."""

    typed: tuple[str, ...]
    args: tuple[str, ...]
    files: tuple[str, ...] = ()
    output: Optional[str] = None

    @cached_property
    def request(self) -> Request:
        """The render the words describe (:func:`parse`; a :class:`WordsError` if refused)."""
        return parse(self.args)

    def digest(self) -> str:
        """What the picture depends on: the words as written, the files' bytes, the version."""
        return digest(self.typed, self.files)

    def cache_name(self) -> str:
        """A file name for the picture that changes when :meth:`digest` does:
        ``conv2d_3x7x7_k3_s2-0123456789ab.gif``."""
        name = Path(self.request.default_name())
        return f"{name.stem}-{self.digest()[:12]}{name.suffix}"


def read(
    source: Union[str, Sequence[str]],
    locate: Optional[Callable[[str], str]] = None,
    *,
    who: str = "this",
    output: bool = False,
    example: str = EXAMPLE,
    check: Optional[Callable[[str, str], None]] = None,
) -> Words:
    """The words of a render, checked: ``source`` is the text (split as a shell would) or the
    words already split; ``locate(path)`` says where a file they name is (default: as written);
    ``who`` names the integration in messages (``"the gallery"``); ``output`` takes ``-o FILE`` out
    (else it is refused, as are the command's other options about printing); ``check`` may
    refuse a file named (see :func:`within`). Nothing is parsed until :attr:`Words.request`.
    Refusals are :class:`WordsError`.
    """
    typed = split(source) if isinstance(source, str) else list(source)
    given = options_in(typed)
    asked = [word for word in given if word.partition("=")[0] in HELP_OPTIONS]
    if asked:
        raise WordsError("--help and --version print text; they draw nothing", asked[0])
    commands = [word for word in positional(typed) if word in subcommands()]
    if commands:
        raise WordsError(f"{commands[0]!r} is a subcommand of the convgif command; give the arguments of a render")
    taken, typed = take_output(typed) if output else (None, typed)
    own = sorted({_option_name(word) for word in options_in(typed) if _option_name(word) in OWN_OPTIONS})
    if own:
        raise WordsError(f"{who} chooses {', '.join(own)} itself", own[0])
    if not typed:
        raise WordsError(f"give the arguments of a render, e.g. {example}")
    try:
        args, files = resolve(typed, locate or str, check)
    except WordsError:
        raise
    except ValueError as error:  # a path holding a NUL character
        raise WordsError(f"a file the arguments name is not a valid path ({error})") from None
    return Words(tuple(typed), tuple(args), tuple(files), taken)


def parse(args: Sequence[str]) -> Request:
    """:func:`convgif.cli.options.parse`, its refusals as :class:`WordsError`."""
    from ..cli.options import parse as parse_options

    with refusals():
        return parse_options(args)


@contextmanager
def refusals() -> Iterator[None]:
    """Turns what a render refuses (click's usage errors while parsing, :class:`SpecError`
    while drawing) into :class:`WordsError`, with the message the command gives."""
    import click

    from ..cli.options import option_name
    from ..errors import SpecError

    try:
        yield
    except WordsError:
        raise
    except click.ClickException as error:
        raise WordsError(error.format_message(), _option_of(error)) from None
    except SpecError as error:
        raise WordsError(str(error), option_name(error.argument)) from None
    except OSError as error:
        raise WordsError(f"cannot write {error.filename or 'the picture'}: {error.strerror or error}") from None
    except click.exceptions.Exit as done:
        raise WordsError(f"the arguments ended the render (status {done.exit_code})") from None
    except Exception as error:  # noqa: BLE001 - whatever else fails is the block's error, not the build's crash
        raise WordsError(f"the render failed: {type(error).__name__}: {error}") from None


def _option_of(error: Exception) -> Optional[str]:
    """The option a click error is about, as the message names it first."""
    name = getattr(error, "option_name", None)
    if name:
        return name
    param = getattr(error, "param", None)
    if param is not None and getattr(param, "opts", None):
        return param.opts[0]
    hint = getattr(error, "param_hint", None)
    found = re.search(r"'(-[^']+)'", hint) if isinstance(hint, str) else None
    return found.group(1) if found else None


def take_output(words: Sequence[str]) -> tuple[Optional[str], list[str]]:
    """``-o FILE`` / ``--output FILE`` / ``--output=FILE`` taken out of ``words`` (the last one
    given counts, as for the command); a trailing ``-o`` without a file is a :class:`WordsError`."""
    rest, output, i = [], None, 0
    while i < len(words):
        word = words[i]
        if word in ("-o", "--output") and _is_option(words, i):
            if i + 1 >= len(words):
                raise WordsError(f"{word} needs a file name", word)
            output, i = words[i + 1], i + 2
            continue
        if word.startswith("--output=") and _is_option(words, i):
            output = word.partition("=")[2]
        else:
            rest.append(word)
        i += 1
    return output, rest


def options_in(words: Sequence[str]) -> list[str]:
    """The words that are options, not the values of the options before them."""
    return [word for i, word in enumerate(words) if word.startswith("-") and _is_option(words, i)]


def positional(words: Sequence[str]) -> list[str]:
    """The words that are neither options nor their values."""
    return [word for i, word in enumerate(words) if not word.startswith("-") and _is_option(words, i)]


def _is_option(words: Sequence[str], i: int) -> bool:
    """Whether ``words[i]`` stands where an option may (not as the value of the option before)."""
    return i == 0 or _option_name(words[i - 1]) not in valued() or "=" in words[i - 1]


def _option_name(word: str) -> str:
    return word.partition("=")[0] if word.startswith("--") else word


@lru_cache(maxsize=1)
def valued() -> frozenset[str]:
    """The options that take a value: the render's (as declared in :mod:`convgif.cli.options`)
    and the command's own."""
    import click

    from ..cli.options import layer_options, render_options

    @click.command()
    @layer_options
    @render_options
    def command(**params: object) -> None:
        """Only to read the options' declarations."""

    names = {
        name
        for param in command.params
        if isinstance(param, click.Option) and not param.is_flag and not param.count
        for name in param.opts
    }
    return frozenset(names | {"-o", "--output", "--relative-to"})


def subcommands() -> frozenset[str]:
    """The command's subcommands (``info``, ``bench``, ``gallery``), which draw nothing."""
    from ..cli.options import SUBCOMMANDS

    return frozenset(SUBCOMMANDS)
