"""Values that read as values: fractions to three significant digits, float noise written and
shaded as 0, cells as wide as the numbers written in them, each grid's colours from all its
channels, and keys that show exactly the colours the grids do."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from convgif import ops, record
from convgif.animation import Look
from convgif.animation.job import Job
from convgif.ops.conv import Conv2dSpec
from convgif.ops.pool import AvgPool2dSpec, MaxPool2dSpec
from convgif.ops.transposed import ConvTranspose2dSpec
from convgif.picture import numbers
from convgif.picture.layout import plan
from convgif.picture.numbers import NOISE, format_value, widest, written
from convgif.picture.overlay import Animation
from convgif.picture.shades import KEY_VALUES, Shades, scales_of

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SOBEL_NOISE = np.array([[1.0, -8.77e-08, -1.0], [2.0, -9.2e-08, -2.0], [1.0, -4.8e-08, -1.0]], np.float32)


def test_fractions_keep_three_significant_digits_with_short_exponents():
    values = (3, np.int64(-12), 2.0, 0.123456, -1 / 3, 1234.5, 1.2345e-5, -8.77e-08, 0.99999994, -0.0)
    assert [format_value(v) for v in values] == [
        "3",
        "-12",
        "2",
        "0.123",
        "-0.333",
        "1.23e3",
        "1.23e-5",
        "-8.77e-8",
        "1",
        "0",
    ]
    assert float(format_value(1.2345e-5)) == pytest.approx(1.23e-5)  # still a number Python reads


def test_float_noise_is_written_as_zero_against_its_grids_scale():
    assert format_value(-8.77e-08, scale=2.0) == "0"
    assert format_value(NOISE * 2.0 * 0.99, scale=2.0) == "0"
    assert format_value(NOISE * 2.0 * 1.01, scale=2.0) == "2.02e-6"  # small, but no longer noise
    assert format_value(-8.77e-08, scale=1e-7) == "-8.77e-8"  # a grid of tiny values is its own scale
    assert format_value(np.int64(1), scale=1e9) == "1"  # whole-number grids are exact


def test_shades_follow_the_numbers_written():
    """Cells that read the same look the same, and noise looks like 0."""
    weights = np.array([0.99999994, 1.0, 1.0000001, -2.0, 2.0, -9.2e-08, 0.0])
    shades = Shades.centred(weights, 3)
    assert shades.index(0.99999994) == shades.index(1.0) == shades.index(1.0000001)
    assert shades.index(-9.2e-08) == shades.index(0.0) == shades.zero
    assert [text for _, text in shades.key_items()] == ["-2", "0", "1", "2"]
    assert shades.text(-9.2e-08) == "0" and shades.text(1.0000001) == "1"


@pytest.mark.parametrize("sign", [-1, 1])
def test_a_key_of_values_all_on_one_side_of_zero_runs_from_the_least_to_the_most(sign):
    """A grid whose values are all negative (or all positive) keys its own shades, from its
    least value to its most, without a 0 none of them takes between the two."""
    rng = np.random.default_rng(3)
    for _ in range(50):
        values = sign * rng.integers(1, 40, rng.integers(KEY_VALUES + 1, 60))
        values = np.append(values, sign * np.array([2, 30]))
        shades = Shades.centred(values, int(np.abs(values).max()))
        items = shades.key_items()
        (_, low), *swatches, (_, high) = items
        assert (low, high) == (shades.text(values.min()), shades.text(values.max()))
        levels = [level for level, _ in swatches]
        assert levels == sorted(levels) and shades.zero not in levels
        assert levels[0] == shades.index(values.min()) and levels[-1] == shades.index(values.max())
    mixed = Shades.centred(np.array([-5, -1, 2, 7, *range(-5, 8)]), 7)
    assert "0" in [text for _, text in mixed.key_items()]


@pytest.mark.parametrize("sign", [-1, 1])
def test_a_key_ending_at_zero_writes_its_zero_once(sign):
    """Values from -9 up to 0 (or from 0 up to 9), too many to write each: the key runs from the
    far end to the 0 swatch, without a "0" written again beside it."""
    rng = np.random.default_rng(5)
    for _ in range(30):
        values = sign * rng.integers(0, 10, rng.integers(KEY_VALUES + 1, 40))
        values = np.append(values, [0, 9 * sign, sign])
        shades = Shades.centred(values, 3)
        items = shades.key_items()
        texts = [text for _, text in items]
        assert texts.count("0") == 1, texts
        assert shades.text(9 * sign) in (texts[0], texts[-1]), texts
        assert items[-1 if sign < 0 else 0] == (shades.zero, "0"), items  # the 0 swatch ends the key


def test_cells_are_as_wide_as_the_numbers_written():
    assert widest(SOBEL_NOISE) == 2  # "-2"; the noise is written "0"
    assert widest(SOBEL_NOISE, scale=1e-7) == len("-8.77e-8")  # as a grid of tiny values writes them
    assert widest(np.array([0.5, 1234.5]), np.array([-3, 40], np.int64)) == len("1.23e3")


def trained_drawing(values: bool = True) -> Job:
    torch = pytest.importorskip("torch")
    model = torch.load(EXAMPLES / "edges.pt", weights_only=False)
    weight = model[0].weight.detach().numpy()
    return Job(Conv2dSpec((1, 8, 8), 1, 3, padding=1, bias=False), Look(values=values), {}, weight=weight)


def test_trained_weights_write_their_float_noise_as_zero():
    job = trained_drawing()
    (part,) = job.parts
    drawn, scene, layout = part.drawn, part.scene, part.layout
    assert drawn.value_chars <= 3 and layout.width < 700  # not 60-pixel cells for "-8.77e-08"
    kernel = drawn.kernels[0, 0]
    scale = scene.scales.kernel
    assert [scale.text(v) for v in kernel[:, 1]] == ["0", "0", "0"]
    assert (scale.index(kernel[:, 1]) == scale.zero).all()
    (w_key,) = [key for key in scene.scales.keys if key.name == "w"]
    assert [text for _, text in w_key.items] == ["-2", "-1", "0", "1", "2"]
    for output in drawn.output.ravel():  # no output cell shows noise either
        assert scene.scales.output.text(output) == format_value(round(float(output), 4))


def test_a_max_pools_colours_come_from_every_channel_and_its_key_shows_them():
    """y[1]'s values take the same scale as y[0]'s and are in the key, however the indices
    panels interleave with them."""
    spec = MaxPool2dSpec((2, 4, 4), 2, return_indices=True)
    x = np.array([np.arange(16).reshape(4, 4) % 5, 6 + np.arange(16).reshape(4, 4) % 3])
    recording = record(spec, input=x)
    (drawn,) = ops.of(spec).drawings(spec, recording)
    animation = Animation(drawn, plan(drawn.geometry, True, drawn.value_chars))
    scene = animation.scene
    (y_key,) = [key for key in scene.scales.keys if key.name == "y"]
    written = {text: shade for shade, text in y_key.items if shade is not None and shade >= 0}
    assert set(written) == {format_value(v) for v in np.unique(recording.output)}
    for c in range(2):
        for value in recording.output[c].ravel():
            colour = scene.output_colour(value, 2 * c)
            assert colour == scene.colours.outputs[written[format_value(value)]], (c, value)
    assert len({scene.output_colour(v, 0) for v in np.unique(recording.output)}) == len(written)


def shown(shades: Shades, values: np.ndarray) -> set[int]:
    return set(np.unique(shades.index(values)).tolist())


def swatches(key) -> set[int]:
    return {shade for shade, _ in key.items if shade is not None and shade >= 0}  # not filler, empty, cut


CASES = [
    (Conv2dSpec((3, 7, 7), 2, 3, padding=1, stride=2, dilation=2), {}),
    (Conv2dSpec((2, 5, 5), 4, 3, padding=1, groups=2, padding_mode="circular"), {}),
    (Conv2dSpec((1, 6, 6), 1, 3), {"weight": np.array([[[[1, 0, -1], [2, 0, -2], [1, 0, -1]]]])}),
    (Conv2dSpec((1, 5, 5), 1, 3), {"input": np.arange(25).reshape(1, 5, 5) - 12}),
    (ConvTranspose2dSpec((2, 3, 3), 2, 3, stride=2, padding=1), {}),
    (MaxPool2dSpec((2, 4, 4), 2, return_indices=True), {}),
    (AvgPool2dSpec((2, 5, 5), 3, 2, 1), {}),
]


@pytest.mark.parametrize(("spec", "given"), CASES, ids=lambda v: getattr(v, "caption", ""))
def test_every_colour_a_grid_shows_is_in_its_key_and_every_swatch_is_shown(spec, given):
    """A key with each value on its swatch has exactly the grid's colours; a key that is a ramp
    runs from the lowest value's shade to the highest's, through 0's."""
    (drawn,) = ops.of(spec).drawings(spec, record(spec, 1, **given))
    scales = scales_of(drawn)
    keys = {key.name: key for key in scales.keys}
    apart = drawn.filler if drawn.outside is None else drawn.filler | drawn.outside
    grids = [("x", scales.input, drawn.grid[:, ~apart]), ("y", scales.output, drawn.output)]
    if drawn.kernels is not None:
        grids.append(("w", scales.kernel, drawn.kernel_values))
    for name, shades, values in grids:
        on_grid, in_key = shown(shades, values), swatches(keys[name])
        if shades.distinct is not None and shades.distinct.size <= KEY_VALUES:
            assert on_grid == in_key, name
        else:
            ends = shades.index(np.array([shades.low, shades.high]))
            assert on_grid <= in_key, name
            assert in_key == set(range(min(ends[0], shades.zero), max(ends[1], shades.zero) + 1)), name


