"""A network's page: the table of every module and the animations, as HTML and Markdown.

The HTML page carries its styles and no script; the animations are files beside it
(``layers/``), or data inside it with ``inline`` (one file to send). Both pages are written
atomically.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from ..integrations import embed
from .graph import figures_text

if TYPE_CHECKING:
    from .graph import Row
    from .result import ModelResult

COLUMNS = ("module", "class", "input → output", "parameters", "MACs", "receptive field", "drawn")
FIELD_NOTE = (
    "Receptive field at each module's output, per axis: its size in input cells (the widest, where "
    "cells differ), the jump (how many input cells each output's field lies past the one before) and "
    "where output cell 0's field starts. The input is counted as going on past its edges, so a field "
    "that reaches into the padding keeps its full size: a negative start, or an end past the input, "
    "is that many cells of padding, which autograd on this input does not show. After a transposed "
    "convolution or an upsampling, neighbouring fields may move unevenly (by 2, then 0 cells): the "
    "jump is then their average and the moves are listed, so that cell o's field starts at the start "
    "plus the first o moves."
)


def _shape(shape: Optional[tuple[int, ...]]) -> str:
    return "—" if shape is None else "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def _drawn(result: ModelResult, row: Row, link: bool) -> str:
    drawing = next((d for d in result.drawings if d.row == row.name), None)
    if drawing is not None and drawing.error:
        return f"failed: {drawing.error}"
    if row.spec is not None:
        if drawing is None:
            return "yes (not drawn: table only)"
        return f"[animation](#{_anchor(row.name)})" if link else "animation below"
    return row.reason or ""


def _anchor(name: str) -> str:
    return "layer-" + "".join(c if c.isalnum() else "-" for c in name)


def _field(row: Row, axes: int) -> str:
    """The row's receptive field; for a module called more than once whose calls see different
    fields, each call's (``call 1: … ; call 2: …``)."""
    said = [figures_text(field, axes) for field in row.call_fields]
    if len(set(said)) < 2:
        return figures_text(row.field, axes)
    return "; ".join(f"call {k}: {text}" for k, text in enumerate(said, start=1))


def _cells(result: ModelResult, row: Row, link: bool) -> list[str]:
    axes = len(result.input_shape) - 1
    calls = f" ×{row.calls}" if row.calls > 1 else ""
    return [
        "\u00a0\u00a0" * max(0, row.depth - 1) + row.name,
        row.cls + calls,
        f"{_shape(row.input_shape)} → {_shape(row.output_shape)}",
        f"{row.parameters:,}",
        f"{row.macs:,}" if row.macs else "",
        _field(row, axes),
        _drawn(result, row, link),
    ]


def drawn_with(result: ModelResult) -> str:
    """What values the layers' animations are drawn with: the network's own, or examples."""
    drawn = [r for r in result.rows if r.spec is not None]
    if result.from_text:
        return (
            "Each layer is drawn with example values, small random integers (chosen by --seed), as its input "
            "and its weights: the text print(model) shows holds no weights, and no network is run. Give the "
            "model itself (path/to/file.py:NAME) and --image to draw each layer with its own weights and with "
            "what it receives."
        )
    if any("input" in r.values for r in drawn):
        return (
            "Each layer is drawn with its module's own weights and biases and with the activation it "
            "receives when the picture given (--image) goes through the network."
        )
    return (
        "Each layer is drawn with its module's own weights and biases (random unless the model loads "
        "trained ones or --weights gives them), but with an example input of small random integers "
        "(chosen by --seed), not the values the network passes it. Give --image PICTURE to draw each "
        "layer with the activation it receives."
    )


def _versus_torchinfo(result: ModelResult) -> str:
    """torchinfo's Mult-Adds next to convgif's count, and what each part of the difference is."""
    parts: dict[str, int] = {}
    transposed = []
    for row in result.rows:
        if row.leaf:
            for cause, count in row.mult_adds_parts.items():
                parts[cause] = parts.get(cause, 0) + count
            if row.mult_adds_parts.get("transposed"):
                transposed.append(row.name)
        elif row.cls.startswith("F.") and row.macs:
            parts["functional"] = parts.get("functional", 0) - row.macs
    parts["other"] = parts.get("other", 0) + result.mult_adds - result.macs - sum(parts.values())
    text = f"torchinfo's Mult-Adds for the same model: {result.mult_adds:,}"
    if result.mult_adds == result.macs and not any(parts.values()):
        return text + ", the same count"
    said = {
        "transposed": "the weights of "
        + ", ".join(transposed[:3])
        + (", …" if len(transposed) > 3 else "")
        + " (torchinfo counts each weight of a transposed convolution once per output position, convgif "
        "once per input cell it multiplies)",
        "bias": "adding the biases (once per output value)",
        "norm": "the norm layers' parameters (once each)",
        "functional": "convolutions called as functions, which torchinfo does not count",
        "other": "other parameters",
    }
    terms = [
        f"{'+' if parts[cause] > 0 else '−'} {abs(parts[cause]):,} for {words}"
        for cause, words in said.items()
        if parts.get(cause)
    ]
    return f"{text} = convgif's {result.macs:,} multiply-accumulates " + " ".join(terms)


