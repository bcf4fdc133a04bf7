"""A network from the text ``print(model)`` prints for an ``nn.Sequential``, without torch.

Each line is a layer, ``(3): MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1,
ceil_mode=False)``, nested ``Sequential(`` blocks included. Layers convgif draws become specs
(:func:`convgif.inputs.pytorch.parse_line`), whose output shape feeds the next layer; the other
layers torch has whose shape and parameters follow from their arguments (activations, batch
norm, dropout, flatten, linear, adaptive pooling, padding, upsampling) are followed too; any
other stops the shapes there, saying why. Arguments are read as literals, never evaluated.
"""

from __future__ import annotations

import ast
import math
import re
from typing import Any

from .. import ops
from ..errors import SpecError
from .graph import Call, Graph, Row
from .reach import POINTWISE, Unknown, normal, reach_of

_LINE = re.compile(r"^\((?P<name>[^)]+)\):\s*(?P<body>.*)$")


def _arguments(call: str) -> tuple[str, list, dict]:
    """``Linear(in_features=512, out_features=10, bias=True)`` -> its class and arguments
    (numbers, strings, tuples, True/False/None; a bare name is its text)."""
    try:
        node = ast.parse(call.strip(), mode="eval").body
    except SyntaxError:
        raise SpecError("model", f"{call.strip()!r} is not a layer as print(model) shows it") from None
    if not isinstance(node, ast.Call):
        raise SpecError("model", f"{call.strip()!r} is not a layer as print(model) shows it")

    def value(item: ast.AST) -> Any:
        if isinstance(item, ast.Name):
            return item.id
        try:
            return ast.literal_eval(item)
        except ValueError:
            return ast.unparse(item)

    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "?")
    return name, [value(a) for a in node.args], {k.arg: value(k.value) for k in node.keywords if k.arg}