def test_cells_write_values_against_their_grids_scale():
    """Inputs, kernels and outputs each write float noise as 0 against their own grid."""
    spec = Conv2dSpec((1, 4, 4), 1, 3, bias=False)
    x = np.full((1, 4, 4), 5000.0)
    x[0, 0, 0] = 0.0025  # below a millionth of 5000
    w = np.array([[[[0.5, 0, 0], [0, 0, 0], [0, 0, 3e-7]]]])
    (drawn,) = ops.of(spec).drawings(spec, record(spec, input=x, weight=w))
    animation = Animation(drawn, plan(drawn.geometry, True, drawn.value_chars))
    scene = animation.scene
    assert scene.cell_text(0, 0, 0) == "0" and scene.cell_text(0, 1, 1) == "5000"
    assert scene.scales.kernel.text(3e-7) == "0" and scene.scales.kernel.text(0.5) == "0.5"
    assert scene.painter.write(drawn.output[0, 0, 0]) == scene.scales.output.text(drawn.output[0, 0, 0])


def _widest_by_loop(array, scale):
    """Every value written one by one, as a cell writes it."""
    return max([1, *(len(format_value(v, scale)) for v in np.asarray(array).ravel().tolist())])


def _awkward_values(rng, n):
    """Fractions of every size, and those whose three digits are hard to tell: near a halfway
    point, near the next power of ten, with trailing zeros, whole, tiny."""
    sizes = 10.0 ** rng.integers(-9, 5, n)
    picks = [
        rng.standard_normal(n) * sizes,
        np.round(rng.uniform(100, 1000, n)) / 1000 * sizes,  # three digits, some with trailing zeros
        (np.round(rng.uniform(100, 1000, n)) + 0.5) / 1000 * sizes,  # halfway
        (999.5 + rng.uniform(-1e-4, 1e-4, n)) / 1000 * sizes,  # next to the next power of ten
        np.round(rng.uniform(1, 10, n), 1) * sizes,
        rng.integers(-50, 50, n).astype(float),
    ]
    values = np.concatenate(picks) * rng.choice([-1, 1], 6 * n)
    return rng.permutation(values)