def _totals(result: ModelResult) -> list[str]:
    lines = [
        f"Input {_shape(result.input_shape)} · {result.parameters:,} parameters · "
        f"{result.macs:,} multiply-accumulates (convolutions and linear layers, one sample)"
    ]
    if result.mult_adds:
        lines.append(_versus_torchinfo(result))
    drawn = sum(1 for r in result.rows if r.spec is not None)
    lines.append(f"{drawn} layers convgif draws, {len(result.rows) - drawn} other rows")
    if result.failed:
        lines.append(f"{len(result.failed)} layers failed to draw: see their rows")
    return lines


def markdown_table(result: ModelResult, link: bool = False) -> str:
    """The table as Markdown: one row per module, in the order they were first called."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in result.rows:
        cells = [c.replace("|", "\\|") for c in _cells(result, row, link)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def markdown(result: ModelResult) -> str:
    lines = ["# The network, layer by layer", ""]
    lines += [f"{line}  " for line in _totals(result)]
    if result.trace:
        lines += ["", "## Receptive field", "", embed.markdown(result.trace, "the receptive field, layer by layer")]
        if result.trace_note:
            lines.append(f"\n{result.trace_note}")
    lines += ["", "## Every module", "", FIELD_NOTE, "", markdown_table(result, link=True), ""]
    drawn = [d for d in result.drawings if not d.error]
    if drawn:
        lines += ["## The layers convgif draws", "", drawn_with(result), ""]
        for drawing in drawn:
            lines += [f'<a id="{_anchor(drawing.row)}"></a>', "", f"### {drawing.row}", ""]
            lines += [embed.markdown(drawing.file, drawing.row), ""]
    return "\n".join(lines) + "\n"


STYLE = """
body{font:15px/1.5 system-ui,sans-serif;max-width:1180px;margin:2em auto;padding:0 1em;color:#1f2328;background:#fff}
table{border-collapse:collapse;font-size:13px}td,th{border-bottom:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top}
td:nth-child(4),td:nth-child(5){text-align:right;font-variant-numeric:tabular-nums}
td:first-child{white-space:pre;font-family:ui-monospace,monospace}
img{max-width:100%;height:auto;border:1px solid #d0d7de;border-radius:4px}
section{margin-top:2em}.note{color:#57606a}
@media (prefers-color-scheme:dark){body{color:#e6edf3;background:#0d1117}td,th{border-color:#30363d}.note{color:#8b949e}}
"""


def page(result: ModelResult, inline: bool = False) -> str:
    """The HTML page."""
    e = html.escape
    folder = result.folder or Path(".")

    def picture(file: str, alt: str) -> str:
        if inline:
            return embed.html((folder / file).read_bytes(), alt, format="gif")
        try:
            size: Optional[tuple[int, int]] = embed.size_of(folder / file)
        except (OSError, ValueError):
            size = None
        return embed.html(file, alt, size)

    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>The network, layer by layer</title><style>{STYLE.strip()}</style></head><body>",
        "<h1>The network, layer by layer</h1>",
        *(f"<p>{e(line)}</p>" for line in _totals(result)),
    ]
    if result.trace:
        parts.append('<section id="receptive-field"><h2>Receptive field</h2>')
        parts.append(picture(result.trace, "the receptive field, layer by layer"))
        if result.trace_note:
            parts.append(f'<p class="note">{e(result.trace_note)}</p>')
        parts.append("</section>")
    parts.append(f'<section id="modules"><h2>Every module</h2><p class="note">{e(FIELD_NOTE)}</p><table>')
    parts.append("<tr>" + "".join(f"<th>{e(c)}</th>" for c in COLUMNS) + "</tr>")
    for row in result.rows:
        cells = _cells(result, row, link=False)
        if row.spec is not None and any(d.row == row.name and not d.error for d in result.drawings):
            cells[-1] = f'<a href="#{_anchor(row.name)}">animation</a>'
        else:
            cells[-1] = e(cells[-1])
        parts.append(
            "<tr>" + "".join(f"<td>{c if i == len(cells) - 1 else e(c)}</td>" for i, c in enumerate(cells)) + "</tr>"
        )
    parts.append("</table></section>")
    drawn = [d for d in result.drawings if not d.error]
    if drawn:
        parts.append(f'<h2>The layers convgif draws</h2><p class="note">{e(drawn_with(result))}</p>')
        for drawing in drawn:
            parts.append(f'<section id="{_anchor(drawing.row)}"><h3>{e(drawing.row)}</h3>')
            parts.append(picture(drawing.file, drawing.row) + "</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_pages(result: ModelResult, inline: bool = False) -> None:
    """``index.html`` and ``README.md`` in the result's folder."""
    from ..files.atomic import write_if_changed

    assert result.folder is not None
    write_if_changed(result.folder / "README.md", markdown(result))
    write_if_changed(result.folder / "index.html", page(result, inline))
