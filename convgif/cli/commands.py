"""The ``convgif`` command: a thin layer over :func:`convgif.render`.

Options carry PyTorch's names as well as short ones (declared in :mod:`convgif.cli.options`). Bad
arguments are usage errors (exit status 2) that name the option, its value and the rule; a file
that cannot be written is an error with exit status 1. Rendering options live on the root
command, so that subcommands can stand beside them.
"""

from __future__ import annotations

import io
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Optional

import click

from ..animation import DEFAULT_MAX_FRAMES
from ..errors import SpecError
from ..language import LANGS
from ..picture import THEME_NAMES
from ..version import __version__
from .hints import HintingGroup
from .options import bad, fail, layer_from, layer_options, render_options, request_from, spec_from, views_from
from .output import cannot_write, check_stream, folder_given, send, stream_of
from .shapes import channel_note
from .types import ShapeType


def is_terminal(stream: Any) -> bool:
    """Whether ``stream`` is a terminal that understands cursor movement: not a pipe or file,
    not ``TERM=dumb``, and not the pseudo-terminal a Jupyter kernel gives ``!convgif`` (whose
    output cell would show the escape codes as text)."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        return False
    return bool(tty) and os.environ.get("TERM") != "dumb" and "JPY_PARENT_PID" not in os.environ


class _Progress:
    """A progress bar on stderr that appears only once a render has taken a moment."""

    DELAY = 0.4

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.perf_counter()
        self.bar = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            if time.perf_counter() - self.started < self.DELAY or done == total:
                return
            self.bar = click.progressbar(length=total, label="rendering", file=sys.stderr, show_eta=True)
            self.bar.__enter__()
            self.bar.update(done - 1)
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@click.group(
    cls=HintingGroup,
    name="convgif",
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@layer_options
@render_options
@click.option(
    "-o",
    "--output",
    "path",
    type=click.Path(),
    help="File to write [default: named from the arguments, in the current folder].",
)
@click.option("--markdown", is_flag=True, help="Also print a Markdown snippet that embeds the file.")
@click.option(
    "--html",
    is_flag=True,
    help="Also print an HTML snippet that embeds the file, with a still (written beside it as NAME-still.png) for readers who prefer reduced motion.",
)
@click.option(
    "--relative-to",
    "relative_to",
    type=click.Path(file_okay=False),
    help="Write the paths in the --markdown / --html snippets relative to this folder (the page's).",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or notes; print only the path.")
@click.version_option(__version__, "--version", prog_name="convgif")
@click.pass_context
def main(
    ctx: click.Context,
    path: Optional[str],
    markdown: bool,
    html: bool,
    relative_to: Optional[str],
    quiet: bool,
    **params: Any,
) -> None:
    """Animate the forward pass of a PyTorch convolution or pooling layer as a GIF.

    Every kernel placement is one frame, captioned with the shapes and K, P, S, D and G:

        convgif --in 3,7,7 --k 3 --s 2
    """
    if ctx.invoked_subcommand is not None:
        return
    if all(ctx.get_parameter_source(name) == click.core.ParameterSource.DEFAULT for name in ctx.params):
        click.echo(ctx.get_help())
        return
    if relative_to is not None and not (markdown or html):
        raise fail(
            f"--relative-to {relative_to} sets the paths of the --markdown and --html snippets, and neither is "
            "asked for: add --markdown or --html, or drop --relative-to",
            "relative_to",
        )
    request = request_from(ctx, params)
    if path is not None and not path.strip():
        raise fail("the output path is empty", "path")
    fd = stream_of(path)
    to_stdout = fd is not None
    if to_stdout:
        check_stream(fd, path)
    try:
        target: Any = io.BytesIO() if to_stdout else path if path else request.default_name()
        if not to_stdout and path and (os.path.isdir(path) or path.endswith(("/", os.sep))):
            raise fail(folder_given(path, request.default_name()), "path")
    except SpecError as error:
        raise bad(error) from None
    progress = _Progress(enabled=not quiet and is_terminal(sys.stderr))
    try:
        result = request.render(target, progress=progress)
    except SpecError as error:
        raise bad(error) from None
    except OSError as error:
        raise click.ClickException(cannot_write(target, error, "-o/--output" if path else "")) from None
    except MemoryError:
        raise click.ClickException(OUT_OF_MEMORY) from None
    except KeyboardInterrupt:
        click.echo("interrupted: nothing written", err=True)
        ctx.exit(128 + signal.SIGINT)
    finally:
        progress.close()
    poster = None
    if html and not to_stdout and not request.still:
        from ..integrations import embed

        poster = embed.still_name(Path(target))
        try:
            request.render_poster(poster)
        except OSError as error:
            raise click.ClickException(cannot_write(poster, error)) from None
        except MemoryError:
            raise click.ClickException(OUT_OF_MEMORY) from None
    if to_stdout:  # the picture is the output; what is said goes to stderr
        send(fd, target.getbuffer(), path)
    on_stdout = fd == 1  # the picture is there: what is said goes to stderr (to stdout when the picture is on stderr)
    shown = "-" if on_stdout else str(result.path if path is None else path)
    snippets = Snippets(markdown, html, relative_to, poster)
    from .. import ops

    read = channel_note(request.spec, ops.of(request.spec), params.get("input_shape"))
    try:
        _report(
            request.spec, result, shown, quiet, snippets, request.still, err=on_stdout, notes=[read] if read else []
        )
    except OSError as error:
        raise click.ClickException(
            f"wrote {result.path}, but cannot print to standard output: {error.strerror or error}"
        ) from None


#: What a render that runs out of memory says (exit 1): the machine, not a rule, stopped it.
OUT_OF_MEMORY = (
    "out of memory while drawing this layer: nothing written. Draw a smaller part of it (--region, "
    "--max-frames) or a smaller layer (--in); `convgif info` with the same options tells what a render draws"
)


class Snippets:
    """The ``--markdown`` / ``--html`` snippets asked for, with paths relative to a folder
    (the markup is :mod:`convgif.integrations.embed`'s)."""

    def __init__(self, markdown: bool, html: bool, relative_to: Optional[str], poster: Optional[Path]) -> None:
        self.markdown, self.html, self.relative_to, self.poster = markdown, html, relative_to, poster

    def path(self, path: str) -> str:
        """``path`` as a page in ``--relative-to`` refers to it (as given without it)."""
        if self.relative_to is None or path == "-":
            return path
        return Path(os.path.relpath(os.path.abspath(path), os.path.abspath(self.relative_to))).as_posix()

    def lines(self, shown: str, alt: str, size: tuple[int, int], format: str) -> list[str]:
        if not (self.markdown or self.html):
            return []
        from ..integrations import embed

        src = self.path(shown)
        lines = []
        if self.markdown:
            lines.append(embed.markdown(src, alt))
        if self.html:
            still = self.path(str(self.poster)) if self.poster is not None else None
            lines.append(embed.html(src, alt, size, format=format, still=still))
        return lines


def _report(
    spec: Any,
    result: Any,
    shown: str,
    quiet: bool,
    snippets: Snippets,
    still: bool,
    err: bool,
    notes: Sequence[str] = (),
) -> None:
    """The path, the snippets asked for, ``notes`` and those of the result, and the summary line
    (all on stderr with ``-o -``)."""
    echo = (lambda text: click.echo(text, err=True)) if err else click.echo
    if not err:
        echo(shown)
    for line in snippets.lines(shown, spec.caption, result.size, result.format):
        echo(line)
    if quiet:
        return
    for note in (*notes, *render_notes(result)):
        click.echo(f"note: {note}", err=True)
    frames = frames_text(result)
    from .. import ops

    parameters = ops.of(spec).parameters_text(spec)
    echo(f"output {spec.output_shape} · {parameters} · {frames} · {result.bytes:,} bytes · {result.seconds:.2f} s")


def frames_text(result: Any) -> str:
    """``98 frames``; for a contact sheet ``sheet of 98 frames``, or of a sample of them
    ``sheet of 9 of 98 frames`` (its tiles are not every frame the animation plays)."""
    every = result.sheet_of or result.frames
    counted = f"{every:,} frame{'s' if every != 1 else ''}"
    if not result.sheet_of:
        return counted
    return f"sheet of {counted}" if result.frames == every else f"sheet of {result.frames:,} of {counted}"


def part_text(region: Any) -> str:
    """``rows 0–9, columns 2–5`` of a part, ends included; one row, column or position is
    named alone (``row 0, column 0``), not as a span ``0–0``."""

    def span(word: str, bounds: tuple[int, int]) -> str:
        first, last = bounds[0], bounds[1] - 1
        return f"{word} {first:,}" if first == last else f"{word}s {first:,}–{last:,}"

    if region.dims == 1:
        return span("position", region.cols)
    return f"{span('row', region.rows)}, {span('column', region.cols)}"


def render_notes(result: Any) -> list[str]:
    """What a render leaves out and how to draw more of it: the steps of the channels not shown
    (counted of the part drawn, and of the whole layer when only a part is), the part of the
    output drawn, and the least ``--width`` or ``--scale`` that draws every step, where one does."""
    said = []
    if result.shown_steps < result.steps:
        counted = (
            f"{result.shown_steps:,} of the layer's {result.steps:,} steps"
            if result.region is None
            else f"{result.shown_steps:,} of this part's {result.steps:,} steps; the whole layer has {result.layer_steps:,}"
        )
        said.append(f"only the steps of the output channels shown are drawn ({counted})")
    elif result.channels:
        said.append(f"showing {result.channels}")
    if result.region is not None:
        other = "C0:C1" if result.region.dims == 1 else "R0:R1,C0:C1"
        hint = "" if result.region_asked else f" (--region {other} draws another part)"
        said.append(f"drew output {part_text(result.region)} and the input they read{hint}")
    options = " or ".join(f"--{name} {value}" for name, value in sorted(result.whole_by.items(), key=_width_first))
    if options and result.region is None and result.shown_steps >= result.steps:  # every step played already
        said.append(f"{options} draws every channel as well (each step writes them all)")
    elif options:
        said.append(f"{options} draws every step of the layer ({result.layer_steps:,})")
    if result.past_column:
        said.append(result.past_column)
    return said


def _width_first(item: tuple[str, int]) -> bool:
    return item[0] != "width"


#: The options of a render that change what it draws (its part, and so its frames): ``info``
#: takes them too, to count the frames of the render they describe.
DRAWN_OPTIONS = ("values", "width", "scale", "seed", "kernel", "factors", "image")


def drawn_options(function: Any) -> Any:
    """``function`` with the render's options :data:`DRAWN_OPTIONS`, as :func:`render_options`
    declares them (not copied)."""
    declared = render_options(lambda: None).__click_params__
    function.__click_params__ = [
        *getattr(function, "__click_params__", []),
        *(option for option in declared if option.name in DRAWN_OPTIONS),
    ]
    return function


@main.command()
@layer_options
@drawn_options
@click.option(
    "--max-frames",
    type=int,
    default=300,
    show_default=True,
    help="As for rendering: at most this many frames, a larger layer drawn in part.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@click.option(
    "--lang",
    type=click.Choice(LANGS),
    default=LANGS[0],
    show_default=True,
    help="Language of the lines printed and of the words of the render counted (not of --json's keys, the help "
    "or error messages).",
)
@click.pass_context
def info(ctx: click.Context, max_frames: int, as_json: bool, lang: str, **params: Any) -> None:
    """What a layer costs, without drawing: output shape with its formula per axis, parameters
    with the products written out, multiply-accumulates, receptive field, placements, and the
    frames of a render with the same options (--values, --width, --region, --max-frames, ...).

        convgif info --in 3,7,7 --out 2 --k 3 --p 1 --s 2 --d 2
    """
    from ..info import describe, explain

    spec, values = layer_from(ctx, params)
    if max_frames < 0:
        raise fail(f"max_frames={max_frames} must be 0 (every step) or more", "max_frames")
    options = {name: params[name] for name in DRAWN_OPTIONS if params.get(name) is not None}
    options.update(views_from(params))
    options.update(values)  # a saved layer's weight and bias (--weights)
    try:
        if as_json:
            import json

            click.echo(json.dumps(describe(spec, max_frames, lang=lang, **options), ensure_ascii=False))
        else:
            click.echo("\n".join(explain(spec, max_frames, lang=lang, **options)))
    except SpecError as error:
        if values and error.argument in ("weight", "bias"):  # named as a render names it
            error = SpecError("weights", f"{error} (in the file --weights names)")
        raise bad(error) from None


@main.command(name="bench")
@layer_options
@click.option(
    "--sweep",
    "sweeps",
    multiple=True,
    metavar="NAME=V1,V2,...",
    help="An argument to vary: in, out, k, s, p, d or g, e.g. out=1,2,4 or k=1,3x1,3. Once or twice.",
)
@click.option(
    "--preset",
    type=click.Choice(["article"]),
    help="article: the reference article's seven figures into gallery/plots/.",
)
@click.option(
    "--time-budget",
    type=float,
    default=20.0,
    show_default=True,
    help="Seconds of timing per figure, spread over its configurations.",
)
@click.option(
    "--device",
    type=click.Choice(["cpu", "cuda"]),
    default="cpu",
    show_default=True,
    help="Where PyTorch runs (NumPy runs on the CPU).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(),
    help="Path prefix for the .png/.svg, .csv and .json [default: bench_<names> here; gallery/plots/article_<name> for --preset].",
)
@click.option(
    "--format",
    "format",
    type=click.Choice(["png", "svg"]),
    default="png",
    show_default=True,
    help="Figure format.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.pass_context
def bench_command(
    ctx: click.Context,
    sweeps: tuple[str, ...],
    preset: Optional[str],
    time_budget: float,
    device: str,
    output: Optional[str],
    format: str,
    quiet: bool,
    **options: Any,
) -> None:
    """Time the forward pass while one or two arguments vary, count the parameters, and plot
    both (parameters above, time below) with the numbers as CSV and JSON.

        convgif bench --in 1,256,256 --sweep out=1,2,4,8,16,32,64,128,256 --sweep k=1,3x1,3,5
    """
    from ..integrations.bench import ARTICLE, bench, check_prefix, configurations, estimate, output_paths, parse_sweep

    try:
        if output is not None:
            check_prefix(output)
        if preset:
            if sweeps:
                raise SpecError("sweeps", "--preset sets its own sweeps")
            folder = Path(output) if output else Path("gallery") / "plots"
            jobs = [
                (
                    base,
                    [parse_sweep(a), parse_sweep(b)],
                    folder / f"article_{name}",
                    f"{name.replace('_', ' ')} (the reference article's figure)",
                )
                for name, (base, a, b) in ARTICLE.items()
            ]
        else:
            if not sweeps:
                raise SpecError("sweeps", "give --sweep NAME=V1,V2,... (once or twice), or --preset article")
            parsed = [parse_sweep(s) for s in sweeps]
            from .. import ops

            base = spec_from(ctx, options)
            if ops.of(base).name != "Conv2d":
                raise SpecError("sweeps", f"bench times Conv2d layers, not {ops.of(base).name}")
            prefix = Path(output) if output else Path("bench_" + "_".join(s.name for s in parsed))
            jobs = [(base, parsed, prefix, "")]
        started = time.perf_counter()
        seconds = [estimate(base, parsed, time_budget) for base, parsed, _, _ in jobs]  # all refused at once
        if not quiet:
            refusals = [r for base, parsed, _, _ in jobs for r in refused_configurations(base, parsed)]
            count = sum(configurations(parsed) for _, parsed, _, _ in jobs) - len(refusals)
            click.echo(
                f"timing {count:,} configuration{'s' if count != 1 else ''}{refusals_text(refusals)} in {len(jobs)} "
                f"figure{'s' if len(jobs) != 1 else ''}: about {sum(seconds) * 1.1 + 2 * len(jobs):.0f} s in all",
                err=True,
            )
        for number, (base, parsed, prefix, title) in enumerate(jobs, 1):
            if not quiet and len(jobs) > 1:
                click.echo(f"figure {number} of {len(jobs)}: {prefix}", err=True)
            bar = _Progress(enabled=not quiet and is_terminal(sys.stderr))
            try:
                results, backend = bench(base, parsed, prefix, device, time_budget, format, title, progress=bar)
            finally:
                bar.close()
            timed = len([r for r in results if not r.error])
            image, table, data = output_paths(prefix, format)
            click.echo(
                f"{image}  {table}  {data}  ({timed:,} configuration{'s' if timed != 1 else ''} timed on {backend}"
                + refusals_text(refused_configurations(base, parsed), ", ")
                + ")"
            )
        click.echo(f"{time.perf_counter() - started:.1f} s")
    except SpecError as error:
        raise bad(error) from None
    except OSError as error:
        raise click.ClickException(f"cannot write {error.filename}: {error.strerror or error}") from None


def refused_configurations(base: Any, sweeps: Sequence[Any]) -> list[tuple[str, str]]:
    """The configurations of the sweeps PyTorch's rules refuse, each as (its values, why)."""
    import itertools

    from ..integrations.bench import configure
    from ..integrations.bench_results import value_text

    names, refused = [s.name for s in sweeps], []
    for combo in itertools.product(*(s.values for s in sweeps)):
        values = dict(zip(names, combo))
        try:
            configure(base, values)
        except SpecError as error:
            refused.append((", ".join(f"{k}={value_text(v)}" for k, v in values.items()), str(error)))
    return refused


def refusals_text(refused: Sequence[tuple[str, str]], start: str = " (") -> str:
    """`` (1 refused by PyTorch's rules: out=0: ...)``: how many, and the first one's values and
    reason (the table lists every one); ``start`` ", " writes it as a clause, not in brackets."""
    if not refused:
        return ""
    where, why = refused[0]
    more = f"; {len(refused) - 1:,} more in the table" if len(refused) > 1 else ""
    words = f"{len(refused):,} refused by PyTorch's rules: {where}: {why}{more}"
    return f"{start}{words})" if start.endswith("(") else f"{start}{words}"


@main.command(name="gallery")
@click.option(
    "--config",
    type=click.Path(dir_okay=False, exists=True),
    default="gallery/gallery.toml",
    show_default=True,
    help="The gallery file.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="Where the GIFs and pages go [default: the gallery file's folder].",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 1,
    show_default="all cores",
    help="Worker processes.",
)
@click.option("--only", multiple=True, metavar="NAME", help="Only these entries (repeatable).")
@click.option("--force", is_flag=True, help="Render even what is up to date.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def gallery_command(
    config: str, out_dir: Optional[str], jobs: int, only: tuple[str, ...], force: bool, quiet: bool
) -> None:
    """Render the teaching gallery: every entry of the gallery file that is missing or out of
    date, in parallel, then README.md and index.html beside the GIFs.

        convgif gallery
    """
    from ..integrations.gallery import GalleryError, GalleryWriteError, build, load, stale, tally

    started = time.perf_counter()
    try:
        gallery = load(Path(config))
        out = Path(out_dir) if out_dir else gallery.folder
        todo = stale(gallery, out, only, force)
    except GalleryError as error:
        raise click.UsageError(str(error)) from None
    if not todo and not [m for m in gallery.models if not only or m.name in only]:
        try:
            build(gallery, out, [], jobs)
        except GalleryWriteError as error:
            raise click.ClickException(str(error)) from None
        except GalleryError as error:
            raise click.UsageError(str(error)) from None
        click.echo(
            f"nothing to render: {tally(gallery, out, [], only)}; pages in {out} ({time.perf_counter() - started:.1f} s)"
        )
        return
    bar = _Progress(enabled=not quiet and is_terminal(sys.stderr))
    models = [m for m in gallery.models if not only or m.name in only]
    count = iter(range(1, len(todo) + len(models) + 1))
    try:
        outcomes = build(
            gallery,
            out,
            todo,
            jobs,
            progress=lambda o: bar(next(count), len(todo) + len(models)),
            models=models,
            run_model=lambda words: model_command.main(
                [*words, *(["--force"] if force else [])], standalone_mode=False
            ),
        )
    except GalleryWriteError as error:
        raise click.ClickException(str(error)) from None
    except GalleryError as error:
        raise click.UsageError(str(error)) from None
    finally:
        bar.close()
    failed = [o for o in outcomes if o.error]
    for outcome in failed:
        click.echo(f"failed: {outcome.name}: {outcome.error}", err=True)
    left = tally(gallery, out, todo, only)
    asked = len(todo) + len(models)
    click.echo(
        f"rendered {asked - len(failed):,} of {asked:,} entries ({left}) "
        f"with {jobs} job{'s' if jobs != 1 else ''} in {time.perf_counter() - started:.1f} s; pages in {out}"
    )
    if failed:
        raise SystemExit(1)


@main.command(name="model")
@click.argument("model", metavar="SOURCE")
@click.option(
    "--in", "--in-shape", "input_shape", type=ShapeType(), help="The input's shape C,H,W (C,L for 1-D), one sample."
)
@click.option(
    "-o", "--output", "out", type=click.Path(file_okay=False), default="model", show_default=True, help="The folder."
)
@click.option(
    "--weights", type=click.Path(dir_okay=False), help="A state_dict torch.save wrote, loaded into the model."
)
@click.option("--image", help="A picture as the input: each layer drawn with the activation it receives.")
@click.option(
    "--trace",
    metavar="LAYER[:R,C]",
    help="The output cell whose receptive field is animated [default: of the deepest drawn layer with a cell whose "
    "whole field lies inside the input, that cell nearest the middle].",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 1,
    show_default="all cores",
    help="Worker processes.",
)
@click.option("--table", is_flag=True, help="Print the table as Markdown; draw and write nothing.")
@click.option("--inline", is_flag=True, help="Put the animations inside index.html (one file to send).")
@click.option("--force", is_flag=True, help="Draw again what is up to date.")
@click.option("--values/--no-values", default=False, show_default=True, help="Write the numbers in the cells.")
@click.option("--max-frames", type=click.IntRange(min=0), default=DEFAULT_MAX_FRAMES, show_default=True)
@click.option(
    "--theme",
    type=click.Choice(THEME_NAMES),
    help="Colours of the pictures and of the page [default: light pictures, the page light or dark as the "
    "reader's system prefers].",
)
@click.option(
    "--lang",
    type=click.Choice(LANGS),
    default=LANGS[0],
    show_default=True,
    help='Language of the page, the table and the pictures\' words (Chinese pictures need a CJK font: pip install "convgif[zh]").',
)
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Seed of the example input.")
@click.option("--no-layers", is_flag=True, help="Write the page and the receptive field, drawing no layer.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def model_command(model: str, table: bool, no_layers: bool, quiet: bool, **options: Any) -> None:
    """Trace a whole network and write its page: every module with its shapes, parameters,
    multiply-accumulates and receptive field, an animation of every convolution and pooling
    with its own weights and real input shape, and the receptive field of one output cell
    animated back to the input.

    SOURCE is path/to/file.py:NAME or package.module:NAME (a module, or a function returning
    one: this imports and runs that code), or a text file holding what print(model) prints
    for an nn.Sequential (read without PyTorch).

        convgif model examples/models.py:resnet18 --in 3,224,224
    """
    from ..network.build import model as build

    started = time.perf_counter()
    if options["input_shape"] is None:
        raise click.UsageError("Missing option '--in' / '--in-shape' (the input's shape, e.g. --in 3,224,224).")
    bar = _Progress(enabled=not quiet and not table and is_terminal(sys.stderr))
    out = None if table else options.pop("out")
    options.pop("out", None)
    try:
        result = build(model, out=out, progress=bar, draw=not table and not no_layers, **options)
    except SpecError as error:
        raise bad(error) from None
    except OSError as error:
        raise click.ClickException(f"cannot write {out}: {error.strerror or error}") from None
    finally:
        bar.close()
    if table:
        from ..network.page import markdown_table

        click.echo(markdown_table(result))
        return
    if result.up_to_date:
        click.echo(f"{result.page}: up to date ({time.perf_counter() - started:.2f} s)")
        return
    for drawing in result.failed:
        click.echo(f"failed: {drawing.row}: {drawing.error}", err=True)
    drawn = [d for d in result.drawings if not d.error]
    cached = sum(1 for d in drawn if d.cached)
    click.echo(
        f"{result.page} · {len(result.rows):,} modules · {len(drawn):,} layers drawn ({cached:,} up to date)"
        + (f", {len(result.failed):,} failed" if result.failed else "")
        + f" · {result.parameters:,} parameters · {result.macs:,} MACs · {time.perf_counter() - started:.1f} s"
    )
    if result.trace_note:
        click.echo(f"note: {result.trace_note}", err=True)
    if result.failed:
        raise SystemExit(1)
