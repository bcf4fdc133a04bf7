"""A torch model run once, every call seen: forward hooks name the modules, a torch function
mode sees every function the forward pass calls (``F.max_pool2d`` in a ``forward`` as well as
the ``conv2d`` inside an ``nn.Conv2d``), so that the table has every module and every layer
convgif draws, and the receptive fields follow every branch.

A layer convgif draws is recognised in one place: a module through
:func:`convgif.inputs.pytorch.kind_of` (its class in the kinds' registry), a functional call by
its name in the registry (``max_pool2d`` -> ``MaxPool2d``), so that a kind added to the registry
is drawn here too.
"""

from __future__ import annotations

import inspect
import math
from typing import Any, Optional

from .. import ops
from ..errors import SpecError
from . import along, contract, layout, regroup
from .graph import Call, Graph, Row
from .layout import Layout
from .reach import Unknown, reach_of

#: Required: an argument a builtin's signature gives no default.
_REQUIRED = object()


def _signature(text: str) -> tuple[tuple[str, Any], ...]:
    """``"input, kernel_size, stride=None"`` as ((name, default), ...), defaults as Python literals."""
    import ast

    parts = []
    for part in text.split(", "):
        name, _, default = part.partition("=")
        parts.append((name, ast.literal_eval(default) if default else _REQUIRED))
    return tuple(parts)


_CONV = "input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1"
_TRANSPOSED = "input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1"
_MAX_POOL = "input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False"
_AVG_POOL = "input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True"

#: torch's built-in functions (C++ bindings) that ``inspect`` cannot read, with their positional
#: arguments and defaults as torch documents them (``F.avg_pool2d``, ``torch.max_pool2d``, ...).
BUILTIN_ARGUMENTS: dict[str, tuple[tuple[str, Any], ...]] = {
    name: _signature(text)
    for name, text in {
        **{f"conv{n}d": _CONV for n in (1, 2, 3)},
        **{f"conv_transpose{n}d": _TRANSPOSED for n in (1, 2, 3)},
        **{f"max_pool{n}d": _MAX_POOL for n in (1, 2, 3)},
        **{f"max_pool{n}d_with_indices": _MAX_POOL for n in (1, 2, 3)},
        "avg_pool1d": _AVG_POOL,
        "avg_pool2d": _AVG_POOL + ", divisor_override=None",
        "avg_pool3d": _AVG_POOL + ", divisor_override=None",
        **{f"adaptive_{how}_pool{n}d": "input, output_size" for how in ("avg", "max") for n in (1, 2, 3)},
        **{f"{how}_pad{n}d": "input, padding" for how in ("reflection", "replication") for n in (1, 2, 3)},
        "pad": "input, pad, mode='constant', value=None",
        "constant_pad_nd": "input, pad, value=0",
        "pixel_shuffle": "input, upscale_factor",
        "pixel_unshuffle": "input, downscale_factor",
        "channel_shuffle": "input, groups",
        "native_channel_shuffle": "input, groups",
        "cat": "tensors, dim=0",
        "concat": "tensors, dim=0",
        "concatenate": "tensors, dim=0",
        "__getitem__": "input, index",
        "flatten": "input, start_dim=0, end_dim=-1",
        **layout.ARGUMENTS,
        **along.ARGUMENTS,
        "stack": "tensors, dim=0",
        "select": "input, dim, index",
        "unbind": "input, dim=0",
        "scaled_dot_product_attention": (
            "query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False"
        ),
    }.items()
}


def registered(module: Any) -> Optional[str]:
    """The registered kind a module's class is (or derives from), without judging it."""
    from ..inputs.pytorch import signatures

    known = signatures()
    return next(
        (c.__name__ for c in type(module).__mro__ if c.__name__ in known and c.__module__.startswith("torch.nn.")),
        None,
    )


def _printed(module: Any) -> Optional[str]:
    """A leaf module as ``print(model)`` shows it, on one line (None if its repr fails)."""
    try:
        text = repr(module)
    except Exception:  # a module's own extra_repr may raise: the page then names its class only
        return None
    return " ".join(line.strip() for line in text.splitlines())


