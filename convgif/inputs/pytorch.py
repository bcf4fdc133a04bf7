"""PyTorch layers as convgif draws them: modules, the lines ``print(model)`` shows, saved models.

:func:`from_torch` turns a ``torch.nn`` module (a convolution, a transposed convolution, or a
max, average, power-average, adaptive, fractional or unpooling layer, on one to three axes)
into a spec with the module's own arguments and its weights and bias; :func:`parse_line` reads a line such as ``Conv2d(3, 64, kernel_size=(7, 7), stride=(2, 2),
padding=(3, 3), bias=False)`` without PyTorch and without evaluating it (literals only);
:func:`load_layer` takes a layer and its trained weights from a file ``torch.save`` wrote.
PyTorch is imported only by the functions that need it.
"""

from __future__ import annotations

import ast
import numbers
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional

from ..errors import SpecError
from ..ops.args import fmt
from .files import open_regular, why


def signatures() -> dict[str, tuple[str, ...]]:
    """The torch classes convgif draws and their constructor arguments, from each kind's operation."""
    from .. import ops

    return {op.name: op.torch_signature for op in ops.operations() if op.torch_signature}


#: torch's names of arguments a spec names otherwise (a FractionalMaxPool's samples).
ALIASES = {"_random_samples": "samples"}
#: Constructor arguments that do not change what is computed, accepted and ignored.
IGNORED = ("device", "dtype")
SEPARABLE_NOTE = "a separable convolution has no torch module: it is a depthwise Conv2d (groups=C_in) then a 1×1 Conv2d"


@dataclass(frozen=True)
class LayerLine:
    """A layer as ``print(model)`` shows it: the class name and the arguments it states."""

    name: str
    arguments: dict[str, Any]
    text: str

    def __str__(self) -> str:
        return self.text


def _literal(node: ast.AST, argument: str) -> Any:
    """A literal argument: a number, a tuple of them, a bool, None or a string (a bare name
    such as ``same``, ``reflect`` or ``inf`` is the string ``print(model)`` left unquoted)."""
    if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, (bool, int, float, str))):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        value = node.operand.value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Name):
        return f"-{node.operand.id}"  # -inf, as print(model) writes an LPPool's norm_type
    if isinstance(node, (ast.Tuple, ast.List)):
        return tuple(_literal(item, argument) for item in node.elts)
    if isinstance(node, ast.Name):
        return node.id
    raise SpecError(
        "layer",
        f"{argument}={ast.unparse(node)} is not a literal: --layer takes numbers, tuples, True/False, None and names",
    )


def parse_line(text: str) -> LayerLine:
    """``Conv2d(3, 64, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), bias=False)`` (also
    ``nn.Conv2d(...)``, ``torch.nn.Conv2d(...)``, or a line of ``print(model)`` with its
    ``(0): `` prefix) as the class name and its arguments by PyTorch's names. Parsed, never
    evaluated; :class:`SpecError` for ``layer`` naming what is wrong."""
    if len(text) > MAX_LAYER_LINE:
        raise SpecError(
            "layer",
            f"the layer line is {len(text):,} characters long: a layer as print(model) shows it takes at most "
            f"{MAX_LAYER_LINE:,}",
        )
    try:
        return _parse_line(text)
    except (RecursionError, MemoryError):
        raise SpecError(
            "layer", f"{_short(text)} is nested too deeply to be a layer as print(model) shows it"
        ) from None


#: The longest ``--layer`` line read: the longest layer print(model) shows takes a few hundred.
MAX_LAYER_LINE = 2000


def _short(text: str) -> str:
    return repr(text) if len(text) <= 80 else repr(text[:77] + "...")


