"""The layer kinds behind one registry: --layer, options that do not belong to a layer, and
the faults the old per-kind branches had (each kept here as a regression test)."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

import convgif
import convgif.api
from convgif import ops
from convgif.animation import Look
from convgif.animation.job import Job
from convgif.cli import main
from convgif.errors import SpecError
from convgif.inputs.kernels import PRESETS

SOBEL_X = PRESETS["sobel-x"]


def run(*args: str, cwd=None):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_registry_finds_every_kind_by_pytorch_name_in_any_case():
    for name in ops.NAMES:
        op = ops.operation(name.upper())
        assert op.name == name
        assert ops.canonical(name.lower()) == name
    assert ops.of(convgif.Conv2dSpec((1, 3, 3))).name == "Conv2d"
    assert ops.of(convgif.ConvTranspose2dSpec((1, 3, 3))).name == "ConvTranspose2d"
    with pytest.raises(KeyError, match="MaxPool9d"):
        ops.operation("MaxPool9d")


@pytest.mark.parametrize(
    ("flag", "layer", "args"),
    [
        ("--transposed", "ConvTranspose2d", ["--in", "2,3,3", "--k", "3", "--s", "2"]),
        ("--conv1d", "conv1d", ["--in", "3,9", "--out", "2", "--k", "3", "--p", "1"]),
        ("--separable", "SEPARABLE", ["--in", "4,5,5", "--out", "3", "--k", "3"]),
    ],
)
def test_layer_option_draws_what_the_old_flag_draws(tmp_path, flag, layer, args):
    old, new = tmp_path / "old.gif", tmp_path / "new.gif"
    assert run(flag, *args, "-o", str(old), "-q").exit_code == 0
    assert run("--layer", layer, *args, "-o", str(new), "-q").exit_code == 0
    assert old.read_bytes() == new.read_bytes()


def test_unknown_layer_and_conflicting_choices_are_usage_errors():
    result = CliRunner().invoke(main, ["--layer", "MaxPool9d", "--in", "1,4,4"])
    assert result.exit_code == 2 and "'--layer'" in result.output and "did you mean MaxPool" in result.output
    result = CliRunner().invoke(main, ["--layer", "Linear", "--in", "1,4,4"])
    assert result.exit_code == 2 and "'--layer'" in result.output and "Conv2d, Conv1d" in result.output
    result = CliRunner().invoke(main, ["--layer", "Conv1d", "--transposed", "--in", "1,4,4"])
    assert result.exit_code == 2 and "choose one" in result.output


@pytest.mark.parametrize(
    ("args", "option", "words"),
    [
        (["--layer", "separable", "--g", "2"], "'--g' / '--groups'", "sets its own groups"),
        (["--output-padding", "1"], "'--output-padding'", "Conv2d has no output_padding"),
        (["--layer", "Conv1d", "--output-padding", "1"], "'--output-padding'", "Conv1d has no output_padding"),
        (["--as-conv"], "'--as-conv'", "Conv2d has no as_conv"),
        (
            ["--layer", "ConvTranspose2d", "--padding-mode", "reflect"],
            "'--padding-mode'",
            "a transposed convolution supports only 'zeros'",
        ),
    ],
)
def test_an_option_the_layer_does_not_have_is_refused_naming_both(tmp_path, args, option, words):
    result = CliRunner().invoke(main, [*args, "--in", "2,5,5", "-o", str(tmp_path / "x.gif")])
    assert result.exit_code == 2
    assert option in result.output and words in result.output
    assert not (tmp_path / "x.gif").exists()


def test_separable_with_a_kernel_preset_draws_it_in_the_depthwise_step(tmp_path):
    result = run("--in", "2,5,5", "--separable", "--kernel", "sobel-x", "-o", str(tmp_path / "s.gif"), "-q")
    assert result.exit_code == 0, result.output
    spec = convgif.SeparableSpec((2, 5, 5))
    recording = convgif.record(spec, weight=np.broadcast_to(SOBEL_X, (2, 1, 3, 3)))
    assert (recording.depthwise.weight == SOBEL_X).all()
    Image.open(tmp_path / "s.gif").verify()


def test_transposed_kernel_takes_pytorchs_weight_layout(tmp_path):
    result = run(
        "--in", "2,5,5", "--out", "3", "--transposed", "--kernel", "sobel-x", "-o", str(tmp_path / "t.gif"), "-q"
    )
    assert result.exit_code == 0, result.output
    spec = convgif.ConvTranspose2dSpec((2, 5, 5), 3)
    result = convgif.render(spec, tmp_path / "t2.gif", kernel="sobel-x")
    assert result.frames > 0
    recording = convgif.record(spec, weight=np.broadcast_to(SOBEL_X, (2, 3, 3, 3)))
    assert recording.weight.shape == (2, 3, 3, 3)  # (C_in, C_out/G, KH, KW), as torch stores it


def test_as_conv_render_has_its_own_default_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    spec = convgif.ConvTranspose2dSpec((1, 2, 2), 1, 2, stride=2)
    plain, direct = convgif.render(spec), convgif.render(spec, as_conv=True)
    assert plain.path != direct.path and "asconv" in direct.path.name
    assert plain.path.exists() and direct.path.exists()


def test_as_conv_is_refused_for_a_layer_drawn_one_way():
    with pytest.raises(SpecError) as error:
        convgif.render(convgif.Conv2dSpec((1, 3, 3)), "x.gif", as_conv=True)
    assert error.value.argument == "as_conv"


@pytest.mark.parametrize(("suffix", "magic"), [(".webp", b"RIFF"), (".png", b"\x89PNG"), (".gif", b"GIF89a")])
def test_the_file_suffix_chooses_the_format(tmp_path, suffix, magic):
    path = tmp_path / f"x{suffix}"
    convgif.render(convgif.Conv2dSpec((1, 3, 3), kernel_size=2), path)
    assert path.read_bytes().startswith(magic)


def test_a_suffix_naming_no_format_is_refused_and_nothing_written(tmp_path):
    result = CliRunner().invoke(main, ["--in", "1,4,4", "-o", str(tmp_path / "x.avi")])
    assert result.exit_code == 2 and "'-o' / '--output'" in result.output and ".avi" in result.output
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(SpecError) as error:
        convgif.render(convgif.Conv2dSpec((1, 4, 4)), tmp_path / "x.avi")
    assert error.value.argument == "path"
    result = CliRunner().invoke(main, ["--in", "1,4,4", "--format", "webp", "-o", str(tmp_path / "x.gif")])
    assert result.exit_code == 2 and "'--format'" in result.output
    assert list(tmp_path.iterdir()) == []


def test_gallery_entries_are_named_by_the_format_they_hold(tmp_path):
    config = tmp_path / "gallery.toml"
    config.write_text(
        '[[entry]]\nname = "w"\ntitle = "WebP"\nargs = "--in 1,4,4 --k 2 --format webp"\n'
        '[[entry]]\nname = "s"\ntitle = "Sheet"\nargs = "--in 1,4,4 --k 2 --sheet"\n'
        '[[entry]]\nname = "g"\ntitle = "GIF"\nargs = "--in 1,4,4 --k 2"\n'
    )
    result = CliRunner().invoke(main, ["gallery", "--config", str(config), "--jobs", "1", "-q"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "w.webp").read_bytes()[8:12] == b"WEBP"
    assert (tmp_path / "s.png").read_bytes().startswith(b"\x89PNG")
    assert (tmp_path / "g.gif").read_bytes().startswith(b"GIF89a")
    assert not list(tmp_path.glob("[ws].gif"))
    readme = (tmp_path / "README.md").read_text()
    assert 'srcset="w-still.png"><img src="w.webp"' in readme and 'srcset="g-still.png"><img src="g.gif"' in readme
    assert '<img src="s.png"' in readme and not (tmp_path / "s-still.png").exists()  # a still has no still


def counted_calls(monkeypatch) -> dict[str, int]:
    """Counts of the calls of every kind's ``Operation.geometries`` and of the layout's ``plan``,
    wherever they are made from."""
    import sys

    import convgif.animation.job
    import convgif.animation.region
    import convgif.animation.sheet  # noqa: F401  (each imports plan: count every one)
    from convgif.picture import layout

    calls = {"geometries": 0, "plan": 0}
    plan = layout.plan

    def counted_plan(*args, **kwargs):
        calls["plan"] += 1
        return plan(*args, **kwargs)

    for module in list(sys.modules.values()):
        if getattr(module, "__dict__", {}).get("plan") is plan:
            monkeypatch.setattr(module, "plan", counted_plan)
    for kind in {type(op) for op in ops.operations()}:

        def geometries(self, *args, _asked=kind.geometries, **kwargs):
            calls["geometries"] += 1
            return _asked(self, *args, **kwargs)

        monkeypatch.setattr(kind, "geometries", geometries)
    return calls


# Each render asks for the geometries of the whole layer once, and once more for each part it
# tries (a region given, or each part tried while the whole has more steps than max_frames or
# does not fit the page's column), and lays each picture out once per part it tries (before
# anything is recorded, to see whether it fits) and once more with the keys of its values.
# A still and a contact sheet do the same; the poster of an animation (--html) reuses the
# animation's job: nothing asked or laid out again.
LEAST_WORK = [
    # (arguments, geometries, plans)
    ("--in 1,4,4 --k 3 --values", 1, 2),
    ("--in 3,7,7 --out 2 --k 3", 1, 2),
    ("--separable --in 2,5,5 --out 2 --k 3", 1, 5),  # two pictures, one call for both; the narrower laid
    # out again at the canvas's width, so that both break their text alike
    ("--in 1,64,64 --k 3 --region 0:8,0:8", 2, 2),
    ("--layer MaxPool2d --in 2,6,6 --k 2", 1, 2),
    ("--transposed --in 2,3,3 --out 2 --k 3 --s 2", 1, 2),
]


@pytest.mark.parametrize("args, geometries, plans", LEAST_WORK, ids=[a for a, *_ in LEAST_WORK])
def test_a_render_asks_for_its_geometries_and_lays_out_once(tmp_path, monkeypatch, args, geometries, plans):
    from convgif.cli.options import parse

    request = parse(args.split())
    options = {k: v for k, v in request.options.items() if k != "format"}
    calls = counted_calls(monkeypatch)
    renders = {
        "render": lambda: request.render(tmp_path / "a.gif"),
        "step": lambda: convgif.api.render_still(request.spec, tmp_path / "s.png", step=1, **options),
        "sheet": lambda: convgif.api.render_still(request.spec, tmp_path / "t.png", **options),
        "--html": lambda: run(*args.split(), "-o", str(tmp_path / "h.gif"), "--html", "-q"),
    }
    for name, render in renders.items():
        calls.update(geometries=0, plan=0)
        render()
        assert calls == {"geometries": geometries, "plan": plans}, name
    assert (tmp_path / "h-still.png").exists()


def test_a_render_with_more_steps_than_max_frames_tries_smaller_parts_once_each(tmp_path, monkeypatch):
    from convgif.cli.options import parse

    request = parse("--in 3,7,7 --out 2 --k 3 --max-frames 5".split())
    calls = counted_calls(monkeypatch)
    result = request.render(tmp_path / "a.gif")
    assert calls == {"geometries": 5, "plan": 2}  # 25·2 steps: parts of 16, 9, 6 (2×3) and 4 outputs tried
    assert result.frames == result.shown_steps == 4 and result.region.size == (2, 2)


@pytest.mark.parametrize(
    "args",
    [
        "--in 1,40,40 --k 3 --values",  # drawn as a region, smaller with values than without
        "--separable --in 2,5,5 --out 3 --k 3",
        "--transposed --in 2,3,3 --out 2 --k 3 --s 2 --values",
    ],
)
def test_the_poster_of_an_animation_is_its_last_frame(tmp_path, args):
    from gifs import displayed_frames

    result = run(*args.split(), "-o", str(tmp_path / "a.gif"), "--html", "-q")
    assert result.exit_code == 0, result.output
    with Image.open(tmp_path / "a-still.png") as still:
        poster = np.asarray(still.convert("RGB"))
    np.testing.assert_array_equal(poster, displayed_frames(tmp_path / "a.gif")[-1])


def test_conv1d_is_computed_once_and_drawn_as_one_row_of_the_same_arrays():
    spec = convgif.Conv1dSpec((2, 7), 3, 3, padding=1)
    recording = convgif.record(spec)
    (drawn,) = ops.of(spec).drawings(spec, recording)
    assert np.shares_memory(drawn.output, recording.output) and np.shares_memory(drawn.grid, recording.padded)
    assert recording.output.shape == (3, 7) and drawn.output.shape == (3, 1, 7)


def test_nothing_outside_the_operations_tests_what_kind_a_spec_is():
    import pathlib
    import re

    package = pathlib.Path(convgif.__file__).parent
    kinds = re.compile(r"isinstance\([^)]*(Conv1dSpec|Conv2dSpec|ConvTranspose2dSpec|SeparableSpec)")
    for path in package.glob("*.py"):
        assert not kinds.search(path.read_text()), path.name


def _same(a, b) -> bool:
    return (a is None and b is None) or (
        a is not None and b is not None and a.dtype == b.dtype and np.array_equal(a, b)
    )


def test_a_render_records_only_the_kernels_its_pictures_show(monkeypatch):
    import convgif.engine.values as engine
    from convgif.picture.sizes import kernel_channels

    monkeypatch.setattr(engine, "CHUNK", 40)  # the weight drawn in many runs
    conv = convgif.Conv2dSpec((20, 5, 5), 30, 3, groups=2)
    conv1d = convgif.Conv1dSpec((20, 9), 30, 3, padding=1)
    for spec in (conv, conv1d):
        op = ops.of(spec)
        shown = [kernel_channels(g) for g in op.geometries(spec)]
        full, light = op.record(spec, 3), op.record_drawn(spec, 3, shown)
        assert light.kept == shown[0]
        assert light.weight.shape == (len(shown[0]), *full.weight.shape[1:])
        np.testing.assert_array_equal(light.weight, full.weight[list(shown[0])])
        assert all(_same(getattr(full, name), getattr(light, name)) for name in ("input", "padded", "bias", "output"))

    separable = convgif.SeparableSpec((20, 5, 5), 30, 3)
    op = ops.of(separable)
    shown = [kernel_channels(g) for g in op.geometries(separable)]
    full, light = op.record(separable, 2), op.record_drawn(separable, 2, shown)
    for part, kept in zip(("depthwise", "pointwise"), shown):
        whole, some = getattr(full, part), getattr(light, part)
        assert some.kept == kept and _same(whole.output, some.output) and _same(whole.bias, some.bias)
        np.testing.assert_array_equal(some.weight, whole.weight[list(kept)])

    pool = convgif.MaxPool2dSpec((3, 4, 4), 2)
    assert ops.of(pool).record_drawn(pool, 1, [()]).output.tolist() == convgif.record(pool, 1).output.tolist()


def test_a_transposed_render_records_every_groups_kernels_of_the_columns_shown(monkeypatch):
    import convgif.engine.values as engine
    from convgif.picture.sizes import kernel_channels

    monkeypatch.setattr(engine, "CHUNK", 30)
    spec = convgif.ConvTranspose2dSpec((12, 3, 3), 24, 3, stride=2, groups=4, bias=False)
    op = ops.of(spec)
    shown = [kernel_channels(g) for g in op.geometries(spec)]
    full, light = op.record(spec, 1), op.record_drawn(spec, 1, shown)
    assert light.columns == (0, 1, 2, 3, 4, 5)  # 6 of the 6 columns a group has: all shown
    shown = [(0, 7)]  # columns 0 and 1 of groups 0 and 1
    light = op.record_drawn(spec, 1, shown)
    assert light.columns == (0, 1) and light.weight.shape == (12, 2, 3, 3)
    np.testing.assert_array_equal(light.weight, full.weight[:, [0, 1]])
    assert light.conv.kept == (0, 1, 6, 7, 12, 13, 18, 19)  # each group's columns 0 and 1
    np.testing.assert_array_equal(light.conv.weight, full.conv.weight[list(light.conv.kept)])
    assert _same(light.output, full.output) and _same(light.conv.padded, full.conv.padded)


@pytest.mark.parametrize("name", sorted(ops.REGISTRY))
def test_every_kinds_example_is_described_and_drawn_or_refused_as_not_drawn(name):
    """Each kind gives a small example layer (its smoke test, and a first try for a user):
    described by ``convgif info``'s figures, and its first frame drawn, or, for a kind convgif
    computes but does not draw, a refusal that says so."""
    op = ops.operation(name)
    spec = op.spec_type(**op.example())
    facts = convgif.describe(spec)
    assert facts["output_shape"] == list(spec.output_shape)
    try:
        job = Job(spec, Look())
    except convgif.SpecError as error:
        assert "is not drawn" in str(error) and op.dims == 3, error
        return
    frame = next(job.frames())
    assert frame.shape == job.size[::-1] and job.total >= 1


#: What names each kind in its caption, written out here: a padding layer's mode as F.pad takes
#: it, Upsample's mode, and for the kinds with no mode argument their class name. The
#: convolutions keep the article's caption (their G says what they are) and are left out.
NAMING = {
    "ReflectionPad": " — mode='reflect'",
    "ReplicationPad": " — mode='replicate'",
    "CircularPad": " — mode='circular'",
    "ZeroPad": " — mode='constant' — value=0.0",
    "ConstantPad": " — mode='constant' — value=1.5",
    "Upsample": " — mode='nearest'",
    "UpsamplingNearest2d": "(mode='nearest')",
    "UpsamplingBilinear2d": "(mode='bilinear', align_corners=True)",
    "checkerboard": " — 2× up-sampling four ways",
}
CONVOLUTIONS = ("Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d", "separable")


@pytest.mark.parametrize("name", sorted(set(ops.REGISTRY) - set(CONVOLUTIONS)))
def test_every_kinds_caption_names_the_kind(name):
    """The caption is every frame's title and the snippets' alt text: it says which layer it is."""
    op = ops.operation(name)
    caption = op.build(**op.example()).caption
    family = next((key for key in NAMING if name.startswith(key) and (key != "Upsample" or name == key)), None)
    shapes = caption.split(" — ")[:2]
    assert shapes[0].startswith("Input Shape : ") and shapes[1].startswith("Output Shape : "), caption
    if family is None:  # named by its class, straight after the shapes
        assert caption.split(" — ")[2] == name, caption
    else:
        assert NAMING[family] in caption, caption


@pytest.mark.parametrize("name", sorted(ops.REGISTRY))
def test_no_two_kinds_have_the_same_caption_for_the_same_arguments(name):
    """Each kind's example arguments, given to every kind that takes them: no two captions alike
    (four padding kinds, or an adaptive max and mean pool, once read the same). A convolution
    and its transposed form keep the article's caption, alike when their shapes are."""
    op = ops.operation(name)
    arguments = op.example()
    captions = {name: op.build(**arguments).caption}
    for other in ops.NAMES:
        if other in CONVOLUTIONS and name in CONVOLUTIONS:
            continue
        try:
            captions[other] = ops.operation(other).build(**arguments).caption
        except (SpecError, TypeError, ValueError):
            continue
    alike = [other for other, caption in captions.items() if other != name and caption == captions[name]]
    assert alike == [], (captions[name], alike)


