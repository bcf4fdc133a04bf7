"""A network's page: the table of every module and the animations, as HTML and Markdown.

The HTML page carries its styles and no script; the animations are files beside it
(``layers/``), or data inside it with ``inline`` (one file to send). Both pages are written
atomically.
"""

from __future__ import annotations

import html
import re
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from ..integrations import embed
from ..language import full_width, name_mark, say, say_naming, untranslated
from ..language.catalogue_model import FIELD_NOTE, FROM_TEXT, WITH_EXAMPLE, WITH_PICTURE
from .graph import figures_text

if TYPE_CHECKING:
    from .graph import Row
    from .result import ModelResult

TITLE, TRACE_ALT, DRAWN = (
    "The network, layer by layer",
    "the receptive field, layer by layer",
    "The layers convgif draws",
)
COLUMNS = ("module", "class", "input → output", "parameters", "MACs", "receptive field", "drawn")


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
        return figures_text(row.field, axes, row.whole)
    return "; ".join(f"call {k}: {text}" for k, text in enumerate(said, start=1))


def _cells(result: ModelResult, row: Row, link: bool) -> list[str]:
    """The row's cells in the page's language (names, classes and figures as they are)."""
    axes = len(result.input_shape) - 1
    calls = f" ×{row.calls}" if row.calls > 1 else ""
    return [
        "\u00a0\u00a0" * max(0, row.depth - 1) + (say(row.name, result.lang) if row.name == "(model)" else row.name),
        row.cls + calls,
        f"{_shape(row.input_shape)} → {_shape(row.output_shape)}",
        f"{row.parameters:,}",
        f"{row.macs:,}" if row.macs else "",
        _say(result, _field(row, axes)),
        (_said_whole if _refused(result, row) else _say)(result, _drawn(result, row, link)),
    ]


def _refused(result: ModelResult, row: Row) -> bool:
    """Whether the row's last cell is a refusal: its layer failed to draw, or is not drawn."""
    return row.spec is None or any(d.row == row.name and d.error for d in result.drawings)


def drawn_with(result: ModelResult) -> str:
    """What values the layers' animations are drawn with: the network's own, or examples."""
    drawn = [r for r in result.rows if r.spec is not None]
    if result.from_text:
        return FROM_TEXT
    if any("input" in r.values for r in drawn):
        return WITH_PICTURE
    return WITH_EXAMPLE


def _transposed(result: ModelResult) -> list[str]:
    """The transposed convolutions torchinfo counts otherwise, the first three named on the page."""
    return [r.name for r in result.rows if r.leaf and r.mult_adds_parts.get("transposed")]


def _say(result: ModelResult, text: str) -> str:
    """``text`` (English) in the page's language, Chinese prose with its own punctuation
    (:func:`~convgif.language.full_width`); where it holds :func:`name_mark` ``(k)``, the
    ``k``-th transposed convolution's name (:func:`_versus_torchinfo`)."""
    return full_width(say_naming(text, _transposed(result)[:3], result.lang), result.lang)


#: What a page writes before a refusal it shows: a failure and its error's class, or the layer
#: after which the shapes are not known.
_LEAD = re.compile(r"^(?:failed: (?:\w+: )?|after \S+: )")


def _said_whole(result: ModelResult, text: str) -> str:
    """A row's reason or failure in the page's language (:func:`_say`); a refusal the catalogue
    does not hold stays whole in English after its lead, rather than cut into words some of
    which the catalogue knows."""
    said = _say(result, text)
    if result.lang == "en" or not untranslated(said, {n for r in result.rows for n in (r.name, r.cls)}):
        return said
    lead = _LEAD.match(text)
    return (_say(result, lead.group(0)) if lead else "") + text[lead.end() if lead else 0 :]


