"""Where a network comes from, as users have it: ``path/to/file.py:NAME``,
``package.module:NAME`` (a module, or a function or class that makes one; importing it runs
that code, as asked), a state_dict file for its weights, or a text file holding what
``print(model)`` prints for an ``nn.Sequential``."""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Optional

from ..errors import SpecError

EXAMPLE = "path/to/file.py:NAME or package.module:NAME"


def is_text(source: Any) -> bool:
    """Whether ``source`` names a text file (``print(model)``'s lines), not Python code."""
    text = os.fspath(source)
    path = Path(text)
    if text.endswith(".py"):
        return False
    return ":" not in text.replace("\\", "/").rpartition("/")[2] or (path.is_file() and path.suffix != ".py")


def load(source: Any, weights: Optional[os.PathLike | str] = None) -> Any:
    """The ``torch.nn.Module`` that ``source`` is or names, with ``weights`` loaded into it."""
    from ..inputs.pytorch import _torch

    torch = _torch("model")
    if isinstance(source, torch.nn.Module):
        module = source
    elif isinstance(source, (str, os.PathLike)):
        module = _named(torch, os.fspath(source))
    else:
        raise SpecError("model", f"{type(source).__name__} is not a torch.nn.Module, nor {EXAMPLE}")
    if weights is not None:
        _load_weights(torch, module, os.fspath(weights))
    return module


def _named(torch: Any, text: str) -> Any:
    where, _, name = text.rpartition(":")
    if not where or not name:
        raise SpecError("model", f"{text!r} names no model: give {EXAMPLE}")
    if where.endswith(".py"):
        path = Path(where)
        if not path.is_file():
            raise SpecError("model", f"{where}: no such file")
        folder = str(path.resolve().parent)
        spec = importlib.util.spec_from_file_location(f"_convgif_model_{abs(hash(str(path.resolve())))}", path)
        holder = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        sys.path.insert(0, folder)  # so that the file imports its neighbours
        try:
            spec.loader.exec_module(holder)  # type: ignore[union-attr]
        except Exception as error:  # noqa: BLE001 - the user's code: say what it raised
            raise SpecError("model", f"{where} raised {type(error).__name__} when run: {error}") from None
        finally:
            sys.path.remove(folder)
    else:
        try:
            holder = importlib.import_module(where)
        except ImportError as error:
            raise SpecError("model", f"cannot import {where}: {error}") from None
    found: Any = holder
    for part in name.split("."):
        if not hasattr(found, part):
            raise SpecError("model", f"{where} has no {name!r}")
        found = getattr(found, part)
    if isinstance(found, torch.nn.Module):
        return found
    if callable(found):
        try:
            made = found()
        except Exception as error:  # noqa: BLE001
            raise SpecError("model", f"{name}() raised {type(error).__name__}: {error}") from None
        if isinstance(made, torch.nn.Module):
            return made
        raise SpecError("model", f"{name}() returned a {type(made).__name__}, not a torch.nn.Module")
    raise SpecError(
        "model", f"{name} in {where} is a {type(found).__name__}, not a torch.nn.Module or a function making one"
    )


def _load_weights(torch: Any, module: Any, path: str) -> None:
    from ..inputs.pytorch import _load

    state = _load(torch, path)
    if isinstance(state, torch.nn.Module):
        state = state.state_dict()
    if isinstance(state, Mapping) and "state_dict" in state and isinstance(state["state_dict"], Mapping):
        state = state["state_dict"]
    if not isinstance(state, Mapping):
        raise SpecError("weights", f"{path} holds a {type(state).__name__}, not a state_dict")
    try:
        module.load_state_dict(state)
    except RuntimeError as error:
        first = str(error).splitlines()
        raise SpecError(
            "weights", f"{path} does not fit the model: {' '.join(line.strip() for line in first[:3])}"
        ) from None