def _parse_line(text: str) -> LayerLine:
    source = text.strip()
    if source.startswith("(") and "): " in source:  # "(0): Conv2d(...)", as print(model) indents it
        source = source.split("): ", 1)[1]
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError):
        unbalanced = _unbalanced(source, text.index(source))
        raise SpecError(
            "layer",
            f"{_short(text)} is not a layer as print(model) shows it: {unbalanced}"
            if unbalanced
            else f"{_short(text)} is neither a layer name nor a layer as print(model) shows it, "
            "e.g. Conv2d(3, 2, kernel_size=(3, 3))",
        ) from None
    call = tree.body
    if not isinstance(call, ast.Call):
        raise SpecError(
            "layer", f"{_short(text)} is not a layer as print(model) shows it, e.g. Conv2d(3, 2, kernel_size=(3, 3))"
        )
    function = call.func
    while isinstance(function, ast.Attribute) and function.attr in ("nn", "torch"):
        function = function.value
    name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", None)
    if name not in signatures():
        shown = name or ast.unparse(call.func)
        extra = f"; {SEPARABLE_NOTE}" if shown and shown.lower() == "separable" else ""
        raise SpecError(
            "layer", f"{shown} is not a torch layer convgif draws; it draws {', '.join(signatures())}{extra}"
        )
    signature = signatures()[name]
    if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
        raise SpecError("layer", f"{_short(text)}: write the arguments out (no * or **)")
    if len(call.args) > len(signature):
        raise SpecError("layer", f"{name} takes at most {len(signature)} positional arguments ({', '.join(signature)})")
    arguments: dict[str, Any] = {}
    for argument, node in zip(signature, call.args):
        arguments[argument] = _literal(node, argument)
    for keyword in call.keywords:
        if keyword.arg in IGNORED:
            continue
        if keyword.arg not in signature:
            raise SpecError("layer", f"{name} has no argument {keyword.arg!r}; it takes {', '.join(signature)}")
        if keyword.arg in arguments:
            raise SpecError("layer", f"{name}: {keyword.arg} is given twice")
        arguments[keyword.arg] = _literal(keyword.value, keyword.arg)
    return LayerLine(name, arguments, text.strip())


_CLOSING = {"(": ")", "[": "]", "{": "}"}


def _unbalanced(source: str, before: int = 0) -> Optional[str]:
    """What is wrong with the brackets of a line (outside its quotes), counting characters from
    1 after ``before`` others, or None when they pair up: a line copied short most often lacks its
    last ')'."""
    opened: list[tuple[str, int]] = []
    quote = None
    for at, char in enumerate(source, before + 1):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in _CLOSING:
            opened.append((char, at))
        elif char in _CLOSING.values():
            if not opened:
                return f"the brackets do not pair up: the {char!r} at character {at} closes nothing"
            start, where = opened.pop()
            if _CLOSING[start] != char:
                return (
                    f"the brackets do not pair up: the {start!r} at character {where} is closed by {char!r} "
                    f"at character {at}, not by {_CLOSING[start]!r}"
                )
    if not opened:
        return None
    missing = "".join(_CLOSING[start] for start, _ in reversed(opened))
    where = " and ".join(str(at) for _, at in opened)
    return (
        f"the brackets do not pair up: the {' and '.join(repr(s) for s, _ in opened)} at "
        f"character{'s' if len(opened) > 1 else ''} {where} {'is' if len(opened) == 1 else 'are'} never closed, "
        f"so {missing!r} is missing at the end"
    )


def spec_arguments(name: str, arguments: Mapping[str, Any]) -> tuple[Optional[int], dict[str, Any]]:
    """A torch layer's arguments as the spec's: (in_channels, or None for pooling; the rest).
    ``bias`` may be a bool or the bias itself (None: none); an argument the kind fixes (a
    ConvTranspose2d's padding_mode) must have that value, as PyTorch requires."""
    from .. import ops

    op = ops.operation(name)
    out = dict(arguments)
    in_channels = out.pop("in_channels", None)
    for torch_name, name_here in ALIASES.items():
        if torch_name in out:
            value = out.pop(torch_name)
            if value is not None:
                out[name_here] = value.detach().cpu().double().numpy() if hasattr(value, "detach") else value
    if "bias" in out and not isinstance(out["bias"], (bool, numbers.Integral)):
        out["bias"] = out["bias"] is not None
    for argument in [a for a in out if a not in op.arguments]:  # fixed for this kind (e.g. padding_mode)
        value, fixed = out.pop(argument), getattr(op.spec_type, argument, None)
        if value != fixed:
            raise SpecError(argument, f"{argument}={value!r}: {name} supports only {fixed!r}, as in PyTorch")
    return in_channels, out


