"""The teaching gallery: entries declared in a TOML file, rendered in parallel, and two pages.

Each entry has a name, a title, an explanation and the convgif command's arguments. An entry
is rendered only when its GIF is missing or its digest (arguments, the files they name, and
the convgif version) changed; digests are kept in ``manifest.json`` beside the GIFs. The
pages, ``README.md`` and ``index.html``, show every entry with its caption, explanation, exact
command, output shape and parameter count, and the cost figures of ``convgif bench --preset
article`` when they are there.
"""

from __future__ import annotations

import glob
import html
import json
import os
import shlex
import signal
import sys
import time
import tomllib
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..files.atomic import write_if_changed
from ..inputs.files import read_regular
from . import embed
from . import words as sources

PLOTS = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups")


class GalleryError(ValueError):
    """A gallery file that cannot be used, with the reason."""


class GalleryWriteError(GalleryError):
    """A page or the manifest that cannot be written (a full disk, a read-only folder)."""


@dataclass(frozen=True)
class Entry:
    name: str
    title: str
    explanation: str
    args: tuple[str, ...]  # as written in the gallery file
    paths: tuple[str, ...]  # the same with file paths made absolute, to run
    files: tuple[str, ...] = ()  # the files they name


@dataclass(frozen=True)
class ModelEntry:
    """A whole network's page (``[[model]]``): the words after ``convgif model``, its source
    and files made absolute; built into the folder ``NAME`` beside the GIFs."""

    name: str
    title: str
    explanation: str
    args: tuple[str, ...]
    paths: tuple[str, ...]


@dataclass(frozen=True)
class Gallery:
    title: str
    intro: str
    entries: tuple[Entry, ...]
    folder: Path
    models: tuple[ModelEntry, ...] = ()


