"""The Python API names the argument in every refusal, and refuses what it would otherwise
ignore or misread."""

from __future__ import annotations

import numpy as np
import pytest

import convgif
from convgif.errors import SpecError

SPEC = convgif.Conv2dSpec((1, 4, 4))


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda p: convgif.render(SPEC, p, fps="3"), "fps"),
        (lambda p: convgif.render(SPEC, p, fps=0), "fps"),
        (lambda p: convgif.render(SPEC, p, max_frames=2.5), "max_frames"),
        (lambda p: convgif.render(SPEC, p, max_frames=-1), "max_frames"),
        (lambda p: convgif.render(SPEC, p, seed=-1), "seed"),
        (lambda p: convgif.render(SPEC, p, seed=1.5), "seed"),
        (lambda p: convgif.render(SPEC, p, notes="abc"), "notes"),
        (lambda p: convgif.render(SPEC, p, theme="blue"), "theme"),
        (lambda p: convgif.render(SPEC, p, width=0), "width"),
        (lambda p: convgif.render(SPEC, p, format="bmp"), "format"),
        (lambda p: convgif.render(SPEC, p.with_suffix(".mp3")), "path"),
        (lambda p: convgif.render(SPEC, p, factors=True), "factors"),
        (lambda p: convgif.render(SPEC, p, kernel="laplacian", factors=True), "factors"),
        (lambda p: convgif.render(SPEC, p, kernel="sobel-x", weight=np.ones((1, 1, 3, 3))), "kernel"),
        (lambda p: convgif.render(SPEC, p, as_conv=True), "as_conv"),
        (lambda p: convgif.render(convgif.Conv2dSpec((1, 4, 4), bias=False), p, bias=np.ones(1)), "bias"),
        (lambda p: convgif.render(SPEC, p, input=np.ones((2, 4, 4))), "input"),
        (lambda p: convgif.render(SPEC, p, input=np.array([["a"] * 4] * 4)[None]), "input"),
        (lambda p: convgif.api.render_still(SPEC, p.with_suffix(".png"), step=99), "step"),
        (lambda p: convgif.api.render_still(SPEC, p.with_suffix(".gif"), step=1), "path"),
    ],
)
def test_every_refusal_names_its_argument_and_writes_nothing(tmp_path, call, argument):
    with pytest.raises(SpecError) as error:
        call(tmp_path / "x.gif")
    assert error.value.argument == argument
    assert list(tmp_path.iterdir()) == []


def test_record_refuses_what_is_not_a_spec_and_a_bias_it_would_ignore():
    with pytest.raises(TypeError, match="spec='x'"):
        convgif.record("x")
    with pytest.raises(SpecError) as error:
        convgif.record(convgif.Conv2dSpec((1, 4, 4), bias=False), bias=np.ones(1))
    assert error.value.argument == "bias"
    with pytest.raises(SpecError) as error:
        convgif.record(convgif.ConvTranspose2dSpec((1, 2, 2), bias=False), bias=np.ones(1))
    assert error.value.argument == "bias"


@pytest.mark.parametrize("size", [2**63, 10**30])
def test_sizes_torch_cannot_hold_are_refused(size):
    with pytest.raises(SpecError) as error:
        convgif.Conv2dSpec((1, 4, 4), kernel_size=size)
    assert error.value.argument == "kernel_size" and "64-bit" in str(error.value)
    with pytest.raises(SpecError) as error:
        convgif.Conv2dSpec((1, 4, size))
    assert error.value.argument == "input_shape"