def check_channels(in_channels: Any, input_shape: tuple[int, ...], dims: int, source: str) -> None:
    """Refuse an input whose channels are not the layer's ``in_channels``."""
    channels = input_shape[0] if len(input_shape) == dims + 1 else 1
    if in_channels is not None and in_channels != channels:
        raise SpecError(
            "input_shape",
            f"input_shape={fmt(input_shape)} has {channels} channel{'s' if channels != 1 else ''}, "
            f"but {source} takes in_channels={in_channels}",
        )


# -- torch modules ---------------------------------------------------------------------------


def _torch(argument: str = "module") -> Any:
    """PyTorch, or :class:`SpecError` for ``argument`` saying how to install it."""
    try:
        import torch
    except ImportError:
        from ..extras import install_hint

        raise SpecError(argument, f"this needs PyTorch, which is not installed: {install_hint('torch')}") from None
    return torch


#: The methods a drawn module's forward runs through: a subclass overriding one computes otherwise.
FORWARD_PATH = ("forward", "_conv_forward", "_output_padding", "__call__", "_call_impl", "_wrapped_call_impl")


def forward_differs(torch: Any, module: Any, cls: type) -> Optional[str]:
    """What makes ``module`` run otherwise than ``cls``'s forward (an override of a method its
    forward calls, one set on the module itself, a forward hook), or None."""
    for name in FORWARD_PATH:
        if name in vars(module):
            return f"has its own {name}, set on the module"
        if getattr(type(module), name, None) is not getattr(cls, name, None):
            return f"overrides {name}"
    hooks = torch.nn.modules.module
    for what, table in (
        ("a forward pre-hook", module._forward_pre_hooks),
        ("a forward hook", module._forward_hooks),
        ("a global forward pre-hook", getattr(hooks, "_global_forward_pre_hooks", {})),
        ("a global forward hook", getattr(hooks, "_global_forward_hooks", {})),
    ):
        if any(not getattr(hook, TRACING, False) for hook in table.values()):
            return f"has {what}"
    return None


#: Marks the hooks with which convgif itself watches a model run (``convgif model``): they
#: change nothing a layer computes.
TRACING = "_convgif_tracing"


def kind_of(module: Any) -> str:
    """The torch class convgif draws ``module`` as (a subclass only when it runs that class's
    forward unchanged: no method of its forward overridden, no forward hook), or
    :class:`SpecError` naming ``module`` and saying what convgif can draw instead."""
    torch = _torch()
    if not isinstance(module, torch.nn.Module):
        raise SpecError("module", f"{type(module).__name__} is not a torch.nn.Module")
    lazy = getattr(torch.nn.modules.lazy, "LazyModuleMixin", ())
    if isinstance(module, lazy) and module.has_uninitialized_params():
        raise SpecError(
            "module", f"{type(module).__name__} has no weights until it has seen an input: run it once first"
        )
    for cls in type(module).__mro__:
        if cls.__name__ in signatures() and cls.__module__.startswith("torch.nn.modules"):
            why = forward_differs(torch, module, cls)
            if why is not None:
                plain = f"{cls.__name__}({module.extra_repr()})"
                raise SpecError(
                    "module",
                    f"{type(module).__name__} {why}, so it may not compute what {cls.__name__} computes, and convgif "
                    f"draws {cls.__name__}'s forward only: to draw the plain layer, give it as {plain}",
                )
            return cls.__name__
    children = [f"{n} ({type(c).__name__})" for n, c in module.named_children() if type(c).__name__ in signatures()]
    if children:
        raise SpecError(
            "module",
            f"{type(module).__name__} holds several layers: give one of them, e.g. "
            f"model.get_submodule({children[0].split(' ')[0]!r}); drawable: {', '.join(children[:8])}",
        )
    raise SpecError(
        "module",
        f"{type(module).__name__} is not a layer convgif draws; it draws {', '.join(signatures())} ({SEPARABLE_NOTE})",
    )


def module_arguments(module: Any, name: str) -> dict[str, Any]:
    """The constructor arguments a module of class ``name`` holds, by PyTorch's names."""
    arguments = {}
    for argument in signatures()[name]:
        if argument == "bias":
            arguments["bias"] = module.bias is not None
        elif hasattr(module, argument):
            value = getattr(module, argument)
            arguments[argument] = tuple(value) if isinstance(value, list) else value
    return arguments


