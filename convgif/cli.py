"""The ``convgif`` command: a thin layer over :func:`convgif.render`.

Options carry PyTorch's names as well as short ones. Bad arguments are usage errors (exit
status 2) that name the option, its value and the rule; a file that cannot be written is an
error with exit status 1. Rendering options live on the root command, so that subcommands
can stand beside them.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path
from collections.abc import Sequence
from typing import Any, Optional, Union

import click

from . import __version__
from .api import DEFAULT_FPS, DEFAULT_MAX_FRAMES, FORMATS, default_filename, render, render_still
from .spec import PADDING_MODES, Conv1dSpec, Conv2dSpec, ConvTranspose2dSpec, SeparableSpec, SpecError


def _ints(text: str, param: Optional[click.Parameter], ctx: Optional[click.Context], fail) -> list[int]:
    try:
        return [int(part) for part in text.replace(" ", "").split(",")]
    except ValueError:
        fail(f"{text!r} is not a comma-separated list of integers", param, ctx)
        raise  # unreachable: fail raises


class ShapeType(click.ParamType):
    """``C,H,W`` or ``H,W`` (``C,L`` or ``L`` with ``--conv1d``): the input's shape."""

    name = "C,H,W"

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> tuple[int, ...]:
        if isinstance(value, tuple):
            return value
        dims = _ints(str(value), param, ctx, self.fail)
        if len(dims) not in (1, 2, 3) or min(dims) < 1:
            self.fail(f"{value!r} must be C,H,W or H,W of positive integers (C,L or L with --conv1d), e.g. 3,7,7", param, ctx)
        return tuple(dims)


class IntOrPairType(click.ParamType):
    """``3`` or ``3,2``: an int, or an (h, w) pair, as PyTorch's int-or-tuple arguments."""

    name = "N|H,W"

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> Any:
        if isinstance(value, (int, tuple)):
            return value
        numbers = _ints(str(value), param, ctx, self.fail)
        if len(numbers) == 1:
            return numbers[0]
        if len(numbers) == 2:
            return tuple(numbers)
        self.fail(f"{value!r} must be one integer or two (h,w), e.g. 3 or 3,2", param, ctx)


class PaddingType(IntOrPairType):
    """``1``, ``1,2``, ``same`` or ``valid``."""

    name = "N|H,W|same|valid"

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> Any:
        if isinstance(value, str) and value.strip().lower() in ("same", "valid"):
            return value.strip().lower()
        return super().convert(value, param, ctx)


#: Spec argument -> the options that set it, for error messages.
OPTION_OF = {
    "input_shape": "--in",
    "out_channels": "--out",
    "kernel_size": "--k",
    "stride": "--s",
    "padding": "--p",
    "dilation": "--d",
    "groups": "--g",
    "padding_mode": "--padding-mode",
    "bias": "--bias",
    "fps": "--fps",
    "max_frames": "--max-frames",
    "seed": "--seed",
    "width": "--width",
    "step": "--frame",
    "theme": "--theme",
    "image_format": "--format",
    "kernel": "--kernel",
    "image": "--image",
    "output_padding": "--output-padding",
    "as_conv": "--as-conv",
    "sweep": "--sweep",
    "time_budget": "--time-budget",
    "device": "--device",
}
PYTORCH_NAME = {
    "--in": "--in-shape",
    "--out": "--out-channels",
    "--k": "--kernel-size",
    "--s": "--stride",
    "--p": "--padding",
    "--d": "--dilation",
    "--g": "--groups",
}


def _hint(argument: str) -> str:
    option = OPTION_OF.get(argument, argument)
    other = PYTORCH_NAME.get(option)
    return f"'{option}' / '{other}'" if other else f"'{option}'"