def test_the_default_file_says_how_the_layer_is_drawn(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    spec = convgif.ConvTranspose2dSpec((1, 2, 2), 1, 2, stride=2)
    assert convgif.default_filename(spec, as_conv=True) == "convtranspose2d_1x2x2_out1_k2_s2_asconv.gif"
    assert convgif.render(SPEC, kernel="sobel-x").path.name == "conv2d_1x4x4_out1_k3_sobel-x.gif"
    assert convgif.render(SPEC, format="webp").path.name == "conv2d_1x4x4_out1_k3.webp"


# A render records only the kernels it draws (``Operation.record_drawn``); its pictures are
# those of the whole recording, byte for byte.
LIGHT_RENDERS = [
    (convgif.Conv2dSpec((20, 5, 5), 20, 3), dict(values=True)),
    (convgif.Conv2dSpec((12, 6, 6), 24, 3, padding=1, groups=4), dict(values=True, seed=2)),
    (convgif.Conv2dSpec((30, 5, 5), 30, 3, groups=30, bias=False), {}),
    (
        convgif.Conv2dSpec((9, 6, 6), 18, 2, stride=2, groups=3, bias=False, padding_mode="reflect", padding=1),
        dict(values=True),
    ),
    (convgif.Conv2dSpec((20, 40, 40), 20, 3), {}),  # drawn as a region
    (convgif.Conv2dSpec((20, 5, 5), 20, 3), dict(kernel="sobel-x", values=True)),
    (
        convgif.Conv2dSpec((20, 5, 5), 20, 3),
        dict(input=np.full((20, 5, 5), 0.5), values=True),
    ),  # fractions: recorded whole
    (convgif.Conv1dSpec((20, 10), 30, 3, padding=1), dict(values=True)),
    (convgif.ConvTranspose2dSpec((20, 3, 3), 20, 3), dict(values=True)),
    (convgif.ConvTranspose2dSpec((12, 3, 3), 24, 3, stride=2, groups=4, bias=False), {}),
    (convgif.ConvTranspose2dSpec((8, 3, 3), 32, 3, groups=2), dict(seed=5)),  # 6 of each group's 16 columns
    (convgif.ConvTranspose2dSpec((20, 3, 3), 20, 3, stride=2, padding=1), dict(as_conv=True, values=True)),
    (convgif.SeparableSpec((20, 5, 5), 30, 3), dict(values=True)),
    (convgif.SeparableSpec((20, 5, 5), 30, 3, bias=False), dict(kernel="laplacian")),
]


@pytest.mark.parametrize(("spec", "options"), LIGHT_RENDERS, ids=lambda v: v.caption if hasattr(v, "caption") else "")
def test_a_render_of_only_the_kernels_drawn_is_the_render_of_the_whole_recording(monkeypatch, spec, options):
    import io

    import convgif.engine.values as engine
    from convgif import ops

    monkeypatch.setattr(engine, "CHUNK", 64)  # the weight drawn and convolved in many runs

    def render() -> bytes:
        return convgif.render(spec, io.BytesIO(), max_frames=3, **options).data

    light = render()
    for op in ops.operations():
        monkeypatch.setattr(
            type(op),
            "record_drawn",
            lambda self, spec, seed, kernels, region=None, **values: self.record(spec, seed, **values),
        )  # the whole layer recorded, not the kernels and the part drawn
    assert render() == light


def test_a_renders_memory_follows_the_channels_drawn_not_the_layers():
    import io
    import tracemalloc

    def peak(spec) -> int:
        tracemalloc.start()
        try:
            convgif.render(spec, io.BytesIO(), max_frames=1)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    peak(convgif.Conv2dSpec((4, 6, 6), 8, 3))  # what loads once
    for many, few in [
        (convgif.Conv2dSpec((600, 6, 6), 600, 3), convgif.Conv2dSpec((600, 6, 6), 8, 3)),
        (convgif.ConvTranspose2dSpec((600, 4, 4), 600, 3), convgif.ConvTranspose2dSpec((600, 4, 4), 8, 3)),
    ]:
        weight = 600 * 600 * 9 * 8  # bytes of the int64 weight: 26 MB
        assert peak(many) - peak(few) < weight / 4


def _random_layer(rng):
    """A layer whose drawn part --values often changes (numbers need larger cells): a
    convolution or pooling of one to three axes, some too wide to draw whole."""
    dims = int(rng.integers(1, 4))
    sides = [int(rng.integers(3, {1: 40, 2: 14, 3: 6}[dims] + 1)) for _ in range(dims)]
    c = int(rng.choice([1, 2, 3, 8]))
    if rng.integers(0, 3):
        cls = getattr(convgif, f"Conv{dims}dSpec")
        return cls((c, *sides), int(rng.choice([1, 2, 4])), int(rng.integers(1, 4)), int(rng.integers(1, 3)))
    return getattr(convgif, f"{rng.choice(['Max', 'Avg'])}Pool{dims}dSpec")((c, *sides), int(rng.integers(1, 4)))


def test_frames_of_counts_the_frames_a_render_with_the_same_options_writes(tmp_path):
    """frames_of takes the render's options: with and without values (whose numbers may make
    the render draw a smaller part), a width, a lower max_frames, it says as many frames as the
    GIF holds; values changes the count for some of these layers, so it is not ignored."""
    from PIL import Image

    from convgif.api import frames_of

    rng = np.random.default_rng(11)
    compared, changed = 0, 0
    for case in range(12):
        spec = _random_layer(rng)
        counts = {}
        for values in (False, True):
            options = {"values": values, "max_frames": int(rng.choice([300, 300, 40]))}
            if rng.random() < 0.3:
                options["width"] = int(rng.choice([500, 900]))
            try:
                counts[values] = frames_of(spec, **options)
            except SpecError as refused:
                with pytest.raises(SpecError) as render:
                    convgif.render(spec, tmp_path / "refused.gif", **options)
                assert render.value.argument == refused.argument
                continue
            path = tmp_path / f"{case}-{values}.gif"
            result = convgif.render(spec, path, **options)
            with Image.open(path) as gif:
                assert counts[values] == result.frames == gif.n_frames, (spec, options)
            compared += 1
        changed += len(counts) == 2 and counts[False] != counts[True]
    assert compared >= 16 and changed >= 1, (compared, changed)