def _bind(func: Any, args: tuple, kwargs: dict) -> dict[str, Any]:
    """A call's arguments by PyTorch's names, defaults filled in."""
    name = getattr(func, "__name__", "")
    if name == "permute" and len(args) > 2:  # x.permute(0, 2, 3, 1)
        args = (args[0], tuple(args[1:]))
    if name in BUILTIN_ARGUMENTS:
        arguments = {n: a for (n, _), a in zip(BUILTIN_ARGUMENTS[name], args)}
        arguments.update(kwargs)
        for n, default in BUILTIN_ARGUMENTS[name]:
            if n not in arguments and default is not _REQUIRED:
                arguments[n] = default
        return arguments
    try:
        signature = inspect.signature(func)
        if all(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in signature.parameters.values()):
            import torch.nn.functional as F  # F.max_pool2d dispatches on return_indices: its parts say

            signature = inspect.signature(getattr(F, f"_{name}"))
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return dict(bound.arguments)
    except (TypeError, ValueError, AttributeError):
        arguments = {f"arg{i}": a for i, a in enumerate(args)}
        arguments.update(kwargs)
        return arguments


def _flat(value: Any) -> list:
    if isinstance(value, (list, tuple)):
        return [item for part in value for item in _flat(part)]
    if isinstance(value, dict):
        return [item for part in value.values() for item in _flat(part)]
    return [value]


