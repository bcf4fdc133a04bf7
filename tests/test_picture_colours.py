"""Colour that cannot be misread: a kernel's signs told apart by readers with a red–green
deficiency, dark-theme shades told apart from their neighbours, and one meaning per hue,
checked from the palettes and from frames as drawn."""

from __future__ import annotations

import math

import numpy as np
import pytest

from convgif import ops, record
from convgif.animation import Look
from convgif.animation.job import Job
from convgif.ops.conv import Conv2dSpec
from convgif.picture.layout import plan
from convgif.picture.overlay import Animation
from convgif.picture.paint import DARK, LIGHT, RGB, along, contrast
from convgif.picture.shades import INPUT_SHADES, KERNEL_SHADES, OUTPUT_SHADES, Shades

THEMES = pytest.mark.parametrize("theme", [LIGHT, DARK], ids=["light", "dark"])

# Machado, Oliveira and Fernandes, "A Physiologically-based Model for Simulation of Color Vision
# Deficiency", IEEE TVCG 15(6), 2009: the matrices for severity 1.0, applied to linear sRGB.
DEUTERANOPIA = np.array(
    [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
)
PROTANOPIA = np.array(
    [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
)
VISIONS = {"normal": np.eye(3), "deuteranopia": DEUTERANOPIA, "protanopia": PROTANOPIA}


def linear(rgb: np.ndarray) -> np.ndarray:
    c = np.asarray(rgb, float) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def simulate(rgb: np.ndarray, vision: str) -> np.ndarray:
    """sRGB colours (…, 3) as a reader with ``vision`` sees them, as sRGB 0..255."""
    seen = np.clip(linear(rgb) @ VISIONS[vision].T, 0, 1)
    return 255 * np.where(seen <= 0.0031308, 12.92 * seen, 1.055 * seen ** (1 / 2.4) - 0.055)


def seen(colour: RGB, vision: str) -> RGB:
    return tuple(float(v) for v in simulate(np.array(colour), vision))  # type: ignore[return-value]


def contrast_seen(a: RGB, b: RGB, vision: str) -> float:
    return contrast(seen(a, vision), seen(b, vision))


# Björn Ottosson's OKLab (2020): linear sRGB to cone responses, and their cube roots to L, a, b.
TO_LMS = np.array(
    [
        [0.4122214708, 0.5363325363, 0.0514459929],
        [0.2119034982, 0.6806995451, 0.1073969566],
        [0.0883024619, 0.2817188376, 0.6299787005],
    ]
)
TO_LAB = np.array(
    [
        [0.2104542553, 0.7936177850, -0.0040720468],
        [1.9779984951, -2.4285922050, 0.4505937099],
        [0.0259040371, 0.7827717662, -0.8086757660],
    ]
)


def oklab(colour: RGB) -> np.ndarray:
    """L, a, b of an sRGB colour (0..255)."""
    return TO_LAB @ np.cbrt(TO_LMS @ linear(colour))


def hue_and_chroma(colour: RGB) -> tuple[float, float]:
    _, a, b = oklab(colour)
    return math.degrees(math.atan2(b, a)) % 360, math.hypot(a, b)


def apart(h1: float, h2: float) -> float:
    return min(abs(h1 - h2), 360 - abs(h1 - h2))


# CIELAB (D65) and the CIEDE2000 colour difference (CIE 142-2001; Sharma, Wu and Dalal, "The
# CIEDE2000 Color-Difference Formula: Implementation Notes", Color Res. Appl. 30(1), 2005).
TO_XYZ = np.array(
    [[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750], [0.0193339, 0.1191920, 0.9503041]]
)
D65 = np.array([0.95047, 1.0, 1.08883])


def cielab(colour: RGB) -> np.ndarray:
    """L*, a*, b* of an sRGB colour (0..255)."""
    t = TO_XYZ @ linear(colour) / D65
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> float:
    """ΔE00 between two CIELAB colours: about 1 is the least difference seen side by side,
    10 and more an obvious one."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    mean_c = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(mean_c**7 / (mean_c**7 + 25**7)))
    c1, c2 = math.hypot((1 + g) * a1, b1), math.hypot((1 + g) * a2, b2)
    h1 = math.degrees(math.atan2(b1, (1 + g) * a1)) % 360 if c1 else 0.0
    h2 = math.degrees(math.atan2(b2, (1 + g) * a2)) % 360 if c2 else 0.0
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    big_dh = 2 * math.sqrt(c1 * c2) * math.sin(math.radians(dh / 2))
    mean_l, mean_cp = (l1 + l2) / 2, (c1 + c2) / 2
    if c1 * c2 == 0:
        mean_h = h1 + h2
    elif abs(h1 - h2) <= 180:
        mean_h = (h1 + h2) / 2
    else:
        mean_h = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(mean_h - 30))
        + 0.24 * math.cos(math.radians(2 * mean_h))
        + 0.32 * math.cos(math.radians(3 * mean_h + 6))
        - 0.20 * math.cos(math.radians(4 * mean_h - 63))
    )
    s_l = 1 + 0.015 * (mean_l - 50) ** 2 / math.sqrt(20 + (mean_l - 50) ** 2)
    s_c, s_h = 1 + 0.045 * mean_cp, 1 + 0.015 * mean_cp * t
    r_t = (
        -2
        * math.sqrt(mean_cp**7 / (mean_cp**7 + 25**7))
        * math.sin(math.radians(60 * math.exp(-(((mean_h - 275) / 25) ** 2))))
    )
    dl, dc, dh_s = (l2 - l1) / s_l, (c2 - c1) / s_c, big_dh / s_h
    return math.sqrt(dl**2 + dc**2 + dh_s**2 + r_t * dc * dh_s)


def delta_e(a: RGB, b: RGB) -> float:
    """CIEDE2000 between two sRGB colours."""
    return ciede2000(cielab(a), cielab(b))


@pytest.mark.parametrize(
    ("lab1", "lab2", "expected"),
    [  # pairs 1, 7, 17 and 19 of Sharma, Wu and Dalal's test data
        ((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
        ((50, 0, 0), (50, -1, 2), 2.3669),
        ((50, 2.5, 0), (73, 25, -18), 27.1492),
        ((50, 2.5, 0), (50, 3.1736, 0.5854), 1.0000),
    ],
)
def test_the_colour_difference_is_ciede2000(lab1, lab2, expected):
    assert ciede2000(np.array(lab1, float), np.array(lab2, float)) == pytest.approx(expected, abs=1e-4)


# -- a kernel's signs ------------------------------------------------------------------------


@THEMES
@pytest.mark.parametrize("vision", list(VISIONS))
def test_a_kernels_signs_differ_in_lightness_for_every_reader(theme, vision):
    """-1 and +1 are 3:1 apart (WCAG) as readers with deuteranopia and protanopia see them,
    not only by hue: the sign of a weight never rests on red against green."""
    assert contrast_seen(theme.negative, theme.positive, vision) >= 3


@THEMES
@pytest.mark.parametrize("vision", list(VISIONS))
def test_signed_inputs_and_outputs_keep_their_signs_apart_for_every_reader(theme, vision):
    """Negative input and output cells are orange and positive ones blue or purple: apart along
    blue–yellow, which red–green deficiencies keep (OKLab distance, 100 = black to white)."""
    for negative, positive in ((theme.input_negative, theme.input_high), (theme.output_negative, theme.output_high)):
        distance = 100 * np.linalg.norm(oklab(seen(negative, vision)) - oklab(seen(positive, vision)))
        assert distance >= 15, (negative, positive)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_drawn_kernels_signs_stay_apart_in_a_simulated_frame(theme):
    """The frame itself, put through the deuteranopia and protanopia matrices: the pixels of a
    -1 and a +1 kernel cell still differ 3:1."""
    spec = Conv2dSpec((1, 5, 5), 1, 3, bias=False)
    weight = np.array([[[[1, 0, -1], [1, 0, -1], [1, 0, -1]]]])
    (part,) = Job(spec, Look(theme=theme), {}, weight=weight).parts
    image = np.array(part.scene.palette.colors, float)[next(part.frames([0]))]
    origin = part.layout.kernels[(0, 0)]
    (y0, y1, x0, x1), (z0, z1, w0, w1) = (part.layout.cell_box(origin, 0, c) for c in (0, 2))
    for vision in VISIONS:
        seen_image = simulate(image, vision)
        plus, minus = seen_image[(y0 + y1) // 2, x0 + 2], seen_image[(z0 + z1) // 2, w0 + 2]
        assert contrast(tuple(plus), tuple(minus)) >= 3, vision


# -- neighbouring shades -----------------------------------------------------------------------


def sides(theme, scale: str) -> tuple[RGB, RGB, RGB, RGB]:
    """(low, high, negative, zero) of the input, kernel or output scale."""
    if scale == "kernel":
        return theme.kernel_zero, theme.positive, theme.negative, theme.kernel_zero
    return (
        getattr(theme, f"{scale}_low"),
        getattr(theme, f"{scale}_high"),
        getattr(theme, f"{scale}_negative"),
        theme.neutral,
    )


@pytest.mark.parametrize("vision", list(VISIONS))
def test_dark_shades_of_a_short_scale_are_3_to_1_from_their_neighbours(vision):
    """In the dark theme, a grid of two values (sequential: low and high) or of one magnitude
    either side of 0 (diverging: negative, 0, positive) has neighbours 3:1 apart; a kernel's
    -1, 0 and +1 are all 3:1 apart from each other."""
    for scale in ("input", "output"):
        low, high, negative, zero = sides(DARK, scale)
        assert contrast_seen(low, high, vision) >= 3, scale
        assert contrast_seen(zero, high, vision) >= 3, scale
        assert contrast_seen(zero, negative, vision) >= 3, scale
    _, positive, negative, zero = sides(DARK, "kernel")
    for a, b in ((zero, positive), (zero, negative), (negative, positive)):
        assert contrast_seen(a, b, vision) >= 3, (a, b)


def scale_colours(theme, scale: str, shades: Shades) -> list[RGB]:
    low, high, negative, zero = sides(theme, scale)
    signed = (negative, zero) if shades.diverging else ()
    return along(shades.positions(), low, high, *signed)


#: The most shades a scale of each grid takes: sequential, and on each side of 0 (as scales_of makes them).
LONGEST = {
    "input": (INPUT_SHADES, INPUT_SHADES // 2 + 1),
    "kernel": (0, KERNEL_SHADES),
    "output": (OUTPUT_SHADES, OUTPUT_SHADES // 2),
}


def every_scale(scale: str):
    """Every shape of scale a grid can get: sequential and diverging, the fewest shades to the most."""
    most, per_side = LONGEST[scale]
    for n in range(2, most + 1):
        yield Shades(0.0, float(n - 1), n)
    for n in range(1, per_side + 1):
        yield Shades(-float(n), float(n), 2 * n + 1, diverging=True)


@THEMES
@pytest.mark.parametrize("scale", ["input", "kernel", "output"])
def test_every_scale_reads_in_order(theme, scale):
    """From 0 (or the lowest value) out, each step of a scale stands out more from the
    background (darker in the light theme, lighter in the dark one), so shades read in order;
    in the dark theme every step of a long scale is at least 1.2:1 (the band the outlines
    leave input and output cells, about 4:1 from end to end, cannot hold 3:1 a step for five
    to seven shades)."""
    for shades in every_scale(scale):
        colours = scale_colours(theme, scale, shades)
        middle = shades.zero if shades.diverging else 0
        for side in (colours[middle::-1], colours[middle:]):
            for near, far in zip(side, side[1:]):
                assert contrast(far, theme.background) > contrast(near, theme.background), (scale, near, far)
                if theme is DARK:
                    assert contrast(near, far) >= 1.2, (scale, shades.count, near, far)


# -- one meaning per hue -----------------------------------------------------------------------

#: OKLab chroma below which a tint reads as grey (the lows, the padding, the zeros).
TINT = 0.05


def value_colours(theme) -> dict[str, RGB]:
    names = ("input_low", "input_high", "input_negative", "output_low", "output_high", "output_negative")
    found = {name: getattr(theme, name) for name in names}
    found.update(negative=theme.negative, positive=theme.positive, padding=theme.padding, neutral=theme.neutral)
    return found


@THEMES
def test_one_meaning_per_hue(theme):
    """A group's hue (its window, kernel, output cell, frames and lines) is at least 30° of OKLab
    hue from every hue a value is shaded in, and from every other group's: an outline is never
    read as a value, nor one group as another. Values keep their hues: orange is negative,
    blue a positive input or weight, purple a positive output."""
    values = {name: hue_and_chroma(c) for name, c in value_colours(theme).items()}
    hues = [hue_and_chroma(h) for h in theme.hues]
    assert len(set(theme.hues)) == len(theme.hues) >= 6
    for (h, chroma), colour in zip(hues, theme.hues):
        assert chroma >= TINT, colour
        for name, (v, value_chroma) in values.items():
            if value_chroma >= TINT:
                assert apart(h, v) >= 30, (colour, name)
    for i, (h, _) in enumerate(hues):
        for k, _ in hues[i + 1 :]:
            assert apart(h, k) >= 30
    orange = [values[n][0] for n in ("input_negative", "output_negative", "negative")]
    cool = [values[n][0] for n in ("input_high", "positive", "output_high")]
    assert all(30 <= h <= 100 for h in orange) and all(240 <= h <= 310 for h in cool)


#: The least CIEDE2000 difference between the hues of a picture's groups, by how many groups it
#: draws (its first hues: group g takes hue g); a picture draws at most MAX_SHOWN_IN groups.
GROUPS_APART = {2: 40, 3: 25, 4: 20, 5: 18, 6: 14}
#: The least CIEDE2000 difference between a group's hue and the ink (a marked cell's ring), the
#: grid lines and the padding (a copied cell's frame is those two).
ROLES_APART = 15


@THEMES
def test_the_groups_a_picture_draws_have_hues_far_apart(theme):
    """Two, three, ... six groups drawn side by side are told apart at a glance, their frames
    and rings two pixels wide: the closest two of their hues differ by GROUPS_APART (ΔE00),
    the fewer the groups the more; and no group's hue is near the ink, grid or padding."""
    from convgif.picture.model import MAX_SHOWN_IN

    assert len(theme.hues) >= MAX_SHOWN_IN == max(GROUPS_APART)
    for count, least in GROUPS_APART.items():
        closest = min(delta_e(a, b) for i, a in enumerate(theme.hues[:count]) for b in theme.hues[i + 1 : count])
        assert closest >= least, (count, closest)
    for hue in theme.hues:
        for role in (theme.ink, theme.grid, theme.padding):
            assert delta_e(hue, role) >= ROLES_APART, (hue, role)


@pytest.mark.parametrize("look", ["light", "dark"])
@pytest.mark.parametrize(("groups", "width"), [(3, None), (8, 1400), (8, 1920)])
def test_a_depthwise_frames_groups_are_framed_in_hues_far_apart(look, groups, width):
    """The frames of a depthwise layer's groups as drawn (as many as fit the width): the hue
    of each input channel's frame, read from the frame, differs from every other group's by
    GROUPS_APART for that many groups."""
    spec = Conv2dSpec((groups, 6, 6), groups, 3, groups=groups)
    (part,) = Job(spec, Look(theme=look, values=True, width=width), {}).parts
    frame = next(part.frames([0]))
    rgb, f = part.scene.palette.colors, part.layout.metrics.frame
    # each input grid's frame, its top edge over column 0, in channel (and so group) order
    drawn = [rgb[frame[y - f, x + part.layout.cell]] for _, (x, y) in sorted(part.layout.inputs.items())]
    assert len(set(drawn)) == len(drawn) >= 3
    closest = min(delta_e(a, b) for i, a in enumerate(drawn) for b in drawn[i + 1 :])
    assert closest >= GROUPS_APART[len(drawn)], (drawn, closest)


# -- what the frames show --------------------------------------------------------------------


@THEMES
def test_a_kernel_is_outlined_outside_its_cells(theme):
    """No outline is drawn on a kernel's cells, which is what lets kernel shades leave the band
    the outlines need: every pixel inside a kernel cell keeps the cell's shade."""
    spec = Conv2dSpec((2, 5, 5), 4, 3, padding=1, groups=2)
    (drawn,) = ops.of(spec).drawings(spec, record(spec, 3))
    animation = Animation(drawn, plan(drawn.geometry), theme)
    scene, layout = animation.scene, animation.layout
    for frame in animation.frames(range(drawn.geometry.steps)):
        for (c, j), origin in layout.kernels.items():
            kernel = drawn.kernels[(c // spec.in_per_group) * spec.out_per_group + j, c % spec.in_per_group]
            shades = np.asarray(scene.colours.kernels)[scene.scales.kernel.index(kernel)]
            for ky, kx in np.ndindex(*kernel.shape):
                y0, y1, x0, x1 = layout.cell_box(origin, ky, kx)
                assert (frame[y0:y1, x0:x1] == shades[ky, kx]).all()


@pytest.mark.parametrize("values", [False, True])
@pytest.mark.parametrize("theme", [LIGHT, DARK])
def test_a_cell_no_window_reads_is_dotted_apart_from_every_shade_of_a_value(theme, values):
    """A cell no window reads (stride over the kernel) is paled and dotted in the grid's colour,
    its number kept whole: no cell that is read has a dot, and the paled shades alone would
    read as smaller values."""
    spec = Conv2dSpec((2, 9, 9), 3, 2, stride=3)
    (drawn,) = ops.of(spec).drawings(spec, record(spec, 3))
    assert drawn.unread is not None and drawn.unread.any() and not drawn.unread.all()
    animation = Animation(drawn, plan(drawn.geometry, values), theme)
    scene, layout = animation.scene, animation.layout
    image, grid = scene.image, scene.colours.grid
    for c, origin in layout.inputs.items():
        for y, x in np.ndindex(*drawn.unread.shape):
            y0, y1, x0, x1 = layout.cell_box(origin, y, x)
            inside = image[y0 + 1 : y1, x0 + 1 : x1]
            assert (inside == grid).any() == bool(drawn.unread[y, x]), (c, y, x)
            if drawn.unread[y, x]:  # dots only on the cell's fill, a grid apart: never on its number
                ys, xs = np.nonzero(inside == grid)
                n = layout.metrics.n
                assert ((ys + y0 + 1) // n % 4 == 2).all() and ((xs + x0 + 1) // n % 4 == 2).all()
                assert not values or (inside == scene.colours.ink).any() or scene.cell_text(c, y, x) in ("", "0")


@pytest.mark.parametrize(("theme", "look", "cell"), [(LIGHT, "light", (1, 0)), (DARK, "dark", (1, 2))])
def test_numbers_on_a_kernels_far_shades_take_the_other_ink(theme, look, cell):
    """The light theme's +2 and the dark theme's -2 are far from the band the ink is made for:
    their numbers are written in the other theme's ink, never in the background's colour."""
    spec = Conv2dSpec((1, 5, 5), 1, 3, bias=False)
    weight = np.array([[[[1, 0, -1], [2, 0, -2], [1, 0, -1]]]])
    (part,) = Job(spec, Look(theme=look, values=True), {}, weight=weight).parts
    rgb = part.scene.palette.colors
    y0, y1, x0, x1 = part.layout.cell_box(part.layout.kernels[(0, 0)], *cell)
    inside = {rgb[i] for i in np.unique(next(part.frames([0]))[y0:y1, x0:x1])}
    assert theme.other_ink in inside and theme.background not in inside and theme.ink not in inside
    shade = rgb[part.scene.colours.kernels[int(part.scene.scales.kernel.index(weight[0, 0][cell]))]]
    assert contrast(theme.other_ink, shade) >= 4.5 > contrast(theme.ink, shade)


COPYING = {"reflect": "reflected", "replicate": "replicated", "circular": "circular"}


@pytest.mark.parametrize("mode", ["zeros", *COPYING])
@pytest.mark.parametrize("name", ["Conv1d", "Conv2d", "Conv3d"])
def test_the_input_key_names_the_padding_whatever_its_mode(name, mode):
    """Padding cells that copy input cells (drawn framed) have a key entry saying what
    they are, "reflected padding" and so on, as zero padding has "padding"; in Chinese too.
    Forward and the backward dw (whose x is padded the same way)."""
    from convgif.picture.model import COPIED, FILLER

    dims = int(name[-2])
    spec = ops.operation(name).build(
        input_shape=(1, *[4] * dims), out_channels=1, kernel_size=3, padding=1, padding_mode=mode
    )
    wanted = "padding" if mode == "zeros" else f"{COPYING[mode]} padding"
    for view in ({}, {"backward": True}):
        for lang, word in (("en", wanted), ("zh-Hans", "填充"), ("zh-Hant", "填充")):
            job = Job(spec, Look(lang=lang), view)
            keys = [
                key
                for scales, drawn in zip(job.scales, job.drawings)
                for key in scales.keys
                if key.role == "input" and key.name == "x" and drawn.filler.any()
            ]
            assert keys, (spec, view)
            for key in keys:
                shades = [shade for shade, _ in key.items]
                texts = [text for _, text in key.items]
                assert (FILLER if mode == "zeros" else COPIED) in shades, (key, view)
                named = [t for t in texts if t.endswith(word)]
                assert named and (lang != "en" or named == [wanted]), (key, view)
                assert lang == "en" or not any("padding" in t for t in texts), key


def swatch_colours(part) -> set[int]:
    """The palette colours of the swatches of a picture's input key as drawn, each with its
    outline (and the numbers written on some)."""
    from convgif.picture.sizes import key_items_x, key_line

    lay, m, found = part.layout, part.layout.metrics, set()
    for key, x, y in lay.keys:
        if key.role != "input":
            continue
        spots, _, _ = key_items_x(key, m, lay.width - m.margin - x)
        for (shade, _), (dx, line, width) in zip(key.items, spots):
            if shade is not None:
                top = y + line * key_line(m) + m.n
                bottom = top + m.label.height - 2 * m.n
                found |= set(
                    np.unique(part.scene.image[top - 1 : bottom + 1, x + dx - 1 : x + dx + width + 1]).tolist()
                )
    return found


PADDED = (("Conv1d", (1, 7)), ("Conv2d", (1, 5, 5)), ("Conv3d", (1, 2, 4, 4)))


@pytest.mark.parametrize("values", [False, True], ids=["shades", "values"])
@pytest.mark.parametrize("mode", ["zeros", *COPYING])
@pytest.mark.parametrize("look", ["light", "dark"])
def test_every_padding_cell_is_drawn_in_colours_its_key_shows(look, mode, values):
    """Every pixel of every padding cell is a colour the input's key shows (or the ink of a
    number written on one). Zero padding is the key's padding swatch throughout. A copy
    (reflect, replicate, circular) is the shade of the value it holds, on the input's own
    scale, framed as the key's swatch for the copies is (the padding's colour round a line of
    the grid's): never the plain padding colour of zero padding, nor a shade no key shows.
    Conv1d, Conv2d and Conv3d, forward and backward (dw's padded x, and dxp folded back)."""
    from convgif.picture.model import filler_of

    checked = 0
    for name, shape in PADDED:
        spec = ops.operation(name).build(input_shape=shape, out_channels=1, kernel_size=3, padding=1, padding_mode=mode)
        for view in ({}, {"backward": True}):
            for part in Job(spec, Look(theme=look, values=values), view).parts:
                drawn, scene, lay = part.drawn, part.scene, part.layout
                if not lay.inputs or not drawn.filler.any():
                    continue
                keyed = swatch_colours(part)
                written = lay.values or drawn.filler_text is not None  # (a gather writes its numbers)
                if written:  # a number's ink blended over any of them
                    keyed = set(scene.painter._ink.reshape(-1, 256)[:, sorted(keyed)].ravel().tolist())
                shades, col = scene.colours.inputs[0], scene.colours
                for c, origin in lay.inputs.items():
                    for y, x in np.argwhere(filler_of(drawn, c)):
                        y0, y1, x0, x1 = lay.cell_box(origin, y, x)
                        cell = scene.image[y0:y1, x0:x1]
                        where = (name, view, drawn.geometry.input_text(c), y, x)
                        assert set(np.unique(cell).tolist()) <= keyed, where
                        if drawn.copies:  # framed, its own shade inside
                            assert {col.padding, col.grid} <= set(np.unique(cell).tolist()), where
                            if not written:
                                assert cell[(y1 - y0) // 2, (x1 - x0) // 2] == shades[scene.in_bins[c, y, x]], where
                        elif not written:
                            assert (cell == col.padding).all(), where
                        checked += 1
                assert drawn.copies == (mode != "zeros" and drawn.geometry.input_name != "dy"), (name, view)
    assert checked > 100


@pytest.mark.parametrize("look", ["light", "dark"])
@pytest.mark.parametrize("seed", range(3))
def test_zero_is_drawn_neutral_in_every_grid_and_a_positive_value_never_is(look, seed):
    """0 takes the theme's neutral colour wherever it is drawn (an all-zero output, the zeros of
    an input or output of values from 0, a signed grid's 0), as in the key; a value above 0, a
    constant one too, takes a shade of its own ramp."""
    theme = {"light": LIGHT, "dark": DARK}[look]
    rng = np.random.default_rng(seed)
    spec = Conv2dSpec((1, 5, 5), 1, 2)
    for weight, bias, input in [
        (np.zeros((1, 1, 2, 2)), np.zeros(1), rng.integers(0, 4, (1, 5, 5))),  # all zero
        (np.zeros((1, 1, 2, 2)), np.full(1, rng.integers(1, 9)), rng.integers(0, 4, (1, 5, 5))),  # constant
        (np.ones((1, 1, 2, 2)), np.zeros(1), rng.integers(0, 2, (1, 5, 5)) * rng.integers(1, 30, (1, 5, 5))),
        (rng.integers(-1, 2, (1, 1, 2, 2)), np.zeros(1), rng.integers(-3, 4, (1, 5, 5))),
    ]:
        job = Job(spec, Look(theme=look, values=True), {}, input=input, weight=weight, bias=bias)
        (part,) = job.parts
        scene, rgb = part.scene, part.scene.palette.colors
        drawn = scene.drawn
        for name, grid, shades, colours in [
            ("input", drawn.grid[0], scene.scales.input, scene.colours.inputs[0]),
            ("output", drawn.output[0], scene.scales.output, scene.colours.outputs),
        ]:
            for value in np.unique(grid):
                colour = rgb[colours[int(shades.index(value))]]
                assert (colour == theme.neutral) == (value == 0), (name, value, colour)
            key = next(key for key in scene.scales.keys if key.role == name)
            for shade, text in key.items:
                if shade is not None and shade >= 0 and text:
                    assert (rgb[colours[shade]] == theme.neutral) == (text == "0"), (name, key.items)


@pytest.mark.parametrize(
    "view, width",
    [({}, None), ({"backward": True}, None), ({"view": "matrix"}, 1100)],
    ids=["forward", "backward", "matrix"],
)
def test_a_grouped_layers_hues_have_a_key_naming_each_group(view, width):
    """Each group's windows, kernels and outputs are outlined in a hue of its own (green, then
    magenta): a key names the groups in those hues, in every picture that shows more than one
    (the weight gradient's, whose own groups are the input channels, names the layer's), and in
    Chinese. A layer of one group, and a pooling, whose hues are its channels', have none."""
    from convgif.picture.model import Key
    from convgif.picture.sizes import shown

    spec = Conv2dSpec((4, 4, 4), 4, 3, groups=2)
    keyed = 0
    for lang, word in (("en", "group"), ("zh-Hans", "组"), ("zh-Hant", "組")):
        job = Job(spec, Look(values=True, width=width, lang=lang), view, max_frames=0)
        for scales, part in zip(job.scales, job.parts):
            geometry, scene = part.scene.geometry, part.scene
            shown_in, _, shown_out = shown(geometry)
            pictured = {c // geometry.in_per_group for c in shown_in} | {
                co // geometry.out_per_group for co in shown_out
            }
            groups = sorted({geometry.colour_group(g) for g in pictured})
            keys = [key for key in scales.keys if key.role == "hues"]
            if len(groups) < 2:
                assert not keys
                continue
            assert keys == [Key(word, "hues", tuple((g, f" {g} ") for g in groups))]
            colours = scene._key_colours("hues")
            for g in pictured:  # the key's swatch of a group: the hue its pictures are outlined in
                assert colours[geometry.colour_group(g)] == scene.hue(g)
            keyed += 1
    assert keyed >= (6 if view.get("backward") else 3)
    for other in (Conv2dSpec((4, 4, 4), 4, 3), ops.operation("MaxPool2d").build(input_shape=(2, 4, 4), kernel_size=2)):
        for scales in Job(other, Look(), view if other.__class__ is Conv2dSpec else {}, max_frames=0).scales:
            assert not [key for key in scales.keys if key.role == "hues"]