def as_array(tensor: Any, argument: str) -> Any:
    """A tensor's values as a float64 NumPy array (on the CPU, detached)."""
    torch = _torch()
    if tensor.is_meta:
        raise SpecError(argument, f"the module's {argument} is on the meta device: it holds no values")
    if tensor.is_complex():
        raise SpecError(argument, f"the module's {argument} is complex: convgif draws real values")
    from .kernels import MAX_KERNEL_NUMBERS

    if tensor.numel() > MAX_KERNEL_NUMBERS:
        raise SpecError(
            argument,
            f"the module's {argument} holds {tensor.numel():,} numbers, more than the {MAX_KERNEL_NUMBERS:,} "
            "of the largest layer convgif draws",
        )
    return tensor.detach().to(device="cpu", dtype=torch.float64).numpy()


def check_input_shape(input_shape: Any, dims: int, name: str) -> tuple[int, ...]:
    """``input_shape`` for one sample, refusing a batch dimension with a word about it."""
    if input_shape is None:
        example = "(C, L)" if dims == 1 else "(C, H, W)"
        raise SpecError(
            "input_shape", f"give the input's shape for {name}: input_shape={example} (one sample, no batch)"
        )
    try:
        shape = tuple(input_shape)
    except TypeError:
        raise SpecError("input_shape", f"input_shape={input_shape!r} must be a tuple of integers") from None
    if len(shape) == dims + 2:
        raise SpecError(
            "input_shape",
            f"input_shape={fmt(shape)} has a batch dimension: convgif draws one sample, give {fmt(shape[1:])}",
        )
    return shape


def from_torch(module: Any, input_shape: Any, values: bool = True) -> tuple[Any, dict[str, Any]]:
    """The spec of a torch layer for an input of ``input_shape`` (one sample: (C, H, W), or
    (C, L) for a 1-D layer), and its values: ``{"weight": ..., "bias": ...}`` as float64
    NumPy arrays in PyTorch's layout (empty for pooling). Arguments PyTorch keeps on the module
    (padding ``"same"``, ``padding_mode``, groups, dilation, output_padding, ceil_mode,
    count_include_pad, divisor_override, return_indices) carry over; a MaxUnpool's
    ``output_size``, a forward argument, is the default.

    Refused, as :class:`SpecError` naming the argument: what is not one layer convgif draws
    (``module``), an input with a batch dimension or other channels (``input_shape``). With
    ``values=False`` the values are the module's own tensors, not yet copied (a table needs none)."""
    from .. import ops

    name = kind_of(module)
    op = ops.operation(name)
    shape = check_input_shape(input_shape, op.dims, name)
    in_channels, arguments = spec_arguments(name, module_arguments(module, name))
    check_channels(in_channels, shape, op.dims, name)
    spec = op.build(input_shape=shape, **arguments)
    found = {}
    weight = getattr(module, "weight", None)
    if weight is not None and op.weight_shape(spec) is not None:
        found["weight"] = as_array(weight, "weight") if values else weight
        bias = getattr(module, "bias", None)
        if bias is not None:
            found["bias"] = as_array(bias, "bias") if values else bias
    return spec, found