def _versus_torchinfo(result: ModelResult) -> str:
    """torchinfo's Mult-Adds next to convgif's count, and what each part of the difference is
    (the transposed convolutions named by :func:`name_mark`: see :func:`_say`)."""
    transposed = _transposed(result)
    parts: dict[str, int] = {}
    for row in result.rows:
        if row.leaf:
            for cause, count in row.mult_adds_parts.items():
                parts[cause] = parts.get(cause, 0) + count
        elif row.cls.startswith("F.") and row.macs:
            parts["functional"] = parts.get("functional", 0) - row.macs
    parts["other"] = parts.get("other", 0) + result.mult_adds - result.macs - sum(parts.values())
    text = f"torchinfo's Mult-Adds for the same model: {result.mult_adds:,}"
    if result.mult_adds == result.macs and not any(parts.values()):
        return text + ", the same count"
    said = {
        "transposed": "the weights of "
        + ", ".join(map(name_mark, range(min(3, len(transposed)))))
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


def _heading(result: ModelResult, name: str) -> str:
    """A drawn layer's heading and its picture's alt text: its name, class and arguments, so
    that a reader below the table knows which layer the animation shows."""
    row = next((r for r in result.rows if r.name == name), None)
    return name if row is None else row.heading


def _code(text: str) -> str:
    """``text`` as Markdown code, however many backticks it holds."""
    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}" if "`" in text else f"{fence}{text}{fence}"


def markdown_table(result: ModelResult, link: bool = False) -> str:
    """The table as Markdown: one row per module, in the order they were first called."""
    columns = [_say(result, c) for c in COLUMNS]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in result.rows:
        cells = [c.replace("|", "\\|") for c in _cells(result, row, link)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def markdown(result: ModelResult) -> str:
    """The page as Markdown, in the result's language."""
    say = partial(_say, result)
    lines = [f"# {say(TITLE)}", ""]
    lines += [f"{say(line)}  " for line in _totals(result)]
    if result.trace:
        lines += ["", f"## {say('Receptive field')}", "", embed.markdown(result.trace, say(TRACE_ALT))]
        if result.trace_note:
            lines.append(f"\n{say(result.trace_note)}")
    lines += ["", f"## {say('Every module')}", "", say(FIELD_NOTE), "", markdown_table(result, link=True), ""]
    drawn = [d for d in result.drawings if not d.error]
    if drawn:
        lines += [f"## {say(DRAWN)}", "", say(drawn_with(result)), ""]
        for drawing in drawn:
            heading = _heading(result, drawing.row)
            lines += [f'<a id="{_anchor(drawing.row)}"></a>', "", f"### {_code(heading)}", ""]
            lines += [embed.markdown(drawing.file, heading), ""]
    return "\n".join(lines) + "\n"


STYLE = """
body{font:15px/1.5 system-ui,sans-serif;max-width:1180px;margin:2em auto;padding:0 1em}
table{border-collapse:collapse;font-size:13px}td,th{border-bottom:1px solid;padding:3px 8px;text-align:left;vertical-align:top}
td:nth-child(4),td:nth-child(5){text-align:right;font-variant-numeric:tabular-nums}
td:first-child{white-space:pre;font-family:ui-monospace,monospace}
img{max-width:100%;height:auto;border:1px solid;border-radius:4px}
section{margin-top:2em}
html:lang(zh-Hans) body{font-family:system-ui,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei",sans-serif}
html:lang(zh-Hant) body{font-family:system-ui,"PingFang TC","Microsoft JhengHei","Noto Sans CJK TC","Source Han Sans TC",sans-serif}
"""
#: The page's colours in each theme: text, background, rules, notes (the pictures' themes).
COLOURS = {
    "light": "body{color:#1f2328;background:#fff}td,th,img{border-color:#d0d7de}.note{color:#57606a}",
    "dark": ":root{color-scheme:dark}body{color:#e6edf3;background:#0d1117}td,th,img{border-color:#30363d}"
    ".note{color:#8b949e}",
}


def style(theme: Optional[str]) -> str:
    """The page's styles: in ``theme``'s colours, those of its pictures; with no theme (light
    pictures), light or dark as the reader's system prefers."""
    if theme is not None:
        return STYLE.strip() + "\n" + COLOURS[theme]
    return STYLE.strip() + "\n" + COLOURS["light"] + "\n@media (prefers-color-scheme:dark){" + COLOURS["dark"] + "}"


def page(result: ModelResult, inline: bool = False) -> str:
    """The HTML page, in the result's language."""
    e = html.escape
    say = partial(_say, result)
    folder = result.folder or Path(".")

    def picture(file: str, alt: str) -> str:
        """An animation, with its still (its last frame) for readers who prefer reduced motion
        when one was written beside it."""
        still = embed.still_name(file)
        has_still = (folder / still).is_file()
        if inline:
            data = (folder / still).read_bytes() if has_still else None
            return embed.html((folder / file).read_bytes(), alt, format="gif", still=data)
        try:
            size: Optional[tuple[int, int]] = embed.size_of(folder / file)
        except (OSError, ValueError):
            size = None
        return embed.html(file, alt, size, still=still if has_still else None)

    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{result.lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(say(TITLE))}</title><style>{style(result.theme)}</style></head><body>",
        f"<h1>{e(say(TITLE))}</h1>",
        *(f"<p>{e(say(line))}</p>" for line in _totals(result)),
    ]
    if result.trace:
        parts.append(f'<section id="receptive-field"><h2>{e(say("Receptive field"))}</h2>')
        parts.append(picture(result.trace, say(TRACE_ALT)))
        if result.trace_note:
            parts.append(f'<p class="note">{e(say(result.trace_note))}</p>')
        parts.append("</section>")
    parts.append(
        f'<section id="modules"><h2>{e(say("Every module"))}</h2><p class="note">{e(say(FIELD_NOTE))}</p><table>'
    )
    parts.append("<tr>" + "".join(f"<th>{e(say(c))}</th>" for c in COLUMNS) + "</tr>")
    for row in result.rows:
        cells = _cells(result, row, link=False)
        if row.spec is not None and any(d.row == row.name and not d.error for d in result.drawings):
            cells[-1] = f'<a href="#{_anchor(row.name)}">{e(say("animation"))}</a>'
        else:
            cells[-1] = e(cells[-1])
        parts.append(
            "<tr>" + "".join(f"<td>{c if i == len(cells) - 1 else e(c)}</td>" for i, c in enumerate(cells)) + "</tr>"
        )
    parts.append("</table></section>")
    drawn = [d for d in result.drawings if not d.error]
    if drawn:
        parts.append(f'<h2>{e(say(DRAWN))}</h2><p class="note">{e(say(drawn_with(result)))}</p>')
        for drawing in drawn:
            heading = _heading(result, drawing.row)
            parts.append(f'<section id="{_anchor(drawing.row)}"><h3><code>{e(heading)}</code></h3>')
            parts.append(picture(drawing.file, heading) + "</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_pages(result: ModelResult, inline: bool = False) -> None:
    """``index.html`` and ``README.md`` in the result's folder."""
    from ..files.atomic import write_if_changed

    assert result.folder is not None
    write_if_changed(result.folder / "README.md", markdown(result))
    write_if_changed(result.folder / "index.html", page(result, inline))