def load(config: Path) -> Gallery:
    """Read and check a gallery file; :class:`GalleryError` says what is wrong with it."""
    try:
        data = tomllib.loads(read_regular(config, MAX_TEXT_BYTES).decode("utf-8"))
    except OSError as error:
        raise GalleryError(f"{config}: {error.strerror or error}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise GalleryError(f"{config}: {error}") from None
    except RecursionError:
        raise GalleryError(f"{config}: nested too deeply to be a gallery file") from None
    title, intro = data.get("title", "convgif gallery"), data.get("intro", "")
    for key, value in (("title", title), ("intro", intro)):
        if not isinstance(value, str):
            raise GalleryError(f"{config}: {key} must be text")
    items = data.get("entry", [])
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise GalleryError(f"{config}: entries must be [[entry]] tables")
    entries, seen = [], set()
    for i, item in enumerate(items):
        missing = [key for key in ("name", "title", "args") if not isinstance(item.get(key), str)]
        if missing:
            raise GalleryError(f"{config}: entry {i + 1} needs {', '.join(missing)} (text)")
        name = item["name"]
        if name in seen or not name.replace("-", "").replace("_", "").isalnum():
            raise GalleryError(f"{config}: entry name {name!r} must be unique and made of letters, digits, - and _")
        seen.add(name)
        explanation = item.get("explanation", "")
        if not isinstance(explanation, str):
            raise GalleryError(f"{config}: entry {name!r}: explanation must be text")
        try:
            words = sources.read(item["args"], lambda path: str((config.parent / path).resolve()), who="the gallery")
        except sources.WordsError as error:
            raise GalleryError(f"{config}: entry {name!r}: {error}") from None
        entries.append(Entry(name, item["title"], " ".join(explanation.split()), words.typed, words.args, words.files))
    if not entries:
        raise GalleryError(f"{config}: no [[entry]] tables")
    models = []
    for i, item in enumerate(data.get("model", [])):
        if not isinstance(item, dict) or any(not isinstance(item.get(k), str) for k in ("name", "title", "args")):
            raise GalleryError(f"{config}: model {i + 1} needs name, title and args (text)")
        if item["name"] in seen:
            raise GalleryError(f"{config}: model name {item['name']!r} must be unique")
        seen.add(item["name"])
        typed = sources.split(item["args"])
        located = [str((config.parent / w).resolve()) if (".py:" in w or w.endswith(".txt")) else w for w in typed]
        located, _ = sources.resolve(located, lambda path: str((config.parent / path).resolve()))
        explanation = " ".join(str(item.get("explanation", "")).split())
        models.append(ModelEntry(item["name"], item["title"], explanation, tuple(typed), tuple(located)))
    return Gallery(title, " ".join(intro.split()), tuple(entries), config.parent, tuple(models))


def digest(entry: Entry) -> str:
    """What an entry's picture depends on: its arguments, the files they name, convgif's version."""
    return sources.digest(entry.args, entry.files)


@dataclass(frozen=True)
class Outcome:
    name: str
    error: Optional[str] = None


def render_entry(entry: Entry, out: Path) -> Outcome:
    """Render one entry into ``out``, named for the format it holds; errors come back as text."""
    try:
        request = sources.parse(entry.paths)
        target = out / target_name(entry.name, request)
        with sources.refusals():
            request.render(target)
            if not request.still:
                request.render_poster(embed.still_name(target))
    except sources.WordsError as error:
        return Outcome(entry.name, str(error))
    except Exception as error:  # one broken entry must not stop the others
        return Outcome(entry.name, f"{type(error).__name__}: {error}")
    return Outcome(entry.name)


def target_name(name: str, request) -> str:
    """An entry's file: ``NAME.gif``, ``NAME.webp``, ``NAME.png`` (stills and APNG)."""
    from ..files.formats import FORMATS, STILL_SUFFIX

    if request.still:
        return name + STILL_SUFFIX
    return name + FORMATS[request.options.get("format") or "gif"].suffix


def _still(picture: Optional[str], out: Path) -> Optional[str]:
    """The file of an animated entry's still (shown to readers who prefer reduced motion: its
    last frame), if it is there (an APNG has one; a still entry does not)."""
    if picture is None:
        return None
    still = embed.still_name(picture)
    return still if (out / still).is_file() else None


def _picture(entry: Entry, out: Path) -> Optional[str]:
    """The file an entry's picture is in, if it is there."""
    for candidate in sorted(out.glob(f"{entry.name}.*")):
        if candidate.suffix in (".gif", ".webp", ".png", ".mp4"):
            return candidate.name
    return None


def stale(gallery: Gallery, out: Path, only: Iterable[str] = (), force: bool = False) -> list[Entry]:
    """Entries whose GIF is missing or out of date (all of ``only``, or all, with ``force``)."""
    wanted = set(only)
    unknown = wanted - {e.name for e in gallery.entries} - {m.name for m in gallery.models}
    if unknown:
        raise GalleryError(f"no entries named {', '.join(sorted(unknown))}")
    manifest = _read_manifest(out)
    return [
        e
        for e in gallery.entries
        if (not wanted or e.name in wanted)
        and (force or manifest.get(e.name) != digest(e) or _picture(e, out) is None or _needs_still(e, out))
    ]


def tally(gallery: Gallery, out: Path, rendered: Iterable[Entry], only: Iterable[str] = ()) -> str:
    """What a build left alone, in words: the entries not rendered that are up to date in
    ``out``, and those ``--only`` left out that are out of date or have no picture there (the
    pages leave out every entry without a picture)."""
    done = {e.name for e in rendered}
    wanted = set(only)
    manifest = _read_manifest(out)
    fresh = missing = old = 0
    for entry in gallery.entries:
        if entry.name in done:
            continue
        if _picture(entry, out) is None:
            missing += 1
        elif manifest.get(entry.name) != digest(entry) or _needs_still(entry, out):
            old += 1
        else:
            fresh += 1
    words = [f"{fresh:,} up to date"] if fresh else []
    left = "left out by --only" if wanted else "not rendered"
    if old:
        words.append(f"{old:,} {left} and out of date")
    if missing:
        words.append(f"{missing:,} {left}, without a picture in {out} and so not on the pages")
    return "; ".join(words) or "no other entries"


def _needs_still(entry: Entry, out: Path) -> bool:
    """Whether an animated entry's still is missing."""
    picture = _picture(entry, out)
    return picture is not None and not picture.endswith(".png") and _still(picture, out) is None


def build(
    gallery: Gallery,
    out: Path,
    entries: Sequence[Entry],
    jobs: int,
    progress: Optional[Callable[[Outcome], None]] = None,
    models: Sequence[ModelEntry] = (),
    run_model: Optional[Callable[[list[str]], object]] = None,
) -> list[Outcome]:
    """Render ``entries`` on ``jobs`` worker processes, build the pages of ``models`` (each
    drawing only what changed) by calling ``run_model`` with the words of ``convgif model``,
    record the digests of the entries that succeeded, and write both pages."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise GalleryError(f"{out} is not a folder: the GIFs and pages need one") from None
    except OSError as error:
        raise GalleryError(f"{out}: cannot create the folder: {error.strerror or error}") from None
    outcomes = []
    if entries and jobs > 1:
        longest_first = sorted(entries, key=_cost, reverse=True)
        pool = ProcessPoolExecutor(
            max_workers=min(jobs, len(entries)), initializer=_start_worker, initargs=(os.getpid(),)
        )
        try:
            futures = [pool.submit(_work, e, out) for e in longest_first]
            WORKERS.update(getattr(pool, "_processes", {}))
            for future in as_completed(futures):
                outcomes.append(_outcome(future, futures, longest_first))
                if progress is not None:
                    progress(outcomes[-1])
        except BaseException:
            _stop(pool, out, entries)
            raise
        pool.shutdown()
        WORKERS.clear()
    else:
        for e in entries:
            outcomes.append(render_entry(e, out))
            if progress is not None:
                progress(outcomes[-1])
    for entry in models:
        assert run_model is not None, "models are built by a caller that runs convgif model"
        outcomes.append(build_model(entry, out, jobs, run_model))
        if progress is not None:
            progress(outcomes[-1])
    manifest = _read_manifest(out)
    done = {o.name for o in outcomes if o.error is None}
    manifest.update({e.name: digest(e) for e in entries if e.name in done})
    _write_if_changed(out / "manifest.json", json.dumps(dict(sorted(manifest.items())), indent=1) + "\n")
    write_pages(gallery, out)
    order = [e.name for e in entries] + [m.name for m in models]
    return sorted(outcomes, key=lambda o: order.index(o.name))


def build_model(entry: ModelEntry, out: Path, jobs: int, run: Callable[[list[str]], object]) -> Outcome:
    """``convgif model`` (``run``, given its words) with the entry's words, into ``out/NAME``;
    errors come back as text."""
    import click

    try:
        run(["-o", str(out / entry.name), "--jobs", str(jobs), "-q", *entry.paths])
    except click.ClickException as error:
        return Outcome(entry.name, error.format_message())
    except SystemExit as stop:
        if stop.code:
            return Outcome(entry.name, "some layers failed to draw: see its page")
    except Exception as error:  # one broken model must not stop the others
        return Outcome(entry.name, f"{type(error).__name__}: {error}")
    return Outcome(entry.name)


#: The worker processes of the build running (their process ids), ended with it.
WORKERS: set[int] = set()
#: How long workers told to stop may take to remove their temporary files before they are killed.
STOP_SECONDS = 5.0


def end_workers() -> None:
    """Tell every worker to stop (SIGTERM: each removes its temporary file and ends)."""
    for pid in list(WORKERS):
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
        WORKERS.discard(pid)


def _stop(pool: ProcessPoolExecutor, out: Path, entries: Sequence[Entry]) -> None:
    """End a build that is interrupted: queued entries cancelled, running ones stopped (their
    temporary files removed), no worker left behind."""
    processes = list(getattr(pool, "_processes", {}).values())
    end_workers()
    pool.shutdown(wait=False, cancel_futures=True)
    deadline = time.monotonic() + STOP_SECONDS
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join()
    for entry in entries:  # a worker killed before it could remove its temporary file
        for left in out.glob(f".{glob.escape(entry.name)}*.part*"):
            left.unlink(missing_ok=True)


def _outcome(future, futures: list, entries: Sequence[Entry]) -> Outcome:
    """A worker's outcome; a worker that died says so for its entry."""
    try:
        return future.result()
    except BrokenProcessPool:
        return Outcome(entries[futures.index(future)].name, "its worker process ended unexpectedly")


#: Whether a worker is rendering (a signal then unwinds the render, removing its temporary file).
_rendering: list[bool] = []


def _start_worker(parent: int) -> None:
    """In each worker: end with the build (on Linux the kernel sends SIGTERM when the build's
    process ends, however it ends), end on every signal that ends the build, then warm up."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
        except Exception:  # noqa: BLE001 - no prctl: the build ends its workers itself
            pass
    if os.getppid() != parent:  # the build ended while this worker started
        os._exit(128 + signal.SIGTERM)
    from ..interrupts import SIGNALS

    for sig in SIGNALS:
        signal.signal(sig, _worker_signal)
    _warm_up()


def _worker_signal(signum: int, frame: object) -> None:
    from ..interrupts import Interrupted, end_now

    if not _rendering or _rendering[0] is False:
        end_now(signum)
    _rendering[:] = [False]
    raise Interrupted(signum)


def _work(entry: Entry, out: Path) -> Outcome:
    """Render one entry in a worker; a signal ends the worker once the render has unwound."""
    from ..interrupts import Interrupted, end_now

    _rendering[:] = [True]
    try:
        return render_entry(entry, out)
    except Interrupted as stop:
        end_now(stop.signum)
        raise
    finally:
        _rendering[:] = []


def _warm_up() -> None:
    """In each worker, while the others start: load the renderer and draw the usual glyphs."""
    from ..picture import glyphs, sizes

    for style in (sizes.CAPTION, sizes.LABEL, sizes.CELL):
        for char in map(chr, range(32, 127)):
            glyphs.glyph(style, char)


def _cost(entry: Entry) -> int:
    """A rough measure of an entry's rendering work, to start the longest first: the frames its
    render draws with the entry's own options (``--values`` may draw a smaller part), doubled
    when they write numbers, which take longer to draw."""
    from ..api import frames_of
    from ..cli.options import parse

    try:
        request = parse(entry.paths)
        return frames_of(request.spec, **request.options) * (2 if request.options["values"] else 1)
    except Exception:  # a broken entry fails fast in its worker
        return 0


#: The largest gallery file, manifest or page read: far above what hundreds of entries need.
MAX_TEXT_BYTES = 16 << 20


def _read_manifest(out: Path) -> dict[str, str]:
    """The digests recorded in ``manifest.json``; a manifest that is missing, damaged or not a
    table of names and digests counts as empty (every entry is then rendered anew)."""
    try:
        data = json.loads(read_regular(out / "manifest.json", MAX_TEXT_BYTES).decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {name: value for name, value in data.items() if isinstance(value, str)}


def _write_if_changed(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically unless it already holds it; :class:`GalleryError`
    when it cannot be written."""
    try:
        write_if_changed(path, text)
    except OSError as error:
        raise GalleryWriteError(f"cannot write {path}: {error.strerror or error}") from None


# -- the pages ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """What the pages say about an entry."""

    entry: Entry
    caption: str
    output_shape: tuple[int, ...]
    parameters: str
    gif: Optional[str]
    still: Optional[str] = None
    size: Optional[tuple[int, int]] = None


def _describe(entry: Entry, out: Path) -> Shown:
    from .. import ops

    try:
        spec = sources.parse(entry.paths).spec
    except sources.WordsError as error:
        return Shown(entry, f"refused: {error}", (), "no", None)
    parameters = ops.of(spec).parameters_text(spec).removesuffix(" parameters").replace(" parameters (", " (")
    picture = _picture(entry, out)
    still = _still(picture, out)
    return Shown(entry, spec.caption, spec.output_shape, parameters, picture, still, _size(out, picture, still))


def _size(out: Path, picture: Optional[str], still: Optional[str] = None) -> Optional[tuple[int, int]]:
    """A picture's width and height, if it is there and can be read."""
    if picture is None:
        return None
    try:
        return embed.size_of(out / picture, out / still if still else None)
    except (OSError, ValueError):  # unreadable, or an MP4 without its still
        return None


def _command(entry: Entry) -> str:
    return "convgif " + shlex.join(entry.args)


def _built(gallery: Gallery, out: Optional[Path]) -> list[ModelEntry]:
    """The models whose pages are there (with their receptive field's animation)."""
    return [m for m in gallery.models if out is not None and (out / m.name / "receptive-field.gif").is_file()]


def write_pages(gallery: Gallery, out: Path) -> None:
    """Write ``README.md`` and ``index.html`` for every entry whose picture is in ``out`` (and
    the cost figures found): the pages show what the folder holds, so a build of a few entries
    (``--only``) into a new folder is a small gallery of those, with no empty sections."""
    shown = [_describe(e, out) for e in gallery.entries if _picture(e, out) is not None]
    plots = [name for name in PLOTS if (out / "plots" / f"article_{name}.png").is_file()]
    _write_if_changed(out / "README.md", markdown(gallery, shown, plots, out))
    _write_if_changed(out / "index.html", page(gallery, shown, plots, out))


def markdown(gallery: Gallery, shown: Sequence[Shown], plots: Sequence[str], out: Optional[Path] = None) -> str:
    lines = [
        f"# {gallery.title}",
        "",
        gallery.intro,
        "",
        "Built by `convgif gallery` from `gallery.toml`: edit that file, not this one.",
        "",
    ]
    lines += [f"- [{s.entry.title}](#{s.entry.name})" for s in shown]
    if plots:
        lines.append("- [What each argument costs](#costs)")
    lines += [f"- [{m.title}](#{m.name})" for m in _built(gallery, out)]
    for s in shown:
        lines += ["", f'<a id="{s.entry.name}"></a>', "", f"## {s.entry.title}", ""]
        lines += [_figure(s, sized=False) if s.gif else "*(not rendered: see the gallery build's report)*", ""]
        lines += [f"`{s.caption}`", "", s.entry.explanation, "", "```sh", _command(s.entry), "```", ""]
        lines.append(f"Output shape {s.output_shape}, {s.parameters} parameters.")
    for m in _built(gallery, out):
        lines += [
            "",
            f'<a id="{m.name}"></a>',
            "",
            f"## {m.title}",
            "",
            embed.markdown(f"{m.name}/receptive-field.gif", m.title),
            "",
        ]
        lines += [m.explanation, "", "```sh", "convgif model " + shlex.join(m.args), "```", ""]
        lines.append(
            f"[The page: every module, its shapes, costs and receptive field, and every layer drawn]({m.name}/README.md)"
        )
    if plots:
        lines += ["", '<a id="costs"></a>', "", "## What each argument costs", ""]
        lines += ["Measured with `convgif bench --preset article`: parameters above, forward-pass time below.", ""]
        lines += [embed.markdown(f"plots/article_{name}.png", name.replace("_", " ")) for name in plots]
    return "\n".join(lines) + "\n"


def _figure(s: Shown, sized: bool) -> str:
    """An entry's picture; an animation with its still for readers who prefer reduced motion.
    ``sized``: with its width and height (not in ``README.md``: GitHub removes the style that
    keeps them from squashing a picture wider than its column)."""
    return embed.html(s.gif or "", s.caption, s.size if sized else None, still=s.still)


STYLE = """
body{font:15px/1.5 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#1f2328;background:#fff}
h1{font-size:1.8em}h2{font-size:1.25em;margin-top:2.2em;border-top:1px solid #d0d7de;padding-top:1em}
img{max-width:100%;height:auto;border:1px solid #d0d7de;border-radius:4px;background:#fff}
code,pre{font:13px/1.4 ui-monospace,monospace;background:#f6f8fa;border-radius:4px}
pre{padding:.6em .8em;overflow-x:auto}.caption{color:#57606a;font-size:13px}
nav ul{columns:2;padding-left:1.2em}
@media (prefers-color-scheme:dark){body{color:#e6edf3;background:#0d1117}code,pre{background:#161b22}
h2{border-color:#30363d}.caption{color:#8b949e}}
"""


def page(gallery: Gallery, shown: Sequence[Shown], plots: Sequence[str], out: Optional[Path] = None) -> str:
    """``index.html``; the cost figures sized from their files in ``out/plots``, when given."""
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(gallery.title)}</title><style>{STYLE.strip()}</style></head><body>",
        f"<h1>{e(gallery.title)}</h1><p>{e(gallery.intro)}</p>",
        "<nav><ul>" + "".join(f'<li><a href="#{e(s.entry.name)}">{e(s.entry.title)}</a></li>' for s in shown),
    ]
    if plots:
        parts.append('<li><a href="#costs">What each argument costs</a></li>')
    parts.append("</ul></nav>")
    for s in shown:
        parts.append(f'<section id="{e(s.entry.name)}"><h2>{e(s.entry.title)}</h2>')
        if s.gif:
            parts.append(_figure(s, sized=True))
        parts.append(f'<p class="caption">{e(s.caption)}</p><p>{e(s.entry.explanation)}</p>')
        parts.append(f"<pre><code>{e(_command(s.entry))}</code></pre>")
        parts.append(f"<p>Output shape {e(str(s.output_shape))}, {e(s.parameters)} parameters.</p></section>")
    for m in _built(gallery, out):
        parts.append(f'<section id="{e(m.name)}"><h2>{e(m.title)}</h2>')
        field = f"{m.name}/receptive-field.gif"
        still = embed.still_name(field)  # written beside it by convgif model, for reduced motion
        has_still = out is not None and (out / still).is_file()
        parts.append(embed.html(field, m.title, out and _size(out, field), still=still if has_still else None))
        parts.append(f"<p>{e(m.explanation)}</p><pre><code>{e('convgif model ' + shlex.join(m.args))}</code></pre>")
        parts.append(
            f'<p><a href="{e(m.name)}/index.html">The page: every module and every layer drawn</a></p></section>'
        )
    if plots:
        parts.append('<section id="costs"><h2>What each argument costs</h2>')
        parts.append(
            "<p>Measured with <code>convgif bench --preset article</code>: parameters above, forward-pass time below.</p>"
        )
        parts += [
            embed.html(f"plots/article_{n}.png", n.replace("_", " "), out and _size(out, f"plots/article_{n}.png"))
            for n in plots
        ]
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