def parse(text: str) -> list[tuple[str, str, str]]:
    """The leaves of a ``Sequential`` printout: (name as named_modules() gives it, class, line)."""
    lines = [line.rstrip() for line in text.splitlines() if line.strip()]
    first = lines[0].strip() if lines else ""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*\(", first) and first != "Sequential(":
        raise SpecError(
            "model",
            f"the model is a {first[:-1]}: print(model) does not show what its forward() does; only nn.Sequential "
            "is read from text (give the model itself, as path/to/file.py:NAME)",
        )
    if first != "Sequential(":
        raise SpecError(
            "model", "the text is not what print(model) prints for an nn.Sequential (its first line is 'Sequential(')"
        )
    stack: list[str] = []
    leaves = []
    for line in lines[1:]:
        body = line.strip()
        if body == ")":
            if stack:
                stack.pop()
            continue
        found = _LINE.match(body)
        if not found:
            raise SpecError("model", f"cannot read the line {body!r} of the print(model) text")
        name, rest = found["name"], found["body"]
        path = ".".join([*stack, name])
        if rest.endswith("(") and not rest.endswith("()"):
            kind = rest[:-1]
            if kind != "Sequential":
                raise SpecError(
                    "model",
                    f"{path} is a {kind}: print(model) does not show what its forward() does; "
                    "only nn.Sequential is read from text (give the model itself for the rest)",
                )
            stack.append(name)
            continue
        leaves.append((path, rest.split("(", 1)[0], rest))
    return leaves


def graph_from_text(text: str, input_shape: tuple[int, ...]) -> Graph:
    """The graph of the ``Sequential`` printed in ``text`` for one input of ``input_shape``."""
    from ..inputs.pytorch import check_channels, parse_line, spec_arguments

    leaves = parse(text)
    shapes = [tuple(input_shape)]
    calls, rows = [], [Row("(model)", "Sequential", 0, tuple(input_shape), leaf=False)]
    containers: dict[str, Row] = {}
    stopped = None
    for path, cls, line in leaves:
        parts = path.split(".")
        for depth in range(1, len(parts)):
            name = ".".join(parts[:depth])
            if name not in containers:
                containers[name] = Row(name, "Sequential", depth, shapes[-1], leaf=False)
                rows.append(containers[name])
        row = Row(path, cls, len(parts), shapes[-1] if stopped is None else None, printed=line)
        rows.append(row)
        if stopped is not None:
            row.reason = stopped
            continue
        shape = shapes[-1]
        try:
            name, args, keywords = _arguments(line)
            arguments = dict(keywords)
            out, parameters = None, 0
            kind = ops.canonical(cls)
            if kind is not None and ops.operation(kind).torch_signature:
                layer = parse_line(line)
                in_channels, spec_args = spec_arguments(layer.name, layer.arguments)
                op = ops.operation(layer.name)
                check_channels(in_channels, shape, op.dims, f"{path} ({cls})")
                row.spec = op.build(input_shape=shape, **spec_args)
                out, parameters = tuple(row.spec.output_shape), row.spec.num_parameters
                row.macs = getattr(row.spec, "macs", 0)
                arguments = dict(layer.arguments)
            else:
                out, parameters, arguments = _other(cls, args, keywords, shape)
                row.reason = f"{cls} is not a layer convgif draws"
        except SpecError as error:
            stopped = f"after {path}: {error}"
            row.reason = str(error)
            continue
        if out is None:
            stopped = f"convgif cannot tell the output shape of {cls} without torch"
            row.reason = stopped
            continue
        row.output_shape, row.parameters = out, parameters
        reach = reach_of(cls, arguments, [shape], out) if len(out) > 1 else [Unknown("no spatial axes")]
        if len(out) < 2 or len(shape) < 2:
            reach = ["global"]
        shapes.append(out)
        row.output = len(shapes) - 1
        calls.append(Call(cls, ".".join(parts[:-1]), [len(shapes) - 2], [len(shapes) - 1], reach, row=path))
    for row in rows:
        if not row.leaf:
            prefix = "" if row.name == "(model)" else row.name + "."
            inside = [r for r in rows if r.leaf and r.name.startswith(prefix) and r.output is not None]
            row.parameters = sum(r.parameters for r in rows if r.leaf and r.name.startswith(prefix))
            if inside:
                row.output_shape, row.output = inside[-1].output_shape, inside[-1].output
    graph = Graph(shapes, calls, rows)
    if stopped:
        graph.notes.append(stopped)
    return graph


def _other(cls: str, args: list, keywords: dict, shape: tuple[int, ...]) -> tuple[Any, int, dict]:
    """Output shape, parameters and arguments (by PyTorch's names) of a layer convgif does not
    draw, from its printed arguments; (None, 0, {}) when they do not tell."""
    key = normal(cls)
    base = key[:-2] if key[-2:] in ("1d", "2d", "3d") else key
    if key in POINTWISE or base in ("dropout", "identity"):
        parameters = 0
        if base == "batchnorm":
            features = keywords.get("num_features", args[0] if args else shape[0])
            parameters = 2 * features if keywords.get("affine", True) else 0
        return shape, parameters, {}
    if base in ("softmax", "logsoftmax", "softmin"):  # Softmax2d: along the channels
        dim = keywords.get("dim", args[0] if args else (-3 if key == "softmax2d" else None))
        return shape, 0, {"dim": dim}
    if key == "flatten":
        start = keywords.get("start_dim", args[0] if args else 1)
        if start != 1 or keywords.get("end_dim", -1) != -1:
            return None, 0, {}
        return (math.prod(shape),), 0, {}
    if key == "linear":
        features = keywords.get("in_features", args[0] if args else None)
        outputs = keywords.get("out_features", args[1] if len(args) > 1 else None)
        if features != shape[-1]:
            raise SpecError("model", f"{cls}(in_features={features}) cannot take an input of shape {shape}")
        bias = keywords.get("bias", True)
        return (*shape[:-1], outputs), features * outputs + (outputs if bias else 0), {}
    if base in ("adaptiveavgpool", "adaptivemaxpool"):
        size = keywords.get("output_size", args[0] if args else None)
        sizes = size if isinstance(size, tuple) else (size,) * (len(shape) - 1)
        return (shape[0], *(n if s is None else s for s, n in zip(sizes, shape[1:]))), 0, {}
    if base.endswith("pad") and base != "pad":
        amount = keywords.get("padding", args[0] if args else 0)
        dims = len(shape) - 1
        amounts = (amount,) * (2 * dims) if isinstance(amount, int) else tuple(amount)
        sizes = list(shape[1:])
        for k in range(len(amounts) // 2):
            sizes[dims - 1 - k] += amounts[2 * k] + amounts[2 * k + 1]
        return (shape[0], *sizes), 0, {"padding": amounts}
    if base in ("upsample", "upsamplingnearest", "upsamplingbilinear"):
        size, factor = keywords.get("size"), keywords.get("scale_factor")
        dims = len(shape) - 1
        if size is not None:
            sizes = size if isinstance(size, tuple) else (size,) * dims
        elif factor is not None:
            factors = factor if isinstance(factor, tuple) else (factor,) * dims
            sizes = tuple(int(math.floor(n * f)) for n, f in zip(shape[1:], factors))
        else:
            return None, 0, {}
        return (shape[0], *sizes), 0, dict(keywords)
    if base == "pixelshuffle":
        r = keywords.get("upscale_factor", args[0] if args else 1)
        return (shape[0] // r ** (len(shape) - 1), *(n * r for n in shape[1:])), 0, {"upscale_factor": r}
    return None, 0, {}