class _Tracer:
    """What the hooks and the function mode record while the model runs."""

    def __init__(self, torch: Any, model: Any, keep_inputs: bool) -> None:
        self.torch, self.model, self.keep = torch, model, keep_inputs
        self.ids: dict[int, int] = {}  # id(tensor) -> tensor index
        self.alive: list = []  # the tensors, kept so that ids are not reused
        self.shapes: list[tuple[int, ...]] = []  # in the network's axes (see layout)
        self.layouts: list[Layout] = []
        self.calls: list[Call] = []
        self.stack: list[str] = []
        self.names = {id(m): n for n, m in model.named_modules(remove_duplicate=False)}
        self.rows: dict[str, Row] = {}
        self.order: list[str] = []
        self.drawn_modules: set[str] = set()
        self.functional: dict[str, int] = {}
        #: True while a hook runs: what it asks of a tensor is not part of the forward pass
        self.busy = False
        #: The tensors a call convgif could not lay out in the network's axes made, and that call's name
        self.lost: dict[int, str] = {}
        #: The tensors torch.stack made: the tensors it stacked (None: one not made from the input), its dim
        self.stacks: dict[int, tuple[list[Optional[int]], int]] = {}

    def tensor(self, value: Any, kept: Optional[Layout] = None) -> int:
        """A new tensor's index; ``kept``: its layout in the network's axes, if not its own shape."""
        own = Layout(tuple(value.shape[1:]))
        kept = kept if kept is not None and kept.own() == own.shape else own
        self.alive.append(value)
        self.ids[id(value)] = len(self.shapes)
        self.shapes.append(kept.shape)
        self.layouts.append(kept)
        return len(self.shapes) - 1

    # -- module hooks -----------------------------------------------------------------------

    def before(self, module: Any, args: tuple) -> None:
        self.busy = True
        try:
            self._before(module, args)
        finally:
            self.busy = False

    def after(self, module: Any, args: tuple, output: Any) -> None:
        self.busy = True
        try:
            self._after(module, output)
        finally:
            self.busy = False

    def _before(self, module: Any, args: tuple) -> None:
        name = self.names.get(id(module), "?")
        self.stack.append(name)
        row = self.rows.get(name)
        if row is None:
            row = self.rows[name] = self.new_row(module, name)
            self.order.append(name)
            first = next((a for a in _flat(args) if isinstance(a, self.torch.Tensor)), None)
            if first is not None:
                row.input_shape = tuple(first.shape[1:])
                if row.spec is None and row.reason is None and registered(module):
                    self.describe_module(module, row, first)
        row.calls += 1

    def _after(self, module: Any, output: Any) -> None:
        name = self.stack.pop()
        row = self.rows[name]
        first = next((a for a in _flat(output) if isinstance(a, self.torch.Tensor)), None)
        if first is not None and row.output_shape is None:
            row.output_shape = tuple(first.shape[1:])
            row.output = self.ids.get(id(first))
        if first is not None and id(first) in self.ids:
            row.outputs.append(self.ids[id(first)])
        if row.leaf and first is not None:
            cls, shape = type(module).__name__, tuple(first.shape)
            macs = getattr(row.spec, "macs", 0) or _linear_macs(cls, module, shape)
            row.mult_adds += mult_adds(cls, module, shape)
            row.macs += macs
            for cause, count in mult_adds_parts(cls, module, shape, macs).items():
                row.mult_adds_parts[cause] = row.mult_adds_parts.get(cause, 0) + count

    def new_row(self, module: Any, name: str) -> Row:
        leaf = not any(True for _ in module.children())
        count = sum(p.numel() for p in module.parameters())
        row = Row(
            name or "(model)", type(module).__name__, name.count(".") + (1 if name else 0), parameters=count, leaf=leaf
        )
        if not registered(module):
            row.reason = _why_not(module, leaf)
        if leaf:
            row.printed = _printed(module)
        return row

    def describe_module(self, module: Any, row: Row, first: Any) -> None:
        from ..inputs.pytorch import from_torch

        try:
            spec, values = from_torch(module, tuple(first.shape[1:]), values=False)
        except SpecError as error:
            row.reason = str(error)
            return
        row.spec = spec
        row.values = dict(values)
        if self.keep:
            row.values["input"] = first[0].detach().double().numpy()
        self.drawn_modules.add(row.name)

    # -- the function mode ------------------------------------------------------------------

    def call(self, func: Any, args: tuple, kwargs: dict, result: Any) -> None:
        torch = self.torch
        inputs = [self.ids[id(a)] for a in _flat((args, kwargs)) if isinstance(a, torch.Tensor) and id(a) in self.ids]
        outputs = [o for o in _flat(result) if isinstance(o, torch.Tensor)]
        if not inputs or not outputs:
            return
        name = getattr(func, "__name__", str(func))
        arguments = _bind(func, args, kwargs)
        if name in ("max", "min") and isinstance(arguments.get("dim"), torch.Tensor):  # torch.max(a, b)
            arguments["other"] = arguments.pop("dim")
        shown = {k: (tuple(v.shape) if isinstance(v, torch.Tensor) else v) for k, v in arguments.items()}
        operands = self.operands(arguments, inputs)
        split = along.pieces(name, shown, [tuple(o.shape) for o in outputs])
        if split is None:
            call = self.record(name, shown, inputs, outputs, operands)
        else:  # each piece a call of its own, a slice of the input
            call = [self.record(name, piece, inputs, [o]) for piece, o in zip(split, outputs)][0]
        inside = [n for n in self.stack if n in self.drawn_modules]
        if inside:
            call.row = inside[-1] or "(model)"
            return
        module = self.stack[-1] if self.stack else ""
        kind = ops.canonical(name.removesuffix("_with_indices").replace("_", ""))
        if kind is not None:
            if not isinstance(arguments.get("input"), torch.Tensor):  # arguments read by position only
                arguments = {**arguments, "input": next(a for a in _flat(args) if isinstance(a, torch.Tensor))}
            call.row = self.functional_row(name, kind, arguments, module, outputs[0])

    def operands(self, arguments: dict, inputs: list[int]) -> list[contract.Operand]:
        """Every tensor among a call's ``arguments``, in their order: the argument's name, its
        shape, and which of ``inputs`` it is (None for one not made from the network's input)."""
        places: dict[int, list[int]] = {}
        for place, tensor in enumerate(inputs):
            places.setdefault(tensor, []).append(place)
        found = []
        for name, value in arguments.items():
            for part in _flat(value):
                if isinstance(part, self.torch.Tensor):
                    index = self.ids.get(id(part))
                    place = places[index].pop(0) if places.get(index) else None
                    found.append((name, tuple(part.shape), place))
        return found

    def unstacked(self, name: str, shown: dict, inputs: list[int]) -> Optional[tuple[list[int], dict, str]]:
        """An index picking one of the tensors a stack stacked (see :func:`.regroup.unstacked`):
        that tensor, the index of the rest, and the call to read it as; None for any other."""
        if len(inputs) != 1 or inputs[0] not in self.stacks:
            return None
        tensors, dim = self.stacks[inputs[0]]
        rank = len(self.layouts[inputs[0]].groups())
        picked = regroup.unstacked(name, shown, rank, dim, len(tensors))
        if picked is None or tensors[picked[0]] is None:
            return None
        return [tensors[picked[0]]], {"index": picked[1]}, "getitem"

    def record(self, name: str, shown: dict, inputs: list[int], outputs: list, operands: Optional[list] = None) -> Call:
        """The call of ``name`` with arguments ``shown`` (tensors as their shapes) that read the
        tensors ``inputs`` and made ``outputs``: how it reads each, its outputs' layouts
        (``operands``: every tensor it was given, see :meth:`operands`)."""
        planned, stacked = name, regroup.stacked(name, shown, operands or [], inputs, outputs[0].dim())
        picked = self.unstacked(name, shown, inputs)
        if picked is not None:  # one of the tensors a stack stacked, itself
            inputs, shown, planned = picked
        layouts = [self.layouts[i] for i in inputs]
        plan = regroup.plan(planned, shown, layouts, tuple(outputs[0].shape), operands)
        if not outputs[0].dim():
            number = layout.BATCH if plan.reason == layout.BATCH else "it makes a number, not a tensor"
            reach: list = [Unknown(number)] * len(inputs)
        elif plan.reason is not None:
            culprit = next((self.lost[i] for i in inputs if i in self.lost), None)
            why = plan.reason if culprit is None else f"it reads what {culprit} made, which convgif does not follow"
            reach = [Unknown(why)] * len(inputs)
        else:
            reach = reach_of(plan.name, plan.arguments, [self.shapes[i] for i in inputs], plan.output.shape)
        made = [self.tensor(o, plan.output) for o in outputs]
        if plan.reason is not None:  # its outputs' axes as their own shapes say, not known to be the network's
            self.lost.update({tensor: name for tensor in made})
        elif stacked is not None:
            self.stacks[made[0]] = stacked
        call = Call(name, self.stack[-1] if self.stack else "", inputs, made, reach)
        self.calls.append(call)
        return call

    def functional_row(self, name: str, kind: str, arguments: dict, module: str, output: Any) -> str:
        """A row for a functional call of a kind convgif draws: ``Mixed_5b.max_pool2d``."""
        where = f"{module}." if module else ""
        count = self.functional[where + name] = self.functional.get(where + name, 0) + 1
        label = f"{where}{name}" + (f"#{count}" if count > 1 else "")
        first = arguments.get("input")
        depth = label.count(".") + 1
        row = Row(label, f"F.{name}", depth, tuple(first.shape[1:]), tuple(output.shape[1:]), self.ids.get(id(output)))
        row.calls = 1
        given = [f"{k}={v!r}" for k, v in arguments.items() if not isinstance(v, self.torch.Tensor)]
        row.printed = f"F.{name}({', '.join(given)})"
        try:
            row.spec, row.values = functional_spec(kind, arguments)
            row.macs = getattr(row.spec, "macs", 0)
            if self.keep:
                row.values["input"] = first[0].detach().double().numpy()
        except SpecError as error:
            row.reason = str(error)
        self.rows[label] = row
        self.order.append(label)
        return label


