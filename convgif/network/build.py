"""``convgif.model``: a whole network's page, table, animations and receptive field.

The network is traced once (:mod:`.trace`, or read from ``print(model)``'s text by
:mod:`.text`); every layer convgif draws is rendered by :func:`convgif.render` with its own
weights and the input shape it really receives (with ``image``, the activation itself), on
``jobs`` worker processes; a layer whose file is already there for the same layer, values and
options is not drawn again (``manifest.json`` keeps what each file was drawn from), and a layer
that fails is reported without stopping the others. The pages (:mod:`.page`) and the
receptive field's animation (:mod:`.field_picture`) are written last, every file atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any, Optional

import numpy as np

from ..animation import DEFAULT_MAX_FRAMES
from ..errors import SpecError
from ..files.atomic import write_if_changed
from ..version import __version__
from .graph import Graph, Row
from .reach import Field
from .result import Drawing, ModelResult

#: Where a layer's animation goes, inside the output folder.
LAYERS = "layers"
TRACE_FILE = "receptive-field.gif"


def model(
    network: Any,
    input_shape: Optional[tuple[int, ...]] = None,
    out: Optional[os.PathLike | str] = "model",
    *,
    weights: Optional[os.PathLike | str] = None,
    image: Optional[os.PathLike | str] = None,
    trace: Optional[str] = None,
    jobs: int = 1,
    draw: bool = True,
    seed: int = 0,
    values: bool = False,
    max_frames: int = DEFAULT_MAX_FRAMES,
    theme: Optional[str] = None,
    lang: str = "en",
    inline: bool = False,
    force: bool = False,
    progress: Optional[Callable[[int, int], None]] = None,
) -> ModelResult:
    """Trace ``network`` on one input of ``input_shape`` (one sample: (C, H, W), or (C, L))
    and write its page into the folder ``out``: ``index.html`` (self-contained: styles inline,
    the animations beside it in ``layers/``, or inside it with ``inline``), ``README.md``, one
    animation per layer convgif draws and ``receptive-field.gif``.

    ``network`` is a ``torch.nn.Module``; or ``"path/to/file.py:NAME"`` or
    ``"package.module:NAME"`` naming a module or a function returning one (this imports and
    runs that code), with ``weights`` a state_dict file ``torch.save`` wrote; or the path of a
    text file holding what ``print(model)`` prints for an ``nn.Sequential`` (read without
    torch). ``image``: a picture as the input, each layer drawn with the activation it receives.
    ``trace``: ``"LAYER:R,C"`` (``"LAYER:C"`` for 1-D, ``"LAYER"`` for its middle cell) chooses
    the output cell whose receptive field is animated (default: of the deepest drawn layer with
    a cell whose whole field lies inside the input, that cell nearest the middle).
    ``draw=False``: the table only (``out`` None: nothing written). ``jobs`` worker processes draw; ``force`` draws again what is up to
    date; ``progress(done, total)`` is called as layers are drawn. ``values``, ``seed``,
    ``max_frames`` and ``theme`` are :func:`convgif.render`'s, the page in the pictures' theme (``None``: light
    pictures, the page as the reader prefers). ``lang`` (``"en"``, ``"zh-Hans"``, ``"zh-Hant"``): the language of
    the pages, the table and every picture's words (Chinese needs a CJK font); switching it redraws the layers.

    Refused as :class:`SpecError` naming the argument: a network or shape that cannot be traced,
    a ``trace`` that names no layer or cell, torch missing where it is needed.
    """
    started = time.perf_counter()
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1:
        raise SpecError("jobs", f"jobs={jobs!r} must be a whole number of worker processes, 1 or more")
    options = _options(values, seed, max_frames, theme or "light", lang, drawing=out is not None)
    shape = _shape(input_shape)
    wanted = None
    if out is not None:
        page = {**options, "inline": inline, "draw": draw, "page_theme": theme}  # what the pages are made from
        wanted = source_digest(network, shape, weights, image, trace, page)
        if not force and wanted is not None and _up_to_date(Path(out), wanted):
            return ModelResult(Path(out), [], input_shape=shape, seconds=time.perf_counter() - started, up_to_date=True)
    graph = _graph(network, shape, weights, image, seed)
    fields = graph.fields()
    _row_fields(graph, fields)
    _totals(graph.rows)
    result = ModelResult(
        None if out is None else Path(out), graph.rows, input_shape=graph.input_shape, lang=options["lang"], theme=theme
    )
    result.from_text = _is_text(network)
    target, cell, chosen = _trace_target(graph, fields, trace)
    if out is None:
        result.seconds = time.perf_counter() - started
        return result
    folder = Path(out)
    _make_folder(folder)
    if draw:
        result.drawings = _draw_all(graph.rows, folder, options, jobs, force, progress)
    picture = _picture(image, graph.input_shape) if image is not None else None
    result.trace, result.trace_note = _write_trace(
        graph, target, cell, folder, (options["theme"], options["lang"]), picture, fields.get(target)
    )
    result.trace_note = "; ".join(note for note in (chosen, result.trace_note) if note) or None
    from .page import write_pages

    write_pages(result, inline)
    if wanted is not None:
        _remember(folder, wanted if not result.failed else None)
    result.seconds = time.perf_counter() - started
    return result


# -- an unchanged model is not traced again -------------------------------------------------------

SOURCE_KEY = "(source)"


def source_digest(
    network: Any, shape: tuple, weights: Any, image: Any, trace: Optional[str], options: dict
) -> Optional[str]:
    """What a model's page depends on, found without running it: convgif's version, the
    options, the bytes of the files named (the model's file or text, weights, picture); for a
    module object its parameters and buffers and the source of its classes. None when it
    cannot be told (a model imported from a package: its code may change unseen)."""
    hasher = hashlib.sha256(f"{__version__}\0{shape}\0{trace}\0{sorted(options.items())}".encode())
    for extra in (weights, image):
        if extra is not None:
            hasher.update(b"\0" + (Path(extra).read_bytes() if Path(extra).is_file() else b""))
    if isinstance(network, (str, os.PathLike)):
        from .source import is_text

        text = os.fspath(network)
        path = Path(text if is_text(text) else text.rpartition(":")[0])
        if path.suffix != ".py" and not is_text(text) or not path.is_file():
            return None
        hasher.update(text.encode() + b"\0" + path.read_bytes())
        return hasher.hexdigest()
    torch = __import__("sys").modules.get("torch")
    if torch is None or not isinstance(network, torch.nn.Module):
        return None
    import inspect

    for cls in sorted({type(m) for m in network.modules()}, key=lambda c: f"{c.__module__}.{c.__qualname__}"):
        try:
            hasher.update(inspect.getsource(cls).encode())
        except (OSError, TypeError):
            hasher.update(f"{cls.__module__}.{cls.__qualname__}".encode())
    hasher.update(repr(network).encode())
    for name, tensor in [*network.state_dict().items()]:
        hasher.update(name.encode() + tensor.detach().cpu().contiguous().numpy().tobytes())
    return hasher.hexdigest()


def _up_to_date(folder: Path, wanted: str) -> bool:
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    from ..integrations.embed import still_name

    files = [name for name in manifest if name != SOURCE_KEY]
    return (
        manifest.get(SOURCE_KEY) == wanted
        and (folder / "index.html").is_file()
        and all((folder / name).is_file() and (folder / still_name(name)).is_file() for name in files)
    )


def _remember(folder: Path, wanted: Optional[str]) -> None:
    path = folder / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    if wanted is None:
        manifest.pop(SOURCE_KEY, None)
    else:
        manifest[SOURCE_KEY] = wanted
    write_if_changed(path, json.dumps(dict(sorted(manifest.items())), indent=1) + "\n")


def _is_text(network: Any) -> bool:
    from .source import is_text

    return isinstance(network, (str, os.PathLike)) and is_text(network)


def _row_fields(graph: Graph, fields: dict) -> None:
    """Each row's receptive field for the table: at its output, and at each call's output for
    a module called more than once."""
    for row in graph.rows:
        found = fields.get(row.output) if row.output is not None else None
        row.field = found.figures() if isinstance(found, Field) else found
        cells = int(np.prod(graph.shapes[row.output][1:])) if row.output is not None else 0
        row.whole = isinstance(found, Field) and cells > 1 and found.whole(graph.input_shape[1:])
        if len(row.outputs) > 1:
            called = [fields.get(t) for t in row.outputs]
            row.call_fields = [f.figures() if isinstance(f, Field) else f for f in called]


def _options(values: bool, seed: int, max_frames: int, theme: str, lang: Any, drawing: bool) -> dict[str, Any]:
    """The options every layer is rendered with, checked as :func:`convgif.render` checks them;
    ``lang`` as :data:`convgif.language.LANGS` spells it, with a CJK font to draw it when
    pictures are drawn (the table alone needs none)."""
    from ..animation.request import check_options, language_of
    from ..language import canonical

    check_options(1.0, max_frames, seed, theme)
    lang = language_of(lang) if drawing else canonical(lang)
    return {"values": values, "seed": seed, "max_frames": max_frames, "theme": theme, "lang": lang}


def _shape(input_shape: Any) -> tuple[int, ...]:
    if input_shape is None:
        raise SpecError("input_shape", "give the input's shape: input_shape=(C, H, W) or (C, L), one sample")
    try:
        shape = tuple(int(n) for n in input_shape)
    except (TypeError, ValueError):
        raise SpecError("input_shape", f"input_shape={input_shape!r} must be a tuple of integers") from None
    if not 2 <= len(shape) <= 4 or min(shape) < 1:
        raise SpecError(
            "input_shape", f"input_shape={shape} must be (C, L), (C, H, W) or (C, D, H, W) of positive sizes"
        )
    return shape


def _graph(network: Any, shape: tuple[int, ...], weights: Any, image: Any, seed: int) -> Graph:
    from . import source

    if isinstance(network, (str, os.PathLike)) and source.is_text(network):
        if weights is not None or image is not None:
            which = "weights" if weights is not None else "image"
            raise SpecError(which, f"{which} needs a torch model: the text print(model) shows holds no weights")
        from .text import graph_from_text

        return graph_from_text(Path(network).read_text(encoding="utf-8"), shape)
    module = source.load(network, weights)
    from .trace import trace

    given = _picture(image, shape).transpose(2, 0, 1)[: shape[0]] / 255.0 if image is not None else None
    if given is not None and shape[0] == 1:
        given = given.mean(axis=0, keepdims=True)
    return trace(module, shape, input=given, seed=seed, keep_inputs=image is not None)


def _picture(image: Any, shape: tuple[int, ...]) -> np.ndarray:
    """The picture as (H, W, 3) levels for an input of ``shape``."""
    from ..inputs.images import load_image

    if len(shape) != 3:
        raise SpecError("image", f"a picture is a 2-D input; input_shape={shape} is not (C, H, W)")

    class _Input:  # what load_image asks of a layer
        DIMS = 2
        input_shape = (3 if shape[0] == 3 else 1, *shape[1:])

    pixels = load_image(image, _Input()).astype(np.uint8)
    return np.repeat(pixels, 3, axis=0).transpose(1, 2, 0) if pixels.shape[0] == 1 else pixels.transpose(1, 2, 0)


def _totals(rows: list[Row]) -> None:
    """Containers' multiply-accumulates: the sum of those of the layers inside them."""
    for row in rows:
        if not row.leaf and not row.cls.startswith("F."):
            prefix = "" if row.name == "(model)" else row.name + "."
            row.macs = sum(r.macs for r in rows if (r.leaf or r.cls.startswith("F.")) and r.name.startswith(prefix))


def _make_folder(folder: Path) -> None:
    try:
        (folder / LAYERS).mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise SpecError("out", f"{folder} is not a folder: the page and its animations need one") from None
    except OSError as error:
        raise SpecError("out", f"{folder}: cannot create the folder: {error.strerror or error}") from None


def file_name(row: str) -> str:
    """A layer's animation file: ``layer1.0.conv1`` -> ``layers/layer1.0.conv1.gif``."""
    return f"{LAYERS}/{re.sub(r'[^A-Za-z0-9_.-]', '_', row)}.gif"


def _arrays(row: Row) -> dict[str, np.ndarray]:
    from ..inputs.pytorch import as_array

    return {k: (v if isinstance(v, np.ndarray) else as_array(v, k)) for k, v in row.values.items()}


def _digest(row: Row, arrays: dict[str, np.ndarray], options: dict) -> str:
    hasher = hashlib.sha256(f"{__version__}\0{row.spec!r}\0{sorted(options.items())!r}".encode())
    for name in sorted(arrays):
        hasher.update(name.encode() + np.ascontiguousarray(arrays[name]).tobytes())
    return hasher.hexdigest()


def _draw_all(rows: list[Row], folder: Path, options: dict, jobs: int, force: bool, progress: Any) -> list[Drawing]:
    from ..integrations import embed

    manifest_path = folder / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    drawings, todo = [], []
    for row in rows:
        if row.spec is None:
            continue
        name = file_name(row.name)
        arrays = _arrays(row)
        digest = _digest(row, arrays, options)
        drawing = Drawing(row.name, name)
        drawings.append(drawing)
        still = embed.still_name(folder / name)
        if not force and manifest.get(name) == digest and (folder / name).is_file() and still.is_file():
            drawing.cached = True
            continue
        todo.append((drawing, (row.spec, arrays, str(folder / name), options), digest))
    done = 0
    if progress is not None and todo:
        progress(0, len(todo))
    if jobs > 1 and len(todo) > 1:
        with ProcessPoolExecutor(max_workers=min(jobs, len(todo))) as pool:
            futures = {pool.submit(draw_layer, *task): (drawing, digest) for drawing, task, digest in todo}
            for future in as_completed(futures):
                drawing, digest = futures[future]
                drawing.error, drawing.seconds = future.result()
                done += 1
                if progress is not None:
                    progress(done, len(todo))
    else:
        for drawing, task, _ in todo:
            drawing.error, drawing.seconds = draw_layer(*task)
            done += 1
            if progress is not None:
                progress(done, len(todo))
    for drawing, _, digest in todo:
        if drawing.error is None:
            manifest[drawing.file] = digest
        else:
            manifest.pop(drawing.file, None)
    write_if_changed(manifest_path, json.dumps(dict(sorted(manifest.items())), indent=1) + "\n")
    return drawings


def draw_layer(spec: Any, arrays: dict, path: str, options: dict) -> tuple[Optional[str], float]:
    """Render one layer (in a worker process) and its still beside it (its last frame, which the
    page shows readers who prefer reduced motion); the error as text instead of raising, so that
    one layer that fails does not stop the others."""
    from ..animation.request import animation, poster
    from ..integrations import embed

    started = time.perf_counter()
    try:
        given = {k: arrays[k] for k in ("weight", "bias", "input") if k in arrays}
        job, _ = animation(spec, path, **given, **options)
        poster(job, embed.still_name(Path(path)))
    except Exception as error:  # noqa: BLE001 - reported on the page and in the exit status
        return f"{type(error).__name__}: {error}", time.perf_counter() - started
    return None, time.perf_counter() - started


# -- the receptive field ------------------------------------------------------------------------


def _trace_target(
    graph: Graph, fields: dict, trace: Optional[str]
) -> tuple[Optional[int], tuple[int, ...], Optional[str]]:
    """The tensor and cell whose receptive field is animated; by default, of the deepest drawn
    layer with a cell whose whole field lies inside the input, that cell nearest the middle
    (else the deepest layer's middle cell, and a note saying so)."""
    from .field_picture import inside_cell

    if trace is None:
        spatial = [
            r for r in graph.rows if r.spec is not None and r.output is not None and len(graph.shapes[r.output]) > 1
        ]
        if not spatial:
            return None, (), None
        for row in reversed(spatial):
            field = fields.get(row.output)
            shape = graph.shapes[row.output][1:]
            cell = (
                inside_cell(field.low, field.high, shape, graph.input_shape[1:]) if isinstance(field, Field) else None
            )
            if cell is not None:
                return row.output, cell, None
        row = spatial[-1]
        return (
            row.output,
            tuple(n // 2 for n in graph.shapes[row.output][1:]),
            f"no drawn layer has a cell whose whole receptive field lies inside the input: the picture shows the "
            f"middle cell of {row.name}, whose field reaches into the padding",
        )
    name, _, where = trace.rpartition(":") if ":" in trace else (trace, "", "")
    rows = {r.name: r for r in graph.rows}
    if name not in rows:
        known = ", ".join(r.name for r in graph.rows if r.output is not None and len(graph.shapes[r.output]) > 1)
        raise SpecError("trace", f"trace={trace!r}: no layer named {name!r}; its layers with spatial outputs: {known}")
    row = rows[name]
    if row.output is None or len(graph.shapes[row.output]) < 2:
        raise SpecError(
            "trace", f"trace={trace!r}: {name}'s output has no spatial axes: choose a layer before the flattening"
        )
    shape = graph.shapes[row.output][1:]
    if not where:
        return row.output, tuple(n // 2 for n in shape), None
    try:
        cell = tuple(int(part) for part in where.split(","))
    except ValueError:
        raise SpecError(
            "trace", f"trace={trace!r}: the cell must be integers, e.g. {name}:{','.join('0' * len(shape))}"
        ) from None
    if len(cell) != len(shape) or any(not 0 <= c < n for c, n in zip(cell, shape)):
        example = ",".join(str(n // 2) for n in shape)
        raise SpecError(
            "trace",
            f"trace={trace!r}: {name}'s output is {shape} cells: give one cell inside it, e.g. {name}:{example}",
        )
    return row.output, cell, None


def _label(graph: Graph, tensor: int) -> str:
    if tensor == 0:
        return "input"
    call = graph.calls[graph.producer[tensor]]
    if call.row:
        return call.row
    return f"{call.module}.{call.name}" if call.module else call.name


def _write_trace(
    graph: Graph,
    tensor: Optional[int],
    cell: tuple,
    folder: Path,
    look: tuple[str, str],
    picture: Optional[np.ndarray],
    field: Any = None,
) -> tuple[Optional[str], Optional[str]]:
    """The receptive field's animation, drawn in ``look`` (theme, language), and a note (in
    English: the page translates it) where the field stops short (``field``: the chosen
    tensor's :class:`Field`, when known: the input's frame says what of it is padding)."""
    from ..integrations import embed
    from ..language import say
    from .field_picture import Frame, beyond_input, cell_spans, frames_of, input_words, write_gif, write_still

    if tensor is None:
        return None, "no layer with a spatial output to trace"
    if len(graph.shapes[tensor]) > 3:
        return None, "the receptive field is drawn for 1-D and 2-D networks"
    masks, stopped = graph.support(tensor, cell)
    names: dict[int, list] = {}
    for row in graph.rows:  # the tensors the modules hand on (each call's): one frame per layer
        for made in dict.fromkeys([row.output, *row.outputs]):
            if made is not None and made in masks:
                names.setdefault(made, []).append(row)
    shown = [tensor] + sorted((t for t in names if t < tensor), reverse=True)
    if 0 in masks:
        shown.append(0)
    beyond = None
    if isinstance(field, Field) and all(not np.isnan(lo[c]) for lo, c in zip(field.low, cell)):
        low, high = [lo[c] for lo, c in zip(field.low, cell)], [hi[c] for hi, c in zip(field.high, cell)]
        beyond = beyond_input(low, high, graph.input_shape[1:])
    frames = []
    for t in shown:
        mask = masks[t]
        if t == tensor:
            words = f"the output cell {list(cell)}, all its channels"
        elif t == 0:
            words = input_words(mask, beyond)
        else:  # as the input's frame says where its cells lie
            words = f"{int(mask.sum())} of {mask.size} cells" + (f" ({cell_spans(mask)})" if mask.any() else "")
        what = ""
        if t == 0:
            label = say("input", look[1])
        else:
            rows = names.get(t, [])
            chosen = next((r for r in rows if r.spec is not None), None) or min(
                rows, key=lambda r: len(r.name), default=None
            )
            label, what = (chosen.name, chosen.cls) if chosen is not None else (_label(graph, t), "")
        backdrop = picture if t == 0 and mask.ndim == 2 else None
        frames.append(Frame(label, graph.shapes[t], mask, words, backdrop, what, graph.own.get(t)))
    title = f"What one cell of {_whose(frames[0])} output sees: {list(cell)}, all channels"
    pictures = frames_of(frames, cell, title, *look)
    write_gif(folder / TRACE_FILE, pictures)
    write_still(embed.still_name(folder / TRACE_FILE), pictures[-1])
    note = None if stopped is None else f"the field stops short: {stopped}"
    if 0 not in masks and stopped is None:
        note = "the chosen cell depends on no input cell"
    return TRACE_FILE, note


def _whose(frame: Any) -> str:
    """The traced tensor as the animation's title names it (:func:`~convgif.language.name_mark`
    ``(0)`` for its label): a module's (``module 2's``), a function call's, or the model's."""
    from ..language import name_mark

    if frame.label == "(model)":
        return "the model's"
    if frame.what and not frame.what.startswith("F."):
        return f"module {name_mark(0)}'s"
    return f"{name_mark(0)}'s"
