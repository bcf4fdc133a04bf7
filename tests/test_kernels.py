import numpy as np
import pytest
from click.testing import CliRunner

from convgif import Conv2dSpec, SpecError, record
from convgif.cli import main
from convgif.kernels import PRESETS, parse_kernel, weights_for


def test_presets_are_the_textbook_kernels():
    sobel = PRESETS["sobel-x"]
    np.testing.assert_array_equal(sobel, np.outer([1, 2, 1], [1, 0, -1]))  # rank 1: 6 numbers, not 9
    np.testing.assert_array_equal(PRESETS["sobel-y"], sobel.T)
    assert PRESETS["laplacian"].sum() == 0 and PRESETS["sharpen"].sum() == 1
    assert PRESETS["gaussian"].sum() == 16 and PRESETS["box"].sum() == 9
    assert PRESETS["identity"][1, 1] == 1 and PRESETS["identity"].sum() == 1


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Sobel-X", PRESETS["sobel-x"]),
        ("1,0,-1;2,0,-2;1,0,-1", PRESETS["sobel-x"]),
        ("1, 2 ; 3, 4", np.array([[1, 2], [3, 4]])),
        ("0.5,1", np.array([[0.5, 1.0]])),
    ],
)
def test_parse_kernel(text, expected):
    got = parse_kernel(text)
    np.testing.assert_array_equal(got, expected)
    assert got.dtype == (np.float64 if "." in text else np.int64)


def test_parse_kernel_from_npy(tmp_path):
    path = tmp_path / "k.npy"
    np.save(path, np.arange(6).reshape(2, 3))
    np.testing.assert_array_equal(parse_kernel(str(path)), np.arange(6).reshape(2, 3))
    np.save(path, np.zeros((2, 3, 4)))
    with pytest.raises(SpecError, match="shape"):
        parse_kernel(str(path))
    with pytest.raises(SpecError, match="could not be read"):
        parse_kernel(str(tmp_path / "missing.npy"))


@pytest.mark.parametrize("text", ["sobel", "1,2;3", "a,b", ""])
def test_bad_kernels_are_refused(text):
    with pytest.raises(SpecError) as error:
        parse_kernel(text)
    assert error.value.argument == "kernel"


def test_weights_for_repeats_a_2d_kernel_and_checks_shapes():
    spec = Conv2dSpec((4, 6, 6), 2, 3, groups=2)
    w = weights_for(spec, PRESETS["laplacian"])
    assert w.shape == (2, 2, 3, 3) and all(np.array_equal(k, PRESETS["laplacian"]) for k in w.reshape(-1, 3, 3))
    full = np.arange(36).reshape(2, 2, 3, 3)
    np.testing.assert_array_equal(weights_for(spec, full), full)
    with pytest.raises(SpecError, match="kernel_size=.3, 3. needs 3×3"):
        weights_for(spec, np.ones((2, 2)))


def test_cli_kernel_sets_the_weights_and_the_kernel_size(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(main, ["--in", "1,6,6", "--kernel", "1,2;3,4", "-q"], catch_exceptions=False)
    assert result.exit_code == 0 and result.output == "conv2d_1x6x6_out1_k2_kernel.gif\n"
    result = runner.invoke(main, ["--in", "1,6,6", "--kernel", "sobel-x", "--k", "5"])
    assert result.exit_code == 2 and "'--kernel'" in result.output and "needs 5×5" in result.output
    result = runner.invoke(main, ["--in", "1,6,6", "--kernel", "nonsense"])
    assert result.exit_code == 2 and "'--kernel'" in result.output and "sobel-x" in result.output


def test_render_uses_given_weights(tmp_path):
    import convgif

    spec = Conv2dSpec((1, 5, 5), 1, 3, bias=False)
    weight = weights_for(spec, PRESETS["identity"])
    x = np.arange(25).reshape(1, 5, 5)
    result = convgif.render(spec, tmp_path / "a.gif", input=x, weight=weight, values=True)
    assert result.frames == 9
    np.testing.assert_array_equal(record(spec, input=x, weight=weight).output[0], x[0, 1:4, 1:4])


@pytest.mark.parametrize("name", ["sobel-x", "sobel-y", "gaussian", "box", "identity"])
def test_rank_one_presets_factor_exactly(name):
    from convgif.kernels import factors

    column, row = factors(PRESETS[name])
    np.testing.assert_array_equal(np.outer(column, row), PRESETS[name])
    assert column.dtype.kind == "i" and row.dtype.kind == "i"


def test_factors_of_sobel_and_refusal_of_full_rank():
    from convgif.kernels import factors, factors_note

    column, row = factors(PRESETS["sobel-x"])
    assert column.tolist() == [1, 2, 1] and row.tolist() == [1, 0, -1]
    assert factors_note(PRESETS["sobel-x"]) == "kernel = column [1, 2, 1] times row [1, 0, -1]: 3 + 3 = 6 numbers instead of 9"
    column, row = factors(np.array([[0.5, 1.0], [1.0, 2.0]]))
    np.testing.assert_allclose(np.outer(column, row), [[0.5, 1.0], [1.0, 2.0]])
    for kernel in (PRESETS["laplacian"], PRESETS["sharpen"], np.zeros((3, 3), np.int64)):
        with pytest.raises(SpecError):
            factors(kernel)


def test_cli_factors_note_in_every_frame(tmp_path, monkeypatch):
    from convgif.layout import plan

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--in", "1,7,7", "--kernel", "sobel-x", "--factors", "-q", "-o", "f.gif"])
    assert result.exit_code == 0, result.output
    from convgif import ops

    spec = Conv2dSpec((1, 7, 7))
    layout = plan(ops.of(spec).geometries(spec)[0], notes=("kernel = column [1, 2, 1] times row [1, 0, -1]: 3 + 3 = 6 numbers instead of 9",))
    assert any(t[0].startswith("kernel = column [1, 2, 1]") for t in layout.texts)
    for args in (["--kernel", "laplacian", "--factors"], ["--factors"]):
        result = CliRunner().invoke(main, ["--in", "1,7,7", *args, "-o", "g.gif"])
        assert result.exit_code == 2 and "'--factors'" in result.output
    assert not (tmp_path / "g.gif").exists()