@pytest.mark.parametrize("seed", range(40))
def test_the_widest_number_is_found_as_writing_each_value_finds_it(seed):
    rng = np.random.default_rng(seed)
    values = _awkward_values(rng, int(rng.integers(1, 400)))
    dtype = rng.choice([np.float64, np.float32])
    values = values.astype(dtype)
    values = values[np.abs(values) <= 1e4]
    scale = float(np.abs(values).max()) if values.size else 0.0
    assert widest(values) == _widest_by_loop(values, scale)
    other = float(rng.choice([scale, scale * 1e3, 1e-3]))
    assert widest(values, scale=other) == _widest_by_loop(values, other)


def test_a_weight_of_millions_of_fractions_shades_as_one_written_value_by_value(monkeypatch):
    monkeypatch.setattr(numbers, "WRITTEN_CHUNK", 1000)  # written a thousand at a time
    rng = np.random.default_rng(3)
    cases = [
        rng.standard_normal(20_000).astype(np.float32),  # many magnitudes: a linear scale
        rng.choice([-0.5, 0.25, 0.5], 20_000) + rng.uniform(-1e-5, 1e-5, 20_000),  # few written ones
        np.concatenate([np.full(20_000, 0.5), [0.123]]),  # the odd one last
        np.concatenate([np.full(5_000, 0.5), rng.standard_normal(20_000) * 1e-8]),  # noise, written 0
    ]
    for values in cases:
        scale = float(np.abs(values).max())
        one_by_one = [written(np.array([v], values.dtype), scale)[0] for v in np.unique(values)]
        distinct = np.unique(np.array(one_by_one, values.dtype))
        shades = Shades.centred(values, 3)
        assert (shades.low, shades.high) == (distinct[0], distinct[-1])
        magnitudes = np.unique(np.abs(distinct[distinct != 0]))
        assert (shades.magnitudes is not None) == (magnitudes.size <= 3)
        if shades.magnitudes is not None:
            np.testing.assert_array_equal(shades.magnitudes, magnitudes)


def test_a_render_without_values_never_sizes_cells_for_the_numbers():
    spec = Conv2dSpec((4, 6, 6), 4, 3)
    weight = np.random.default_rng(0).standard_normal((4, 4, 3, 3))
    quiet = Job(spec, Look(), {}, weight=weight)
    assert callable(quiet.drawings[0].__dict__["_value_chars"]) and quiet.layouts  # laid out, never found
    loud = Job(spec, Look(values=True), {}, weight=weight)
    grid, output = loud.drawings[0].grid, loud.drawings[0].output
    assert loud.drawings[0].value_chars == max(
        _widest_by_loop(grid, float(np.abs(grid).max())),
        _widest_by_loop(output, float(np.abs(output).max())),
        _widest_by_loop(weight, float(np.abs(weight).max())),
    )
