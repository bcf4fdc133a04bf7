"""The arguments of a render as command-line options, declared once.

The ``convgif`` command, the gallery file and the documentation plugins all take a render as
the words a shell would pass: this module turns those words into a :class:`Request` (the
layer's spec and the keyword arguments of :func:`convgif.render`), with click's usage errors
naming the option, its value and the rule.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Optional

import click

from ..animation import DEFAULT_FPS
from ..engine.modes import MODES
from ..errors import SpecError
from ..ops.args import PADDING_MODES, fmt
from .hints import HintingCommand
from .render_options import render_options as render_options
from .shapes import missing_channel
from .types import FactorsType, LayerType, PaddingType, RatiosType, SamplesType, ShapeType, SizesType, layer_line


class Argument(NamedTuple):
    """One argument of PyTorch's layers as an option, declared once for every kind that has it
    (which kinds do is what their specs take): its option names, its type and its help. A
    ``switch`` is an ``--x/--no-x`` flag; a ``view`` chooses how a kind is drawn (the kinds that
    have it list it in :attr:`~convgif.ops.base.Operation.views`)."""

    name: str
    flags: tuple[str, ...]
    help: str
    type: Any = None
    switch: bool = False
    view: bool = False

    def option(self) -> Callable:
        if self.switch:
            return click.option(f"{self.flags[0]}/--no-{self.flags[0][2:]}", self.name, default=None, help=self.help)
        if self.type is bool:
            return click.option(*self.flags, self.name, is_flag=True, help=self.help)
        return click.option(*self.flags, self.name, type=self.type, help=self.help)


#: PyTorch's arguments, and the drawing options of some kinds, each once.
ARGUMENTS = (
    Argument(
        "input_shape",
        ("--in", "--in-shape"),
        "Input shape C,H,W (or H,W, meaning C = 1; C,L for a 1-D layer, C,D,H,W for a 3-D one).",
        ShapeType(),
    ),
    Argument("out_channels", ("--out", "--out-channels"), "Output channels.  [default: 1]", int),
    Argument("kernel_size", ("--k", "--kernel-size"), "Kernel size: N or H,W.  [default: 3]", SizesType()),
    Argument("stride", ("--s", "--stride"), "Stride: N or H,W.  [default: 1; pooling: the kernel size]", SizesType()),
    Argument(
        "padding",
        ("--p", "--padding"),
        "Padding: N, H,W, same or valid (padding layers: N or left,right,top,bottom,...).  [default: 0]",
        PaddingType(),
    ),
    Argument("dilation", ("--d", "--dilation"), "Dilation: N or H,W.  [default: 1]", SizesType()),
    Argument(
        "groups",
        ("--g", "--groups"),
        "Groups: blocked connections from input to output channels (ChannelShuffle: the groups it interleaves).  "
        "[default: 1]",
        int,
    ),
    Argument("bias", ("--bias",), "Add a learnable bias to each output channel.  [default: bias]", switch=True),
    Argument(
        "padding_mode", ("--padding-mode",), "What padding cells hold.  [default: zeros]", click.Choice(PADDING_MODES)
    ),
    Argument(
        "output_padding",
        ("--output-padding",),
        "Transposed convolutions: cells added at the end of each axis of the output.  [default: 0]",
        SizesType(),
    ),
    Argument(
        "ceil_mode",
        ("--ceil-mode",),
        "Pooling: round the output size up, letting a last window hang over the edge.  [default: no-ceil-mode]",
        switch=True,
    ),
    Argument(
        "count_include_pad",
        ("--count-include-pad",),
        "AvgPool: count padding cells in each window's divisor.  [default: count-include-pad]",
        switch=True,
    ),
    Argument("divisor_override", ("--divisor-override",), "AvgPool: divide every window's sum by this instead.", int),
    Argument(
        "return_indices",
        ("--return-indices",),
        "MaxPool: also show where each maximum came from.  [default: no-return-indices]",
        switch=True,
    ),
    Argument(
        "output_size",
        ("--output-size",),
        "The output's size (H,W), where a layer takes one (MaxUnpool: within a stride of the default, a tuple as in PyTorch: L, for one axis; "
        "adaptive pools: None for the input's size on an axis, in a --layer line; Fold: required, the map its "
        "columns are added into).",
        SizesType(),
    ),
    Argument("value", ("--value",), "ConstantPad: what the padding cells hold (no default, as in PyTorch).", float),
    Argument("size", ("--size",), "Upsample: the output's size, N or H,W (or give --scale-factor).", SizesType()),
    Argument(
        "scale_factor",
        ("--scale-factor",),
        "Upsample: multiply each size by this, X or H,W (or give --size).",
        FactorsType(),
    ),
    Argument(
        "mode", ("--mode",), "Upsample: how output cells read the input.  [default: nearest]", click.Choice(list(MODES))
    ),
    Argument(
        "align_corners",
        ("--align-corners",),
        "Upsample, interpolating modes: line the corner cells up instead of the cells' centres.  [default: none]",
        switch=True,
    ),
    Argument(
        "recompute_scale_factor",
        ("--recompute-scale-factor",),
        "Upsample: interpolate with the sizes' ratio rather than the scale factor given.  [default: none]",
        switch=True,
    ),
    Argument("upscale_factor", ("--upscale-factor",), "PixelShuffle: r, turning C·r² channels into r×r blocks.", int),
    Argument(
        "downscale_factor", ("--downscale-factor",), "PixelUnshuffle: r, turning r×r blocks into C·r² channels.", int
    ),
    Argument(
        "norm_type",
        ("--norm-type",),
        "LPPool: the power p of each window's (Σ x^p)^(1/p); inf takes the largest |x|, -inf the least.",
        float,
    ),
    Argument(
        "output_ratio",
        ("--output-ratio",),
        "FractionalMaxPool: the output's size as a fraction of the input's (one, or one per axis).",
        RatiosType(),
    ),
    Argument(
        "samples",
        ("--samples",),
        "FractionalMaxPool: each channel's samples in [0, 1) that place its windows, e.g. 0.3,0.7;0.1,0.2 "
        "[default: drawn from --seed].",
        SamplesType(),
    ),
    Argument(
        "as_conv",
        ("--as-conv",),
        "ConvTranspose2d: draw the equal direct convolution over the zero-inserted input.",
        bool,
        view=True,
    ),
    Argument(
        "backward",
        ("--backward",),
        "Draw the backward pass from an upstream gradient dL/dy (seeded integers in -2..2): dx (a convolution's "
        "kernels turned 180° over the zero-inserted, padded dy; a pool's dy routed to its largest cell or spread "
        "over its window), then dw (dy over the input) and db.",
        bool,
        view=True,
    ),
    Argument(
        "view",
        ("--view",),
        "Draw the layer another way: matrix (Conv1d/2d: the unfolded input X, the weight W and Y = W·X; "
        "ConvTranspose1d/2d: y = Cᵀ·x), overlaps (ConvTranspose1d/2d: how many kernel taps land on each output "
        "cell).",
        click.Choice(("matrix", "overlaps")),
        view=True,
    ),
    Argument(
        "region",
        ("--region",),
        "Draw only these output rows and columns (C0:C1 for a 1-D layer) and the input they read "
        "[default: all, or the top left of a layer too large to draw whole].",
        click.STRING,
        view=True,
    ),
)
#: The arguments that describe the layer itself (the others choose how it is drawn).
SPEC_OPTIONS = tuple(argument.name for argument in ARGUMENTS if not argument.view)
VIEW_OPTIONS = tuple(argument.name for argument in ARGUMENTS if argument.view)
#: The command's subcommands, which draw nothing (the pages' front end refuses them by name).
SUBCOMMANDS = ("info", "bench", "gallery", "model")
#: The old flags that choose a layer kind, and the kind each chooses.
KIND_FLAGS = {"conv1d": "Conv1d", "transposed": "ConvTranspose2d", "separable": "separable"}


def _option_of(ctx: Optional[click.Context], argument: str) -> Optional[click.Parameter]:
    """The option of the command being parsed that sets ``argument`` (click names each
    parameter after the argument it sets), or None."""
    ctx = ctx or click.get_current_context(silent=True)
    if ctx is None:
        return None
    return next((p for p in ctx.command.get_params(ctx) if p.name == argument), None)


def fail(message: str, argument: str, ctx: Optional[click.Context] = None) -> click.BadParameter:
    """A usage error about ``argument``, named by its option as click names it (``'--g' / '--groups'``)."""
    param = _option_of(ctx, argument)
    return click.BadParameter(message, ctx=ctx, param=param, param_hint=None if param else f"'{argument}'")


def bad(error: SpecError, ctx: Optional[click.Context] = None) -> click.BadParameter:
    """A :class:`SpecError` as the usage error of the option that set its argument."""
    return fail(str(error), error.argument, ctx)


def _flag(argument: str, value: Any = None) -> str:
    """How an option is typed: ``--k 5``, ``--no-bias``, or its name when no value is given."""
    param = _option_of(None, argument)
    option = min(param.opts, key=len) if param is not None else argument
    if value is None:
        return option
    if isinstance(value, bool):
        return option if value else option.replace("--", "--no-", 1)
    text = ",".join(map(str, value)) if isinstance(value, tuple) else str(value)
    return f"{option} {text}"


def layer_options(function):
    """The options that describe a layer, shared by every command that takes one: the kind
    (``--layer``, a saved model), then one option per argument of :data:`ARGUMENTS`."""
    from .. import ops

    decorators = [
        click.option(
            "--layer",
            type=LayerType(),
            help=f"The layer kind, by PyTorch's class name: {', '.join(ops.NAMES)} (any case; Conv2d unless given); "
            'or a layer as print(model) shows it, e.g. "Conv2d(3, 64, kernel_size=(7, 7), stride=(2, 2), '
            'padding=(3, 3), bias=False)".',
        ),
        click.option(
            "--weights",
            type=click.Path(dir_okay=False),
            help="A model or state_dict torch.save wrote: draw a layer of it (--module) with its trained weights. "
            "Needs PyTorch.",
        ),
        click.option(
            "--module",
            metavar="NAME",
            help="With --weights: the layer, named as model.named_modules() names it, e.g. features.0.",
        ),
        *(argument.option() for argument in ARGUMENTS),
        *(
            click.option(f"--{flag}", is_flag=True, help=f"The same as --layer {kind}.")
            for flag, kind in KIND_FLAGS.items()
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


def layer_name(params: dict[str, Any], loaded: Any = None) -> str:
    """The layer kind ``--layer`` (a name or a line), one of the old flags or the layer taken
    from ``--weights`` chooses (Conv2d if none; Conv1d for a state_dict's 3-D weight)."""
    chosen = [KIND_FLAGS[flag] for flag in KIND_FLAGS if params.get(flag)]
    if len(chosen) > 1:
        raise click.UsageError("--transposed, --conv1d and --separable each draw a different layer: choose one.")
    layer = params.get("layer")
    named = getattr(layer, "name", layer)
    if named and chosen and chosen[0] != named:
        flag = next(f for f, k in KIND_FLAGS.items() if k == chosen[0])
        raise click.UsageError(f"--layer {named} and --{flag} name different layers: choose one.")
    named = named or (chosen[0] if chosen else None)
    if loaded is not None and loaded.name is not None:
        if named and named != loaded.name:
            raise fail(f"the layer {loaded.source} is a {loaded.name}, not a {named}", "layer")
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


def _loaded(params: dict[str, Any]) -> Any:
    """The layer ``--weights`` (and ``--module``) name in a saved file, or None."""
    if params.get("module") and not params.get("weights"):
        raise fail("--module names a layer of the file --weights gives: give --weights FILE too", "module")
    if not params.get("weights"):
        return None
    from ..inputs.pytorch import load_layer

    if params.get("kernel") is not None:
        raise fail("--weights gives the weights; --kernel would replace them: choose one", "kernel")
    try:
        return load_layer(params["weights"], params.get("module"))
    except SpecError as error:
        raise bad(error) from None


def _stated(op: Any, params: dict[str, Any], loaded: Any) -> dict[str, tuple[Any, str]]:
    """The arguments the ``--layer`` line and the saved layer state: argument -> (value, where),
    refusing sources that disagree with each other or with the input's channels."""
    shape, line = params["input_shape"], layer_line(params.get("layer"))
    if line is None and loaded is None:
        return {}
    from ..inputs.pytorch import check_channels, spec_arguments, state_dict_arguments

    stated: dict[str, tuple[Any, str]] = {}
    in_channels: list[tuple[int, str]] = []
    try:
        if line is not None:
            channels, arguments = spec_arguments(line.name, line.arguments)
            if channels is not None:
                in_channels.append((channels, f"--layer {line.text!r}"))
            stated.update({a: (v, f"--layer {line.text!r}") for a, v in arguments.items()})
        if loaded is not None:
            where = f"the layer {loaded.source}"
            if loaded.name is None and "weight" not in loaded.values:  # nothing under that name
                if op.has_weights:
                    raise SpecError("module", str(loaded.missing))
                if line is None:
                    raise SpecError(
                        "layer",
                        f"a state_dict holds nothing for a {op.name}, which has no weights, so {loaded.source} cannot "
                        f'tell it: give it as print(model) shows it, e.g. --layer "{op.name}(…)"',
                    )
                from_file = {}  # the line tells it all
            elif loaded.name is None:
                groups = params.get("groups") if params.get("groups") is not None else stated.get("groups", (None,))[0]
                channels = shape[0] if len(shape) == op.dims + 1 else 1
                from_file = state_dict_arguments(loaded, op.name, channels, groups)
            else:
                channels, from_file = spec_arguments(loaded.name, loaded.arguments)
                if channels is not None:
                    in_channels.append((channels, where))
            for argument, value in from_file.items():
                if argument in stated and _normal(argument, stated[argument][0], op.dims) != _normal(
                    argument, value, op.dims
                ):
                    said, by = stated[argument]
                    raise fail(f"{by} says {argument}={fmt(said)}, but {where} has {fmt(value)}", "layer")
                stated[argument] = (value, where)
        for channels, where in in_channels:
            check_channels(channels, shape, op.dims, where)
    except SpecError as error:
        raise bad(error) from None
    return stated


def _untold(op: Any, params: dict[str, Any], stated: dict[str, tuple[Any, str]], loaded: Any) -> None:
    """Refuse a layer of a state_dict that neither the file (its weights: out_channels,
    kernel_size, bias, a convolution's groups), nor a ``--layer`` line (which tells every
    argument, the ones it leaves out being the defaults), nor the options tell whole: its
    stride, padding, dilation and the rest would otherwise be guesses."""
    if loaded is None or loaded.name is not None or layer_line(params.get("layer")) is not None:
        return
    untold = [
        a
        for a in op.torch_signature
        if a in op.arguments
        and a in SPEC_OPTIONS
        and a not in op.torch_fixed
        and a not in stated
        and params.get(a) is None
    ]
    if untold:
        known = {a: v for a, (v, _) in stated.items()}
        channels = params["input_shape"][0] if len(params["input_shape"]) == op.dims + 1 else 1
        example = f"{op.name}({channels}, {known.get('out_channels', '…')}, kernel_size={known.get('kernel_size', '…')}"
        raise fail(
            f"the state_dict {loaded.source} holds weights only: it cannot tell the layer's {', '.join(untold)}. "
            f'Give the layer as print(model) shows it, e.g. --layer "{example}, stride=…, padding=…)", '
            f"or give {', '.join(_flag(a) for a in untold)}",
            "weights",
        )


def _default(op: Any, argument: str) -> Any:
    """The spec's default for ``argument`` (PyTorch's)."""
    import dataclasses

    found = next(f for f in dataclasses.fields(op.spec_type) if f.name == argument)
    return found.default


def _arguments(op: Any, params: dict[str, Any], stated: dict[str, tuple[Any, str]]) -> dict[str, Any]:
    """The spec's arguments: the options given, then what the line or the saved layer states;
    an option the kind does not have, one that disagrees with a source, or one that changes an
    argument the ``--layer`` line leaves to its default (which print(model) shows whenever it is
    not the default) is refused."""
    line = layer_line(params.get("layer"))
    arguments = {}
    for argument in SPEC_OPTIONS:
        if params.get(argument) is None:
            continue
        if argument not in op.arguments:
            takes = ", ".join(_flag(a) for a in op.arguments if a in SPEC_OPTIONS)
            raise fail(f"{op.refusal(argument)}; it takes {takes}", argument)
        if (
            line is not None
            and argument not in line.arguments
            and argument in op.shown
            and _normal(argument, _default(op, argument), op.dims) != _normal(argument, params[argument], op.dims)
        ):
            default = _default(op, argument)
            raise fail(
                f"{_flag(argument, params[argument])} would draw another layer than --layer {line.text!r}: "
                f"print(model) leaves {argument} out of a {op.name}'s line only when it is {fmt(default)}, "
                f"so the line says {argument}={fmt(default)}; put {argument} in the line instead",
                argument,
            )
        if argument in stated and _normal(argument, stated[argument][0], op.dims) != _normal(
            argument, params[argument], op.dims
        ):
            value, where = stated[argument]
            raise fail(
                f"{_flag(argument, params[argument])} disagrees with {argument}={fmt(value)} in {where}: "
                "drop one or make them agree",
                argument,
            )
        arguments[argument] = params[argument]
    for argument, (value, where) in stated.items():
        if argument in arguments:
            continue
        if argument not in op.arguments:
            raise fail(f"{op.refusal(argument)} (in {where})", "layer")
        arguments[argument] = value
    for view, value in views_from(params).items():
        if view == "view" and value not in op.view_names:
            names = " or ".join(f"--view {name}" for name in op.view_names)
            also = f"as it is or with {names}" if names else "one way only"
            raise fail(f"--view {value} does not apply to {op.name}: it is drawn {also}", view)
        if not op.takes_view(view):
            raise fail(f"{op.refusal(view)}; it is drawn one way only", view)
    kernel = params.get("kernel")
    if kernel is not None and "kernel_size" not in arguments and "kernel_size" in op.arguments:
        from ..inputs.kernels import parse_kernel

        try:
            arguments["kernel_size"] = tuple(parse_kernel(kernel).shape[-op.dims :])
        except SpecError as error:
            raise bad(error) from None
    return arguments


def layer_from(ctx: click.Context, params: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The spec the layer options describe and the values they give (a saved layer's weight
    and bias), refusing options the chosen layer does not have and options that disagree with
    the ``--layer`` line or the saved layer."""
    from .. import ops

    if params.get("input_shape") is None:
        raise click.UsageError("Missing option '--in' / '--in-shape' (the input shape, e.g. --in 3,7,7).")
    loaded = _loaded(params)
    try:
        op = ops.operation(layer_name(params, loaded))
    except SpecError as error:
        raise bad(error) from None
    stated = _stated(op, params, loaded)
    arguments = _arguments(op, params, stated)
    _untold(op, params, stated, loaded)
    try:
        spec = op.build(**arguments)
    except SpecError as error:
        raise bad(missing_channel(op, arguments, error) or error, ctx) from None
    return spec, (dict(loaded.values) if loaded is not None else {})


def spec_from(ctx: click.Context, params: dict[str, Any]) -> Any:
    """The spec the layer options describe, refusing options the chosen layer does not have."""
    return layer_from(ctx, params)[0]


@dataclass(frozen=True, eq=False)
class Request:
    """A render described by options: the layer's spec, and the keyword arguments of
    :func:`convgif.render` (or of :func:`convgif.api.render_still` for ``frame`` / ``sheet``)."""

    spec: Any
    options: dict[str, Any] = field(default_factory=dict)
    frame: Optional[int] = None
    sheet: bool = False
    fps: float = DEFAULT_FPS
    #: The option the weight and bias came from (``weights``: a saved model), if not the defaults.
    values_from: Optional[str] = None
    #: the job of the animation rendered, kept for its poster
    _jobs: list = field(default_factory=list, init=False, repr=False, compare=False)

    @property
    def still(self) -> bool:
        return self.frame is not None or self.sheet

    def default_name(self) -> str:
        """The file a render writes when no path is given."""
        from ..animation.request import default_filename, label_of
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
        """Write the picture to ``path``: :func:`convgif.render` or a still. A weight or bias
        from a saved model that is refused is refused naming the option that gave it."""
        from ..animation.request import animation

        try:
            if self.still:
                from ..api import render_still

                o = {k: v for k, v in self.options.items() if k != "format"}
                return render_still(self.spec, path, step=self.frame, **o)
            job, result = animation(self.spec, path, progress, fps=self.fps, **self.options)
        except SpecError as error:
            if self.values_from is None or error.argument not in ("weight", "bias"):
                raise
            raise SpecError(self.values_from, f"{error} (in the file --{self.values_from} names)") from None
        self._jobs[:] = [job]
        return result


def request_from(ctx: click.Context, params: dict[str, Any]) -> Request:
    """The request the parsed options describe."""
    spec, values = layer_from(ctx, params)
    if params.get("step") is not None and params.get("sheet"):
        raise click.UsageError("--frame and --sheet each write one picture: choose one.")
    still = params.get("step") is not None or params.get("sheet")
    if still and params.get("format"):
        raise click.UsageError("--format sets the animation's format; --frame and --sheet write a PNG.")
    options = {
        "seed": params["seed"],
        "max_frames": params["max_frames"],
        "values": params["values"],
        "kernel": params.get("kernel"),
        "factors": params.get("factors", False),
        "image": params.get("image"),
        "theme": params["theme"],
        "lang": params.get("lang", "en"),
        "width": params.get("width"),
        "scale": params.get("scale", 1),
        "format": params.get("format"),
    }
    options.update(views_from(params))
    options.update(values)
    values_from = "weights" if values else None
    return Request(spec, options, params.get("step"), bool(params.get("sheet")), params["fps"], values_from)


def _words() -> click.Command:
    @click.command(cls=HintingCommand, add_help_option=False)
    @layer_options
    @render_options
    def words(**params: Any) -> None:
        """Parses a render's words without the command's own options (made when words are
        parsed, not when the command starts)."""

    return words


def option_name(argument: str) -> Optional[str]:
    """The option that sets ``argument`` in a render's words (``--k`` for ``kernel_size``), or None."""
    words = _words()
    param = next((p for p in words.get_params(click.Context(words)) if p.name == argument), None)
    return min(param.opts, key=len) if param is not None else None


def parse(args: Sequence[str]) -> Request:
    """The render that arguments such as ``["--in", "3,7,7", "--k", "3"]`` describe, as typed
    after ``convgif``; click's usage errors (``click.UsageError``, ``click.BadParameter``)
    for bad ones."""
    with _words().make_context("convgif", list(args)) as ctx:
        return request_from(ctx, ctx.params)