# -- saved models ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    """A layer taken from a file: its class (None when a state_dict does not say), the
    arguments known, its values, and where it came from (for messages)."""

    name: Optional[str]
    arguments: dict[str, Any]
    values: dict[str, Any]
    source: str
    #: Why a layer with weights cannot come from the file (a state_dict has nothing under the
    #: name given, as for a pooling layer), or None.
    missing: Optional[str] = None


def load_layer(path: str, module: Optional[str]) -> Loaded:
    """The layer ``module`` (a name as ``model.named_modules()`` gives it, e.g. ``features.0``)
    of the model or state_dict ``torch.save`` wrote to ``path``. From a model: its class,
    arguments, weights and bias. From a state_dict: the weights and bias, with the arguments
    their shapes tell (out_channels, kernel_size, whether there is a bias); the rest come from
    ``--layer``. Loads with ``weights_only=True`` (no code is run), torch's own layer classes
    allowed."""
    torch = _torch("weights")
    loaded = _load(torch, path)
    if isinstance(loaded, torch.nn.Module):
        layer = loaded
        if module:
            try:
                layer = loaded.get_submodule(module)
            except AttributeError:
                names = [n for n, m in loaded.named_modules() if n and type(m).__name__ in signatures()]
                raise SpecError(
                    "module",
                    f"{path} has no layer named {module!r}; its layers: {', '.join(names) or 'none convgif draws'}",
                ) from None
        elif type(layer).__name__ not in signatures():
            names = [n for n, m in loaded.named_modules() if n and type(m).__name__ in signatures()]
            raise SpecError(
                "module",
                f"{path} holds a {type(loaded).__name__}: choose a layer with --module ({', '.join(names[:12]) or 'none convgif draws'})",
            )
        name = kind_of(layer)
        values = {}
        if getattr(layer, "weight", None) is not None:
            values["weight"] = as_array(layer.weight, "weight")
            if getattr(layer, "bias", None) is not None:
                values["bias"] = as_array(layer.bias, "bias")
        where = f"{module!r} in {path}" if module else path
        return Loaded(name, module_arguments(layer, name), values, where)
    if not isinstance(loaded, Mapping):
        raise SpecError("weights", f"{path} holds a {type(loaded).__name__}, not a model or a state_dict")
    return _from_state_dict(torch, loaded, path, module)


#: The largest file ``--weights`` reads, and the most bytes its tensors may hold once
#: decompressed (checked from the archive's directory before anything is inflated): room for
#: the usual vision models (a ResNet-152 holds 240 MB), not for a file made to exhaust memory.
MAX_WEIGHTS_BYTES = 512 << 20


def _load(torch: Any, path: str) -> Any:
    """What ``torch.save`` wrote to ``path``, loaded with ``weights_only`` (no code of the file's
    runs) once the file is known to be a regular file whose tensors fit :data:`MAX_WEIGHTS_BYTES`;
    anything else, whatever torch's loader raises, is a :class:`SpecError` for ``weights``."""
    import pickle

    try:
        opened = open_regular(path, MAX_WEIGHTS_BYTES)
    except OSError as error:
        raise SpecError("weights", f"{path} could not be read: {why(error)}") from None
    allowed = [cls for cls in vars(torch.nn).values() if isinstance(cls, type) and issubclass(cls, torch.nn.Module)]
    allowed += [set]
    head = b""
    try:
        with opened:
            head = opened.read(8)
            opened.seek(0)
            _check_inflated(opened, path)
            with torch.serialization.safe_globals(allowed):
                return torch.load(opened, map_location="cpu", weights_only=True)
    except SpecError:
        raise
    except pickle.UnpicklingError as error:
        text = str(error)
        culprit = next((line.split("GLOBAL", 1)[1].split()[0] for line in text.splitlines() if "GLOBAL" in line), None)
        if culprit:
            raise SpecError(
                "weights",
                f"{path} holds a model of class {culprit}, which convgif does not unpickle (that would run its code): "
                "save its state_dict instead, torch.save(model.state_dict(), FILE), and give the layer's arguments with --layer",
            ) from None
        raise SpecError("weights", f"{path} {NOT_SAVED}: {_wrong(head)}") from None
    except Exception as error:  # noqa: BLE001 - torch's loader fails on damaged files in many ways
        said = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
        if head.startswith(b"PK") and said and not re.search(r"zip archive|miniz|PytorchStreamReader", said):
            # a sound archive the loader still refused: its reason is about the contents
            raise SpecError("weights", f"{path} {NOT_SAVED}: torch's loader says: {said}") from None
        raise SpecError("weights", f"{path} {NOT_SAVED}: {_wrong(head)}") from None


#: What ``--weights`` takes, as a refusal says it.
NOT_SAVED = "could not be read as a model or state_dict saved by torch.save"


