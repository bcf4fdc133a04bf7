"""The arguments of a render as command-line options, declared once.

The ``convgif`` command, the gallery file and the documentation plugins all take a render as
the words a shell would pass: this module turns those words into a :class:`Request` (the
layer's spec and the keyword arguments of :func:`convgif.render`), with click's usage errors
naming the option, its value and the rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

import click

from ..errors import SpecError
from ..ops.args import fmt


def _ints(text: str, param: Optional[click.Parameter], ctx: Optional[click.Context], fail) -> list[int]:
    try:
        return [int(part) for part in text.replace(" ", "").split(",")]
    except ValueError:
        fail(f"{text!r} is not a comma-separated list of integers", param, ctx)
        raise  # unreachable: fail raises


class ShapeType(click.ParamType):
    """``C,H,W`` or ``H,W`` (``C,L`` or ``L`` for a 1-D layer): the input's shape."""

    name = "C,H,W"

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> tuple[int, ...]:
        if isinstance(value, tuple):
            return value
        dims = _ints(str(value), param, ctx, self.fail)
        if len(dims) not in (1, 2, 3) or min(dims) < 1:
            self.fail(
                f"{value!r} must be C,H,W or H,W of positive integers (C,L or L for a 1-D layer), e.g. 3,7,7",
                param,
                ctx,
            )
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


class LayerType(click.ParamType):
    """A layer kind by PyTorch's class name, in any case (``Conv2d``, ``conv1d``, ...), or a
    layer as ``print(model)`` shows it: ``Conv2d(3, 64, kernel_size=(7, 7), stride=(2, 2))``,
    read without PyTorch and without evaluating it."""

    name = "NAME|LINE"

    def convert(self, value: Any, param: Optional[click.Parameter], ctx: Optional[click.Context]) -> Any:
        from .. import ops
        from ..inputs.pytorch import LayerLine, parse_line

        if isinstance(value, LayerLine):
            return value
        if "(" in str(value):
            try:
                return parse_line(str(value))
            except SpecError as error:
                self.fail(str(error), param, ctx)
        known = ops.canonical(str(value))
        if known is None:
            self.fail(
                f"{value!r} is not a layer convgif draws; choose one of {', '.join(ops.NAMES)}, or give a layer as print(model) shows it",
                param,
                ctx,
            )
        return known


#: Spec and render() arguments -> the option that sets them, for messages.
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
    "output_padding": "--output-padding",
    "ceil_mode": "--ceil-mode",
    "count_include_pad": "--count-include-pad",
    "divisor_override": "--divisor-override",
    "return_indices": "--return-indices",
    "output_size": "--output-size",
    "indices": "--indices",
    "weight": "--kernel",
    "as_conv": "--as-conv",
    "region": "--region",
    "fps": "--fps",
    "max_frames": "--max-frames",
    "seed": "--seed",
    "width": "--width",
    "scale": "--scale",
    "step": "--frame",
    "theme": "--theme",
    "image_format": "--format",
    "path": "-o",
    "kernel": "--kernel",
    "factors": "--factors",
    "image": "--image",
    "notes": "--note",
    "sweep": "--sweep",
    "time_budget": "--time-budget",
    "device": "--device",
    "weights": "--weights",
    "module": "--module",
    "layer": "--layer",
    "relative_to": "--relative-to",
}
LONG_NAME = {
    "--in": "--in-shape",
    "--out": "--out-channels",
    "--k": "--kernel-size",
    "--s": "--stride",
    "--p": "--padding",
    "--d": "--dilation",
    "--g": "--groups",
    "-o": "--output",
}
#: Options that describe the layer: the spec arguments they set.
SPEC_OPTIONS = (
    "input_shape",
    "out_channels",
    "kernel_size",
    "stride",
    "padding",
    "dilation",
    "groups",
    "bias",
    "padding_mode",
    "output_padding",
    "ceil_mode",
    "count_include_pad",
    "divisor_override",
    "return_indices",
    "output_size",
)
#: Options that choose how a layer is drawn, each belonging to the kinds that list it in ``views``.
VIEW_OPTIONS = ("as_conv", "region")
#: The old flags that choose a layer kind, and the kind each chooses.
KIND_FLAGS = {"conv1d": "Conv1d", "transposed": "ConvTranspose2d", "separable": "separable"}