@pytest.mark.parametrize(
    ("kinds", "arguments"),
    [
        (
            ("ReflectionPad2d", "ReplicationPad2d", "ZeroPad2d", "CircularPad2d"),
            {"input_shape": (1, 4, 4), "padding": 2},
        ),
        (("AdaptiveMaxPool1d", "AdaptiveAvgPool1d"), {"input_shape": (1, 8), "output_size": 3}),
        (("MaxPool3d", "AvgPool3d", "LPPool3d"), {"input_shape": (1, 4, 4, 4), "kernel_size": 2, "norm_type": 2}),
        (("Unfold", "MaxPool2d"), {"input_shape": (1, 4, 4), "kernel_size": 2, "stride": 2}),
    ],
)
def test_the_markdown_alt_texts_of_kinds_alike_differ(tmp_path, kinds, arguments):
    """What the review found alike: each command's --markdown alt text names its kind."""
    alts = []
    for kind in kinds:
        given = {k: v for k, v in arguments.items() if k in ops.operation(kind).arguments}
        layer = f"{kind}({', '.join(f'{k}={v!r}' for k, v in given.items() if k != 'input_shape')})"
        shape = ",".join(map(str, given["input_shape"]))
        result = run(
            "--layer", layer, "--in", shape, "-q", "-o", str(tmp_path / f"{kind}.png"), "--frame", "1", "--markdown"
        )
        assert result.exit_code == 0, result.output
        alts.append(result.output.split("![", 1)[1].split("](", 1)[0])
    assert len(set(alts)) == len(alts), alts