def _wrong(head: bytes) -> str:
    """What is wrong with a file torch's loader refused, in plain words, from its first bytes
    (torch's messages speak of central directories, miniz and opcodes)."""
    if not head:
        return "it is an empty file"
    if head.startswith(b"\x93NUMPY"):
        return "it is a .npy file, which numpy.save writes (a kernel of that kind goes to --kernel)"
    if head.startswith(b"PK"):
        return "it is a zip archive, as torch.save writes, but damaged or cut short"
    if head.startswith(b"\x80"):
        return "it is pickled data, as torch.save's older format is, but damaged or cut short"
    return "its bytes are neither the zip archive torch.save writes nor its older pickled format"


def _check_inflated(file: Any, path: str) -> None:
    """Refuse an archive whose members would take more than :data:`MAX_WEIGHTS_BYTES` once
    inflated, from its directory alone (a file that is not an archive is left to the loader)."""
    import zipfile

    try:
        if not zipfile.is_zipfile(file):
            return
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, OverflowError) as error:
        raise SpecError(
            "weights", f"{path} {NOT_SAVED}: it is a zip archive, as torch.save writes, but damaged ({error})"
        ) from None
    finally:
        file.seek(0)
    if total > MAX_WEIGHTS_BYTES:
        raise SpecError(
            "weights",
            f"{path} holds {total:,} bytes of tensors once decompressed, over the {MAX_WEIGHTS_BYTES:,} convgif reads: "
            "save only the layer's state_dict",
        )


def _from_state_dict(torch: Any, state: Mapping[str, Any], path: str, module: Optional[str]) -> Loaded:
    prefix = f"{module}." if module else ""
    weight_key = f"{prefix}weight"
    layers = sorted({key.rsplit(".", 1)[0] for key in state if isinstance(key, str) and key.endswith(".weight")})
    if weight_key not in state:
        if module is None and layers:
            raise SpecError(
                "module", f"{path} holds several layers' weights: choose one with --module ({', '.join(layers[:12])})"
            )
        listed = ", ".join(layers[:12]) or "none"
        missing = f"{path} has no weights named {weight_key!r}; layers with weights: {listed}"
        if module is None or any(key.startswith(prefix) for key in state):
            raise SpecError("module", missing)
        # nothing at all under that name: a layer without weights (a pooling), which its line tells
        return Loaded(None, {}, {}, f"{module!r} in {path}", missing)
    weight = state[weight_key]
    if not isinstance(weight, torch.Tensor):
        raise SpecError("weights", f"{weight_key} in {path} is not a tensor")
    bias = state.get(f"{prefix}bias")
    values = {"weight": as_array(weight, "weight")}
    if isinstance(bias, torch.Tensor):
        values["bias"] = as_array(bias, "bias")
    shape = tuple(weight.shape)
    if len(shape) not in (3, 4):
        raise SpecError("weights", f"{weight_key} in {path} has shape {shape}: not the weight of a layer convgif draws")
    arguments: dict[str, Any] = {"kernel_size": shape[2:], "bias": "bias" in values}
    return Loaded(None, arguments, values, f"{module!r} in {path}" if module else path)


def state_dict_arguments(loaded: Loaded, name: str, input_channels: int, groups: Optional[int]) -> dict[str, Any]:
    """A state_dict's weight shape read as layer ``name``'s arguments for ``input_channels``
    input channels (each kind reads its own weight layout), with kernel_size and bias."""
    from .. import ops

    shape = tuple(loaded.values["weight"].shape)
    try:
        inferred = ops.operation(name).arguments_from_weight(shape, input_channels, groups)
    except SpecError as error:
        raise SpecError(error.argument, f"the weights in {loaded.source}: {error}") from None
    return {**loaded.arguments, **inferred}


def infer_kind(loaded: Loaded) -> str:
    """The layer kind a state_dict's weight implies when ``--layer`` does not say: the first
    kind with weights of that many axes (Conv1d for 3-D, Conv2d for 4-D; a ConvTranspose2d's
    looks the same as a Conv2d's: name it)."""
    from .. import ops

    if "weight" not in loaded.values:
        raise SpecError(
            "module",
            f"{loaded.missing}; a layer without weights (a pooling) has nothing in a state_dict: give it with "
            '--layer as print(model) shows it, e.g. --layer "MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, '
            'ceil_mode=False)"',
        )
    axes = loaded.values["weight"].ndim - 2
    return next(
        op.name for op in ops.operations() if op.torch_signature and "groups" in op.torch_signature and op.dims == axes
    )