def functional_spec(kind: str, arguments: dict) -> tuple[Any, dict[str, Any]]:
    """The spec of a functional call of a registered kind, and its weight and bias (tensors): the
    arguments the module of that kind takes, read from the call's (a weight's shape gives
    the channels and the kernel, as the kind itself reads it)."""
    from ..inputs.pytorch import spec_arguments

    op = ops.operation(kind)
    first = arguments["input"]
    shape = tuple(first.shape[1:])
    given = {k: v for k, v in arguments.items() if k in op.torch_signature and k not in ("in_channels", "bias")}
    values: dict[str, Any] = {}
    weight = arguments.get("weight")
    if weight is not None:
        given.update(op.arguments_from_weight(tuple(weight.shape), shape[0], arguments.get("groups")))
        given["bias"] = arguments.get("bias") is not None
        values["weight"] = weight
        if arguments.get("bias") is not None:
            values["bias"] = arguments["bias"]
    given = {k: (tuple(v) if isinstance(v, list) else v) for k, v in given.items()}
    _, spec_args = spec_arguments(op.name, given)
    return op.build(input_shape=shape, **spec_args), values


def _why_not(module: Any, leaf: bool) -> Optional[str]:
    if not leaf:
        return None
    name = type(module).__name__
    return f"{name} is not a layer convgif draws"