def _kernel(ctx: click.Context, options: dict[str, Any], text: str) -> Any:
    """The weights ``--kernel`` names; they set the kernel size unless ``--k`` is given."""
    from .kernels import parse_kernel

    try:
        weights = parse_kernel(text)
    except SpecError as error:
        raise click.BadParameter(str(error), param_hint=_hint(error.argument)) from None
    if ctx.get_parameter_source("kernel_size") == click.core.ParameterSource.DEFAULT:
        options["kernel_size"] = tuple(weights.shape[-1:] if options["conv1d"] else weights.shape[-2:])
    return weights


def layer_from_options(ctx: click.Context, options: dict[str, Any]) -> Any:
    """The spec of the layer kind the flags choose (Conv2d unless --transposed, --conv1d or
    --separable), with the checks that tie options to a kind."""
    transposed, conv1d, separable = options["transposed"], options["conv1d"], options["separable"]
    if sum((transposed, conv1d, separable)) > 1:
        raise click.UsageError("--transposed, --conv1d and --separable each draw a different layer: choose one.")
    if separable and _given(ctx, "groups"):
        raise click.BadParameter("a separable convolution sets its own groups (C_in, then 1)", param_hint="'--g' / '--groups'")
    for flag, given in (("--output-padding", _given(ctx, "output_padding")), ("--as-conv", options["as_conv"])):
        if given and not transposed:
            raise click.BadParameter("goes with --transposed", param_hint=f"'{flag}'")
    if transposed and _given(ctx, "padding_mode") and options["padding_mode"] != "zeros":
        raise click.BadParameter(
            f"padding_mode={options['padding_mode']!r}: ConvTranspose2d pads with zeros only",
            param_hint="'--padding-mode'",
        )
    kind = ConvTranspose2dSpec if transposed else Conv1dSpec if conv1d else SeparableSpec if separable else Conv2dSpec
    return spec_from_options(options, kind)


def spec_from_options(options: dict[str, Any], kind: type = Conv2dSpec) -> Any:
    """Build the spec the options describe, or raise a usage error naming the option."""
    if options["input_shape"] is None:
        raise click.UsageError("Missing option '--in' / '--in-shape' (the input shape, e.g. --in 3,7,7).")
    names = ["input_shape", "out_channels", "kernel_size", "stride", "padding", "dilation", "bias"]
    names += ["output_padding", "groups"] if kind is ConvTranspose2dSpec else ["padding_mode"]
    if kind in (Conv2dSpec, Conv1dSpec):
        names.append("groups")
    try:
        return kind(**{name: options[name] for name in names})
    except SpecError as error:
        raise click.BadParameter(str(error), param_hint=_hint(error.argument)) from None