def hint(argument: str) -> str:
    """The option an argument comes from, as click names it in messages."""
    option = OPTION_OF.get(argument, argument)
    other = LONG_NAME.get(option)
    return f"'{option}' / '{other}'" if other else f"'{option}'"


def bad(error: SpecError) -> click.BadParameter:
    return click.BadParameter(str(error), param_hint=hint(error.argument))


def layer_options(function):
    """The options that describe a layer, shared by every command that takes one."""
    decorators = [
        click.option(
            "--layer",
            type=LayerType(),
            help='The layer kind, by PyTorch\'s class name: Conv2d (default), Conv1d, ConvTranspose2d, separable, MaxPool2d, MaxPool1d, AvgPool2d, AvgPool1d, MaxUnpool2d or MaxUnpool1d; or a layer as print(model) shows it, e.g. "Conv2d(3, 64, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), bias=False)".',
        ),
        click.option(
            "--weights",
            type=click.Path(dir_okay=False),
            help="A model or state_dict torch.save wrote: draw a layer of it (--module) with its trained weights. Needs PyTorch.",
        ),
        click.option(
            "--module",
            "module",
            metavar="NAME",
            help="With --weights: the layer, named as model.named_modules() names it, e.g. features.0.",
        ),
        click.option(
            "--in",
            "--in-shape",
            "input_shape",
            type=ShapeType(),
            help="Input shape C,H,W (or H,W, meaning C = 1; C,L for a 1-D layer).",
        ),
        click.option("--out", "--out-channels", "out_channels", type=int, help="Output channels.  [default: 1]"),
        click.option(
            "--k", "--kernel-size", "kernel_size", type=IntOrPairType(), help="Kernel size: N or H,W.  [default: 3]"
        ),
        click.option(
            "--s",
            "--stride",
            "stride",
            type=IntOrPairType(),
            help="Stride: N or H,W.  [default: 1; pooling: the kernel size]",
        ),
        click.option(
            "--p", "--padding", "padding", type=PaddingType(), help="Padding: N, H,W, same or valid.  [default: 0]"
        ),
        click.option("--d", "--dilation", "dilation", type=IntOrPairType(), help="Dilation: N or H,W.  [default: 1]"),
        click.option(
            "--g",
            "--groups",
            "groups",
            type=int,
            help="Groups: blocked connections from input to output channels.  [default: 1]",
        ),
        click.option(
            "--bias/--no-bias", default=None, help="Add a learnable bias to each output channel.  [default: bias]"
        ),
        click.option(
            "--padding-mode",
            type=click.Choice(["zeros", "reflect", "replicate", "circular"]),
            help="What padding cells hold.  [default: zeros]",
        ),
        click.option(
            "--output-padding",
            type=IntOrPairType(),
            help="ConvTranspose2d: cells added at the bottom/right of the output.  [default: 0]",
        ),
        click.option(
            "--as-conv",
            is_flag=True,
            help="ConvTranspose2d: draw the equal direct convolution over the zero-inserted input.",
        ),
        click.option(
            "--region",
            metavar="R0:R1,C0:C1",
            help="Draw only these output rows and columns (C0:C1 for a 1-D layer) and the input they read [default: all, or the top left of a layer too large to draw whole].",
        ),
        click.option(
            "--ceil-mode/--no-ceil-mode",
            default=None,
            help="Pooling: round the output size up, letting a last window hang over the edge.  [default: no-ceil-mode]",
        ),
        click.option(
            "--count-include-pad/--no-count-include-pad",
            default=None,
            help="AvgPool: count padding cells in each window's divisor.  [default: count-include-pad]",
        ),
        click.option("--divisor-override", type=int, help="AvgPool2d: divide every window's sum by this instead."),
        click.option(
            "--return-indices/--no-return-indices",
            default=None,
            help="MaxPool: also show where each maximum came from.  [default: no-return-indices]",
        ),
        click.option(
            "--output-size",
            type=IntOrPairType(),
            help="MaxUnpool: the output's size (H,W), within a stride of the default.",
        ),
        click.option("--transposed", is_flag=True, help="The same as --layer ConvTranspose2d."),
        click.option("--separable", is_flag=True, help="The same as --layer separable."),
        click.option("--conv1d", is_flag=True, help="The same as --layer Conv1d."),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def render_options(function):
    """The options of a render that are not the layer: values, look, timing and stills."""
    from ..files.formats import FORMATS

    decorators = [
        click.option("--fps", type=float, default=round(1000 / 300, 2), show_default=True, help="Frames per second."),
        click.option(
            "--max-frames",
            type=int,
            default=300,
            show_default=True,
            help="Draw at most this many steps, evenly spread; 0 draws every step.",
        ),
        click.option(
            "--values/--no-values",
            default=False,
            show_default=True,
            help="Write the numbers in the cells, and each output's sum.",
        ),
        click.option(
            "--format",
            "image_format",
            type=click.Choice(list(FORMATS)),
            help="Animation format [default: from the -o suffix, else gif].",
        ),
        click.option("--frame", type=click.IntRange(min=1), help="Write only step N (counted from 1) as a PNG."),
        click.option("--sheet", is_flag=True, help="Write a contact sheet of the steps as a PNG."),
        click.option(
            "--theme",
            type=click.Choice(["light", "dark"]),
            default="light",
            show_default=True,
            help="Colours for light or dark pages.",
        ),
        click.option("--width", type=click.IntRange(min=1), help="Make the picture at most this many pixels wide."),
        click.option(
            "--scale",
            type=click.IntRange(1, 4),
            default=1,
            show_default=True,
            help="Draw text, cells and lines N times larger (crisp, for slides and projectors).",
        ),
        click.option(
            "--kernel",
            help="Weights: sobel-x, sobel-y, laplacian, gaussian, box, identity, sharpen, a .npy file, or rows like '1,0,-1;2,0,-2;1,0,-1'.",
        ),
        click.option(
            "--factors",
            is_flag=True,
            help="With a rank-1 --kernel (sobel-x, gaussian, box, ...): show it as its two 1-D factors.",
        ),
        click.option("--image", help="A picture as the input: grey for --in 1,H,W, RGB for 3,H,W, resized to H×W."),
        click.option(
            "--seed",
            type=click.IntRange(min=0),
            default=0,
            show_default=True,
            help="Seed of the example input and weights.",
        ),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def given(ctx: click.Context, name: str) -> bool:
    """Whether the option ``name`` was given (on the command line or by the caller)."""
    return ctx.get_parameter_source(name) not in (None, click.core.ParameterSource.DEFAULT)


def views_from(params: dict[str, Any]) -> dict[str, Any]:
    """The drawing options set, as keyword arguments of :func:`convgif.render`."""
    return {view: params[view] for view in VIEW_OPTIONS if params.get(view)}


def layer_name(ctx: click.Context, params: dict[str, Any], loaded: Any = None) -> str:
    """The layer kind ``--layer`` (a name or a line), one of the old flags or the layer taken
    from ``--weights`` chooses (Conv2d if none; Conv1d for a state_dict's 3-D weight)."""
    chosen = [KIND_FLAGS[flag] for flag in KIND_FLAGS if params.get(flag)]
    if len(chosen) > 1:
        raise click.UsageError("--transposed, --conv1d and --separable each draw a different layer: choose one.")
    layer = params.get("layer")
    named = getattr(layer, "name", layer)
    if named and chosen and chosen[0] != named:
        raise click.UsageError(
            f"--layer {named} and --{next(f for f, k in KIND_FLAGS.items() if k == chosen[0])} name different layers: choose one."
        )
    named = named or (chosen[0] if chosen else None)
    if loaded is not None and loaded.name is not None:
        if named and named != loaded.name:
            raise click.BadParameter(
                f"the layer {loaded.source} is a {loaded.name}, not a {named}", param_hint=hint("layer")
            )
        return loaded.name
    if loaded is not None and named is None:
        from ..inputs.pytorch import infer_kind

        return infer_kind(loaded)
    return named or "Conv2d"


def _normal(argument: str, value: Any, dims: int) -> Any:
    """An argument's value as PyTorch normalises it, to tell whether two sources agree."""
    if argument in ("kernel_size", "stride", "padding", "dilation", "output_padding", "output_size"):
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return (value,) * dims
        if isinstance(value, (tuple, list)):
            return tuple(value)
    if isinstance(value, str):
        return value.lower()
    return value


def _as_typed(argument: str, value: Any) -> str:
    """How an option was given, for messages: ``--k 5``, ``--no-bias``."""
    option = OPTION_OF.get(argument, argument)
    if isinstance(value, bool):
        return option if value else option.replace("--", "--no-", 1)
    text = ",".join(map(str, value)) if isinstance(value, tuple) else str(value)
    return f"{option} {text}"


def layer_from(ctx: click.Context, params: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The spec the layer options describe and the values they give (a saved layer's weight
    and bias), refusing options the chosen layer does not have and options that disagree with
    the ``--layer`` line or the saved layer."""
    from .. import ops
    from ..inputs.pytorch import LayerLine, check_channels, load_layer, spec_arguments, state_dict_arguments

    if params.get("input_shape") is None:
        raise click.UsageError("Missing option '--in' / '--in-shape' (the input shape, e.g. --in 3,7,7).")
    if params.get("module") and not params.get("weights"):
        raise click.BadParameter(
            "--module names a layer of the file --weights gives: give --weights FILE too", param_hint=hint("module")
        )
    loaded = None
    if params.get("weights"):
        if params.get("kernel") is not None:
            raise click.BadParameter(
                "--weights gives the weights; --kernel would replace them: choose one", param_hint=hint("kernel")
            )
        try:
            loaded = load_layer(params["weights"], params.get("module"))
        except SpecError as error:
            raise bad(error) from None
    name = layer_name(ctx, params, loaded)
    op = ops.operation(name)
    shape = params["input_shape"]
    stated: dict[str, tuple[Any, str]] = {}  # argument -> (value, where it was stated)
    in_channels: list[tuple[int, str]] = []
    line = params.get("layer")
    try:
        if isinstance(line, LayerLine):
            channels, arguments = spec_arguments(line.name, line.arguments)
            if channels is not None:
                in_channels.append((channels, f"--layer {line.text!r}"))
            stated.update({a: (v, f"--layer {line.text!r}") for a, v in arguments.items()})
        if loaded is not None:
            where = f"the layer {loaded.source}"
            if loaded.name is None:
                groups = params.get("groups") if params.get("groups") is not None else stated.get("groups", (None,))[0]
                channels = shape[0] if len(shape) == op.dims + 1 else 1
                from_file = state_dict_arguments(loaded, name, channels, groups)
            else:
                channels, from_file = spec_arguments(loaded.name, loaded.arguments)
                if channels is not None:
                    in_channels.append((channels, where))
            for argument, value in from_file.items():
                if argument in stated and _normal(argument, stated[argument][0], op.dims) != _normal(
                    argument, value, op.dims
                ):
                    raise click.BadParameter(
                        f"{stated[argument][1]} says {argument}={fmt(stated[argument][0])}, but {where} has {fmt(value)}",
                        param_hint=hint("layer"),
                    )
                stated[argument] = (value, where)
        for channels, where in in_channels:
            check_channels(channels, shape, op.dims, where)
    except SpecError as error:
        raise bad(error) from None
    arguments = {}
    for argument in SPEC_OPTIONS:
        if params.get(argument) is None:
            continue
        if argument not in op.arguments:
            rule = op.refusal(argument)
            takes = ", ".join(OPTION_OF[a] for a in op.arguments if a in OPTION_OF)
            raise click.BadParameter(f"{rule}; it takes {takes}", param_hint=hint(argument))
        if argument in stated and _normal(argument, stated[argument][0], op.dims) != _normal(
            argument, params[argument], op.dims
        ):
            value, where = stated[argument]
            raise click.BadParameter(
                f"{_as_typed(argument, params[argument])} disagrees with {argument}={fmt(value)} in {where}: drop one or make them agree",
                param_hint=hint(argument),
            )
        arguments[argument] = params[argument]
    for argument, (value, where) in stated.items():
        if argument in arguments:
            continue
        if argument not in op.arguments:
            raise click.BadParameter(f"{op.refusal(argument)} (in {where})", param_hint=hint("layer"))
        arguments[argument] = value
    for view in views_from(params):
        if view not in op.views:
            raise click.BadParameter(f"{op.refusal(view)}; it is drawn one way only", param_hint=hint(view))
    kernel = params.get("kernel")
    if kernel is not None and "kernel_size" not in arguments and "kernel_size" in op.arguments:
        from ..inputs.kernels import parse_kernel

        try:
            weights = parse_kernel(kernel)
        except SpecError as error:
            raise bad(error) from None
        arguments["kernel_size"] = tuple(weights.shape[-op.dims :])
    try:
        spec = op.build(**arguments)
    except SpecError as error:
        raise bad(error) from None
    return spec, (dict(loaded.values) if loaded is not None else {})


def spec_from(ctx: click.Context, params: dict[str, Any]) -> Any:
    """The spec the layer options describe, refusing options the chosen layer does not have."""
    return layer_from(ctx, params)[0]


@dataclass(frozen=True)
class Request:
    """A render described by options: the layer's spec, and the keyword arguments of
    :func:`convgif.render` (or of :func:`convgif.api.render_still` for ``frame`` / ``sheet``)."""

    spec: Any
    options: dict[str, Any] = field(default_factory=dict)
    frame: Optional[int] = None
    sheet: bool = False
    fps: float = 1000 / 300
    #: the job of the animation rendered, kept for its poster
    _jobs: list = field(default_factory=list, init=False, repr=False, compare=False)

    @property
    def still(self) -> bool:
        return self.frame is not None or self.sheet

    def default_name(self) -> str:
        """The file a render writes when no path is given."""
        from ..animation.request import label_of
        from ..api import default_filename
        from ..files.formats import FORMATS, STILL_SUFFIX

        o = self.options
        if self.frame is not None:
            suffix = f"_step{self.frame}{STILL_SUFFIX}"
        elif self.sheet:
            suffix = f"_sheet{STILL_SUFFIX}"
        else:
            suffix = FORMATS[o.get("format") or "gif"].suffix
        return default_filename(
            self.spec, o["values"], o["seed"], label_of(o.get("kernel"), o.get("image")), suffix, **self.view
        )

    @property
    def view(self) -> dict[str, Any]:
        return {k: v for k, v in self.options.items() if k in VIEW_OPTIONS}

    def render_poster(self, path: Any) -> Any:
        """Write the animation's last frame as a PNG: the still shown to readers who prefer
        reduced motion, drawn by the job of the animation this request rendered (else by a job
        built as for it)."""
        from ..animation.request import animation_job, poster

        job = self._jobs.pop() if self._jobs else animation_job(self.spec, None, fps=self.fps, **self.options)[0]
        return poster(job, path)

    def render(self, path: Any, progress: Any = None) -> Any:
        """Write the picture to ``path``: :func:`convgif.render` or a still."""
        from ..animation.request import animation
        from ..api import render_still

        if self.still:
            o = {k: v for k, v in self.options.items() if k != "format"}
            return render_still(self.spec, path, step=self.frame, **o)
        job, result = animation(self.spec, path, progress, fps=self.fps, **self.options)
        self._jobs[:] = [job]
        return result


def request_from(ctx: click.Context, params: dict[str, Any]) -> Request:
    """The request the parsed options describe."""
    spec, values = layer_from(ctx, params)
    if params.get("frame") is not None and params.get("sheet"):
        raise click.UsageError("--frame and --sheet each write one picture: choose one.")
    still = params.get("frame") is not None or params.get("sheet")
    if still and params.get("image_format"):
        raise click.UsageError("--format sets the animation's format; --frame and --sheet write a PNG.")
    options = {
        "seed": params["seed"],
        "max_frames": params["max_frames"],
        "values": params["values"],
        "kernel": params.get("kernel"),
        "factors": params.get("factors", False),
        "image": params.get("image"),
        "theme": params["theme"],
        "width": params.get("width"),
        "scale": params.get("scale", 1),
        "format": params.get("image_format"),
    }
    options.update(views_from(params))
    options.update(values)
    return Request(spec, options, params.get("frame"), bool(params.get("sheet")), params["fps"])


@click.command(add_help_option=False)
@layer_options
@render_options
def _words(**params: Any) -> None:
    """Parses a render's words without the command's own options."""


def parse(args: Sequence[str]) -> Request:
    """The render that arguments such as ``["--in", "3,7,7", "--k", "3"]`` describe, as typed
    after ``convgif``; click's usage errors (``click.UsageError``, ``click.BadParameter``)
    for bad ones."""
    with _words.make_context("convgif", list(args)) as ctx:
        return request_from(ctx, ctx.params)