def mult_adds(cls: str, module: Any, output: tuple[int, ...]) -> int:
    """torchinfo's count for one call of a module: each weight and bias of a convolution once
    per output position (batch and spatial), any other parameter once per sample."""
    total = 0
    for _, parameter in module.named_parameters(recurse=False):
        if "Conv" in cls:
            total += parameter.numel() * math.prod(output[:1] + output[2:])
        else:
            total += output[0] * parameter.numel()
    return total


def mult_adds_parts(cls: str, module: Any, output: tuple[int, ...], macs: int) -> dict[str, int]:
    """How :func:`mult_adds` of one call differs from convgif's multiply-accumulates ``macs``, by
    cause: ``bias`` (each bias, once per output position of a convolution), ``transposed`` (a
    transposed convolution's weights counted once per output position, where convgif counts
    each weight once per input cell it multiplies), ``norm`` (a norm layer's parameters),
    ``other`` (any other parameter, and weights counted otherwise)."""
    parts: dict[str, int] = {}
    weights = "transposed" if "Transpose" in cls else "other"
    for name, parameter in module.named_parameters(recurse=False):
        count = parameter.numel() * (math.prod(output[:1] + output[2:]) if "Conv" in cls else output[0])
        cause = "norm" if "Norm" in cls else "bias" if name == "bias" else weights if name == "weight" else "other"
        parts[cause] = parts.get(cause, 0) + count
    parts[weights] = parts.get(weights, 0) - macs
    return {cause: count for cause, count in parts.items() if count}


def _linear_macs(cls: str, module: Any, output: tuple[int, ...]) -> int:
    """Multiply-accumulates of a linear layer: in_features per output value."""
    weight = getattr(module, "weight", None)
    if cls in ("Linear", "LazyLinear") and weight is not None:
        return math.prod(output[1:]) * weight.shape[1]
    return 0


def trace(
    model: Any,
    input_shape: tuple[int, ...],
    input: Any = None,
    seed: int = 0,
    keep_inputs: bool = False,
) -> Graph:
    """Run ``model`` (in eval mode, without gradients) on one sample of ``input_shape`` (a
    seeded standard normal, or ``input``, a (C, *spatial) array) and record it. (A copy on
    torch's meta device would compute shapes alone, but its first batch norm loads torch's
    compiler, which costs more than the forward pass it saves.)"""
    import torch

    if input is None:
        generator = torch.Generator().manual_seed(seed)
        x = torch.randn((1, *input_shape), generator=generator)
    else:
        x = torch.as_tensor(input, dtype=torch.float32)[None]
    return _trace(torch, model, x, input_shape, keep_inputs)


def _trace(torch: Any, model: Any, x: Any, input_shape: tuple[int, ...], keep_inputs: bool) -> Graph:
    from torch.overrides import TorchFunctionMode

    tracer = _Tracer(torch, model, keep_inputs)

    class Mode(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            result = func(*args, **kwargs)
            if not tracer.busy:
                tracer.call(func, args, kwargs, result)
            return result

    before, after = _watching(tracer.before), _watching(tracer.after)
    handles = []
    for module in model.modules():
        handles.append(module.register_forward_pre_hook(before))
        handles.append(module.register_forward_hook(after))
    was_training = model.training
    model.eval()
    tracer.tensor(x)
    try:
        with torch.no_grad(), Mode():
            model(x)
    except Exception as error:  # noqa: BLE001 - the model's own code refused the input: say so
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise SpecError(
            "input_shape", f"the model refused an input of shape {tuple(input_shape)} (one sample): {reason}"
        ) from None
    finally:
        for handle in handles:
            handle.remove()
        model.train(was_training)
    rows = [tracer.rows[name] for name in tracer.order]
    called = {row.name for row in rows}
    for name, module in model.named_modules():
        label = name or "(model)"
        if label not in called:
            row = tracer.new_row(module, name)
            row.reason = "not called by forward()"
            rows.append(row)
    own = {t: kept.own() for t, kept in enumerate(tracer.layouts) if kept.own() != kept.shape}
    return Graph(tracer.shapes, tracer.calls, rows, own=own)


def _watching(hook: Any) -> Any:
    """``hook`` marked as convgif's own, which a layer drawn may carry (see ``forward_differs``)."""
    from ..inputs.pytorch import TRACING

    def watch(*args: Any) -> Any:
        return hook(*args)

    setattr(watch, TRACING, True)
    return watch