def _given(ctx: click.Context, name: str) -> bool:
    """Whether the option ``name`` was given on the command line."""
    return ctx.get_parameter_source(name) not in (None, click.core.ParameterSource.DEFAULT)


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


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def conv_options(function):
    """The options that describe a layer, shared by every command that takes one."""
    decorators = [
        click.option("--in", "--in-shape", "input_shape", type=ShapeType(), help="Input shape C,H,W (or H,W, meaning C = 1)."),
        click.option("--out", "--out-channels", "out_channels", type=int, default=1, show_default=True, help="Output channels."),
        click.option("--k", "--kernel-size", "kernel_size", type=IntOrPairType(), default="3", show_default=True, help="Kernel size: N or H,W."),
        click.option("--s", "--stride", "stride", type=IntOrPairType(), default="1", show_default=True, help="Stride: N or H,W."),
        click.option("--p", "--padding", "padding", type=PaddingType(), default="0", show_default=True, help="Padding: N, H,W, same or valid."),
        click.option("--d", "--dilation", "dilation", type=IntOrPairType(), default="1", show_default=True, help="Dilation: N or H,W."),
        click.option("--g", "--groups", "groups", type=int, default=1, show_default=True, help="Groups: blocked connections from input to output channels."),
        click.option("--bias/--no-bias", default=True, show_default=True, help="Add a learnable bias to each output channel."),
        click.option("--padding-mode", type=click.Choice(PADDING_MODES), default="zeros", show_default=True, help="What padding cells hold."),
        click.option("--transposed", is_flag=True, help="A ConvTranspose2d: each input cell scatters the kernel into the output."),
        click.option("--output-padding", type=IntOrPairType(), default="0", show_default=True, help="With --transposed: cells added at the bottom/right of the output."),
        click.option("--as-conv", is_flag=True, help="With --transposed: draw the equal direct convolution over the zero-inserted input."),
        click.option("--separable", is_flag=True, help="Depthwise-separable: a depthwise step (G = C_in), then a pointwise 1×1 step."),
        click.option("--conv1d", is_flag=True, help="A Conv1d over a sequence: --in C,L, sizes are single numbers."),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


@click.group(name="convgif", invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@conv_options
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="GIF to write [default: named from the arguments, in the current folder].")
@click.option("--fps", type=float, default=round(DEFAULT_FPS, 2), show_default=True, help="Frames per second.")
@click.option("--max-frames", type=int, default=DEFAULT_MAX_FRAMES, show_default=True, help="Draw at most this many steps, evenly spread; 0 draws every step.")
@click.option("--values/--no-values", default=False, show_default=True, help="Write the numbers in the cells, and each output's sum.")
@click.option("--format", "image_format", type=click.Choice(["gif", "webp", "apng"]), help="Animation format [default: from the -o extension, else gif].")
@click.option("--frame", type=click.IntRange(min=1), help="Write only step N (counted from 1) as a PNG.")
@click.option("--sheet", is_flag=True, help="Write a contact sheet of the steps as a PNG.")
@click.option("--theme", type=click.Choice(["light", "dark"]), default="light", show_default=True, help="Colours for light or dark pages.")
@click.option("--width", type=click.IntRange(min=1), help="Make the picture at most this many pixels wide.")
@click.option("--markdown", is_flag=True, help="Also print a Markdown snippet that embeds the file.")
@click.option("--html", is_flag=True, help="Also print an HTML <img> snippet that embeds the file.")
@click.option("--kernel", help="Weights: sobel-x, sobel-y, laplacian, gaussian, box, identity, sharpen, a .npy file, or rows like '1,0,-1;2,0,-2;1,0,-1'.")
@click.option("--factors", is_flag=True, help="With a rank-1 --kernel (sobel-x, gaussian, box, ...): show it as its two 1-D factors.")
@click.option("--image", type=click.Path(exists=True, dir_okay=False), help="A picture as the input: grey for --in 1,H,W, RGB for 3,H,W, resized to H×W.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True, help="Seed of the example input and weights.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or notes; print only the path.")
@click.version_option(__version__, "--version", prog_name="convgif")
@click.pass_context
def main(
    ctx: click.Context,
    output: Optional[str],
    fps: float,
    max_frames: int,
    values: bool,
    image_format: Optional[str],
    frame: Optional[int],
    sheet: bool,
    theme: str,
    width: Optional[int],
    markdown: bool,
    html: bool,
    kernel: Optional[str],
    factors: bool,
    image: Optional[str],
    seed: int,
    quiet: bool,
    **options: Any,
) -> None:
    """Animate the forward pass of a PyTorch Conv2d layer as a GIF.

    Every kernel placement is one frame, captioned with the shapes and K, P, S, D and G:

        convgif --in 3,7,7 --k 3 --s 2
    """
    if ctx.invoked_subcommand is not None:
        return
    if all(ctx.get_parameter_source(name) == click.core.ParameterSource.DEFAULT for name in ctx.params):
        click.echo(ctx.get_help())
        return
    weight, label, notes = None, "", ()
    if factors and kernel is None:
        raise click.BadParameter("shows the 1-D factors of a --kernel; give one, e.g. --kernel sobel-x", param_hint="'--factors'")
    if kernel is not None:
        from .kernels import PRESETS, weights_for

        weights = _kernel(ctx, options, kernel)
        label = kernel.strip().lower() if kernel.strip().lower() in PRESETS else "kernel"
        if factors:
            from .kernels import factors_note

            try:
                notes = (factors_note(weights),)
            except SpecError as error:
                raise click.BadParameter(str(error), param_hint="'--factors'") from None
    as_conv = options["as_conv"]
    spec = layer_from_options(ctx, options)
    if kernel is not None:
        try:
            weight = weights_for(spec, weights)
        except SpecError as error:
            raise click.BadParameter(str(error), param_hint=_hint(error.argument)) from None
    picture = None
    if image is not None:
        from .images import load_image

        try:
            picture = load_image(image, spec)
        except SpecError as error:
            raise click.BadParameter(str(error), param_hint=_hint(error.argument)) from None
        label = "_".join(filter(None, [Path(image).stem, label]))
    if output is not None and not output.strip():
        raise click.BadParameter("the output path is empty", param_hint="'-o' / '--output'")
    to_stdout = output == "-"
    if to_stdout and sys.stdout.isatty():
        raise click.BadParameter(
            "'-' writes the picture to standard output, which is a terminal here: redirect it to a file or a pipe",
            param_hint="'-o' / '--output'",
        )
    if as_conv:
        label = "_".join(filter(None, [label, "asconv"]))
    if frame is not None and sheet:
        raise click.UsageError("--frame and --sheet each write one picture: choose one.")
    still = frame is not None or sheet
    if image_format is None:
        suffix = Path(output).suffix.lower() if output else ""
        image_format = {".webp": "webp", ".png": "apng", ".apng": "apng"}.get(suffix, "gif") if not still else "gif"
    elif still:
        raise click.UsageError("--format sets the animation's format; --frame and --sheet write a PNG.")
    name = default_filename(spec, values, seed, label).removesuffix(".gif")
    ending = f"_step{frame}.png" if frame is not None else "_sheet.png" if sheet else FORMATS[image_format]
    target = output or name + ending
    if to_stdout:
        import tempfile

        scratch = tempfile.TemporaryDirectory(prefix="convgif-")
        target = str(Path(scratch.name) / (name + ending))
    progress = _Progress(enabled=not quiet and sys.stderr.isatty())
    in_main_thread = threading.current_thread() is threading.main_thread()  # signals need it
    previous = signal.signal(signal.SIGTERM, _terminate) if in_main_thread else None
    try:
        look = dict(values=values, pixels=picture is not None, as_conv=as_conv, notes=notes, theme=theme, width=width)
        if still:
            result = render_still(spec, target, step=frame, seed=seed, max_frames=max_frames, input=picture, weight=weight, **look)
        else:
            result = render(
                spec, target, seed=seed, fps=fps, max_frames=max_frames, progress=progress,
                input=picture, weight=weight, image_format=image_format, **look,
            )
    except SpecError as error:
        raise click.BadParameter(str(error), param_hint=_hint(error.argument)) from None
    except OSError as error:
        raise click.ClickException(f"cannot write {target}: {error.strerror or error}") from None
    except KeyboardInterrupt:
        click.echo("interrupted: nothing written", err=True)
        ctx.exit(128 + signal.SIGINT)
    finally:
        progress.close()
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)
    if to_stdout:  # the picture is the output; what is said goes to stderr
        with open(result.path, "rb") as picture:
            sys.stdout.flush()
            sys.stdout.buffer.write(picture.read())
            sys.stdout.buffer.flush()
        scratch.cleanup()
    _report(spec, result, "-" if to_stdout else str(result.path if output is None else output),
            quiet, markdown, html, still, err=to_stdout)


def _report(spec: Any, result: Any, shown: str, quiet: bool, markdown: bool, html: bool, still: bool, err: bool) -> None:
    """The path, the snippets asked for, notes and the summary line (all on stderr with ``-o -``)."""
    echo = (lambda text: click.echo(text, err=True)) if err else click.echo
    if not err:
        echo(shown)
    alt = spec.caption
    if markdown:
        echo(f"![{alt}]({shown})")
    if html:
        import html as markup

        echo(
            f'<img src="{markup.escape(shown)}" alt="{markup.escape(alt)}" width="{result.size[0]}" height="{result.size[1]}">'
        )
    if quiet:
        return
    if result.shown_steps < result.steps:
        click.echo(
            f"note: only the steps of the output channels shown are drawn ({result.shown_steps} of {result.steps})",
            err=True,
        )
    if result.frames < result.shown_steps and not still:
        click.echo(
            f"note: drew {result.frames} of {result.shown_steps} steps, evenly spread (--max-frames 0 draws all)",
            err=True,
        )
    frames = f"{result.frames} frame{'s' if result.frames != 1 else ''}"
    parameters = f"{spec.num_parameters:,} parameters"
    if isinstance(spec, SeparableSpec):
        parameters += f" (a standard convolution: {spec.standard.num_parameters:,})"
    echo(
        f"output {spec.output_shape} · {parameters} · {frames} · "
        f"{result.bytes:,} bytes · {result.seconds:.2f} s"
    )


@main.command()
@conv_options
@click.option("--max-frames", type=int, default=DEFAULT_MAX_FRAMES, show_default=True, help="As for rendering: how many frames a render would draw.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@click.pass_context
def info(ctx: click.Context, max_frames: int, as_json: bool, **options: Any) -> None:
    """What a layer costs, without drawing: output shape with its formula per axis, parameters
    with the products written out, multiply-accumulates, receptive field, placements, frames.

        convgif info --in 3,7,7 --out 2 --k 3 --p 1 --s 2 --d 2
    """
    from .info import describe, explain

    spec = layer_from_options(ctx, options)
    if max_frames < 0:
        raise click.BadParameter(f"max_frames={max_frames} must be 0 (every step) or more", param_hint="'--max-frames'")
    if as_json:
        import json

        click.echo(json.dumps(describe(spec, max_frames, options["as_conv"]), ensure_ascii=False))
    else:
        click.echo("\n".join(explain(spec, max_frames, options["as_conv"])))


@main.command(name="bench")
@conv_options
@click.option("--sweep", "sweeps", multiple=True, metavar="NAME=V1,V2,...", help="An argument to vary: in, out, k, s, p, d or g, e.g. out=1,2,4 or k=1,3x1,3. Once or twice.")
@click.option("--preset", type=click.Choice(["article"]), help="article: the reference article's seven figures into gallery/plots/.")
@click.option("--time-budget", type=float, default=20.0, show_default=True, help="Seconds of timing per figure, spread over its configurations.")
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True, help="Where PyTorch runs (NumPy runs on the CPU).")
@click.option("-o", "--output", type=click.Path(), help="Path prefix for the .png/.svg, .csv and .json [default: bench_<names> here; gallery/plots/article_<name> for --preset].")
@click.option("--format", "image_format", type=click.Choice(["png", "svg"]), default="png", show_default=True, help="Figure format.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@click.pass_context
def bench_command(
    ctx: click.Context, sweeps: tuple[str, ...], preset: Optional[str], time_budget: float, device: str,
    output: Optional[str], image_format: str, quiet: bool, **options: Any,
) -> None:
    """Time the forward pass while one or two arguments vary, count the parameters, and plot
    both (parameters above, time below) with the numbers as CSV and JSON.

        convgif bench --in 1,256,256 --sweep out=1,2,4,8,16,32,64,128,256 --sweep k=1,3x1,3,5
    """
    from .bench import ARTICLE, bench, configurations, output_paths, parse_sweep

    try:
        if preset:
            if sweeps:
                raise SpecError("sweep", "--preset sets its own sweeps")
            folder = Path(output) if output else Path("gallery") / "plots"
            jobs = [(base, [parse_sweep(a), parse_sweep(b)], folder / f"article_{name}", f"{name.replace('_', ' ')} (the reference article's figure)") for name, (base, a, b) in ARTICLE.items()]
        else:
            if not sweeps:
                raise SpecError("sweep", "give --sweep NAME=V1,V2,... (once or twice), or --preset article")
            parsed = [parse_sweep(s) for s in sweeps]
            base = layer_from_options(ctx, options)
            if not isinstance(base, Conv2dSpec):
                raise SpecError("sweep", "bench times Conv2d layers; drop --transposed, --conv1d and --separable")
            prefix = Path(output) if output else Path("bench_" + "_".join(s.name for s in parsed))
            jobs = [(base, parsed, prefix, "")]
        started = time.perf_counter()
        for base, parsed, prefix, title in jobs:
            bar = _Progress(enabled=not quiet and sys.stderr.isatty())
            try:
                results, backend = bench(base, parsed, prefix, device, time_budget, image_format, title, progress=bar)
            finally:
                bar.close()
            refused = [r for r in results if r.error]
            image, table, data = output_paths(prefix, image_format)
            click.echo(f"{image}  {table}  {data}  ({configurations(parsed)} configurations on {backend}"
                       + (f", {len(refused)} refused by PyTorch's rules" if refused else "") + ")")
        click.echo(f"{time.perf_counter() - started:.1f} s")
    except SpecError as error:
        raise click.BadParameter(str(error), param_hint=_hint(error.argument)) from None


def spec_from_args(args: Sequence[str]) -> Any:
    """The layer that rendering arguments such as ``["--in", "3,7,7", "--k", "3"]`` describe.

    Raises click's usage errors (``click.UsageError``, ``click.BadParameter``) for bad ones.
    """
    with main.make_context("convgif", list(args)) as ctx:
        options = {k: v for k, v in ctx.params.items() if k in _LAYER_OPTIONS}
        if ctx.params.get("kernel") is not None:
            _kernel(ctx, options, ctx.params["kernel"])
        return layer_from_options(ctx, options)


_LAYER_OPTIONS = {
    "input_shape", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias",
    "padding_mode", "transposed", "output_padding", "as_conv", "separable", "conv1d",
}


@main.command(name="gallery")
@click.option("--config", type=click.Path(dir_okay=False, exists=True), default="gallery/gallery.toml", show_default=True, help="The gallery file.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Where the GIFs and pages go [default: the gallery file's folder].")
@click.option("--jobs", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default="all cores", help="Worker processes.")
@click.option("--only", multiple=True, metavar="NAME", help="Only these entries (repeatable).")
@click.option("--force", is_flag=True, help="Render even what is up to date.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def gallery_command(config: str, out_dir: Optional[str], jobs: int, only: tuple[str, ...], force: bool, quiet: bool) -> None:
    """Render the teaching gallery: every entry of the gallery file that is missing or out of
    date, in parallel, then README.md and index.html beside the GIFs.

        convgif gallery
    """
    from .gallery import GalleryError, build, load, stale

    started = time.perf_counter()
    try:
        gallery = load(Path(config))
        out = Path(out_dir) if out_dir else gallery.folder
        todo = stale(gallery, out, only, force)
    except GalleryError as error:
        raise click.UsageError(str(error)) from None
    if not todo:
        build(gallery, out, [], jobs)
        click.echo(f"nothing to render: {len(gallery.entries)} entries up to date; pages in {out} ({time.perf_counter() - started:.1f} s)")
        return
    bar = _Progress(enabled=not quiet and sys.stderr.isatty())
    count = iter(range(1, len(todo) + 1))
    outcomes = build(gallery, out, todo, jobs, progress=lambda outcome: bar(next(count), len(todo)))
    bar.close()
    failed = [o for o in outcomes if o.error]
    for outcome in failed:
        click.echo(f"failed: {outcome.name}: {outcome.error}", err=True)
    click.echo(
        f"rendered {len(todo) - len(failed)} of {len(todo)} entries ({len(gallery.entries) - len(todo)} up to date) "
        f"with {jobs} job{'s' if jobs != 1 else ''} in {time.perf_counter() - started:.1f} s; pages in {out}"
    )
    if failed:
        raise SystemExit(1)


def run() -> None:
    """The ``convgif`` command: ``main``, with Ctrl-C during start-up ending as quietly as later."""
    try:
        main()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(128 + signal.SIGINT)
