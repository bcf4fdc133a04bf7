import numpy as np
import pytest
from click.testing import CliRunner

from convgif import Conv2dSpec, SpecError, record
from convgif.cli import main
from convgif.inputs.kernels import PRESETS, parse_kernel, weights_for


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
    from convgif.inputs.kernels import factors

    column, row = factors(PRESETS[name])
    np.testing.assert_array_equal(np.outer(column, row), PRESETS[name])
    assert column.dtype.kind == "i" and row.dtype.kind == "i"


def test_factors_of_sobel_and_refusal_of_full_rank():
    from convgif.inputs.kernels import factors, factors_note

    column, row = factors(PRESETS["sobel-x"])
    assert column.tolist() == [1, 2, 1] and row.tolist() == [1, 0, -1]
    assert (
        factors_note(PRESETS["sobel-x"])
        == "kernel = column [1, 2, 1] times row [1, 0, -1]: 3 + 3 = 6 numbers instead of 9"
    )
    column, row = factors(np.array([[0.5, 1.0], [1.0, 2.0]]))
    np.testing.assert_allclose(np.outer(column, row), [[0.5, 1.0], [1.0, 2.0]])
    for kernel in (PRESETS["laplacian"], PRESETS["sharpen"], np.zeros((3, 3), np.int64)):
        with pytest.raises(SpecError):
            factors(kernel)


def test_cli_factors_note_in_every_frame(tmp_path, monkeypatch):
    from convgif.picture.layout import plan

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--in", "1,7,7", "--kernel", "sobel-x", "--factors", "-q", "-o", "f.gif"])
    assert result.exit_code == 0, result.output
    from convgif import ops

    spec = Conv2dSpec((1, 7, 7))
    layout = plan(
        ops.of(spec).geometries(spec)[0],
        notes=("kernel = column [1, 2, 1] times row [1, 0, -1]: 3 + 3 = 6 numbers instead of 9",),
    )
    assert any(t[0].startswith("kernel = column [1, 2, 1]") for t in layout.texts)
    for args in (["--kernel", "laplacian", "--factors"], ["--factors"]):
        result = CliRunner().invoke(main, ["--in", "1,7,7", *args, "-o", "g.gif"])
        assert result.exit_code == 2 and "'--factors'" in result.output
    assert not (tmp_path / "g.gif").exists()


# -- values convgif cannot compute exactly, and files that are not kernels ---------------------


@pytest.mark.parametrize(
    "text, shown",
    [
        ("nan,1;1,1", "nan"),
        ("inf,1;1,1", "inf"),
        ("1,-inf", "-inf"),
        ("1e19,1;1,1", "1e19"),
        ("10001", "10001"),
        ("-10000.5", "-10000.5"),
        ("9223372036854775808", "9223372036854775808"),
    ],
)
def test_values_that_are_not_finite_or_too_large_are_refused(text, shown):
    with pytest.raises(SpecError) as error:
        parse_kernel(text)
    assert error.value.argument == "kernel"
    assert f"holds {shown}:" in str(error.value)
    assert "finite numbers from -10,000 to 10,000" in str(error.value)


def test_values_at_the_bound_are_kept_exactly():
    from convgif.inputs.kernels import MAX_MAGNITUDE

    got = parse_kernel(f"{MAX_MAGNITUDE},-{MAX_MAGNITUDE};1e4,0")
    assert got.dtype == np.int64 and got.tolist() == [[MAX_MAGNITUDE, -MAX_MAGNITUDE], [MAX_MAGNITUDE, 0]]
    assert parse_kernel("0.25,-1e4").dtype == np.float64


def test_the_bound_keeps_every_sum_of_the_largest_layer_exact():
    from convgif.inputs.kernels import MAX_KERNEL_NUMBERS, MAX_MAGNITUDE
    from convgif.ops.args import MAX_ELEMENTS

    assert MAX_KERNEL_NUMBERS == MAX_ELEMENTS
    # an output sums at most MAX_ELEMENTS products and a bias; two outputs' difference twice that
    largest = MAX_ELEMENTS * MAX_MAGNITUDE**2 + MAX_MAGNITUDE
    assert 2 * largest < 2**52 and float(largest) == largest
    spec = Conv2dSpec((2, 3, 3), 1, 3)
    x = np.full((2, 3, 3), MAX_MAGNITUDE)
    w = np.full((1, 2, 3, 3), -MAX_MAGNITUDE)
    w_float = w.astype(float)
    w_float[0, 0, 0, 0] = -MAX_MAGNITUDE + 0.5
    bias = np.array([MAX_MAGNITUDE])
    assert record(spec, input=x, weight=w, bias=bias).output.item() == 18 * -(10**8) + 10**4
    assert record(spec, input=x, weight=w_float, bias=bias).output.item() == 18 * -(10**8) + 10**4 + 5_000


def test_check_exact_converts_numbers_and_names_what_it_refuses():
    from convgif.inputs.kernels import MAX_MAGNITUDE, check_exact

    assert check_exact("input", [[1, 2]]).dtype == np.int64
    assert check_exact("input", np.array([True])).dtype == np.int64
    assert check_exact("bias", np.float32([0.5])).dtype == np.float64
    assert check_exact("weight", np.uint64([MAX_MAGNITUDE])).tolist() == [MAX_MAGNITUDE]
    for value in (np.array([2**62]), np.uint64([2**63]), [1.0, np.nan], [np.inf], np.array(-(2**63)), [-10_001]):
        with pytest.raises(SpecError, match="weight values must be finite numbers from -10,000 to 10,000") as error:
            check_exact("weight", value)
        assert error.value.argument == "weight"
    for value in (["a"], [1j], [[1], [1, 2]], [2**70], None, np.array(["2020-01-01"], dtype="datetime64[D]")):
        with pytest.raises(SpecError, match="input must") as error:
            check_exact("input", value)
        assert error.value.argument == "input"


def npy_bytes(array: np.ndarray) -> bytes:
    import io

    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "is an empty file, not a .npy file"),
        (b"\x93NUMPY\x01\x00garbage", "could not be read as a .npy file numpy.save writes: its header, which gives"),
        (
            b"PK\x03\x04 an archive",
            "numpy.save writes: it does not begin as a .npy file does (with the bytes \\x93NUMPY)",
        ),
        (b"hello", "numpy.save writes: it does not begin as a .npy file does"),
        (npy_bytes(np.ones((3, 3)))[:-5], "numpy.save writes: it holds fewer numbers than its header says"),
        (
            npy_bytes(np.ones((3, 3)))[:20],
            "its header, which gives the numbers' type and shape, is damaged or cut short",
        ),
        (npy_bytes(np.array([[1, None]], dtype=object)), "holds an array of object, shape (1, 2)"),
        (npy_bytes(np.array([["a", "b"]])), "holds an array of <U1"),
        (npy_bytes(np.ones((2, 2), complex)), "holds an array of complex128"),
        (npy_bytes(np.ones((2, 2, 2))), "shape (2, 2, 2)"),
        (npy_bytes(np.array([[np.nan, 1.0]])), "holds nan"),
        (npy_bytes(np.array([[2**63, 1]], np.uint64)), "holds 9,223,372,036,854,775,808"),
        (npy_bytes(np.ones((3, 3))).replace(b"(3, 3)", b"(99999, 99999)"), "holds 9,999,800,001 numbers"),
    ],
)
def test_kernel_files_that_are_not_kernels(tmp_path, content, words):
    path = tmp_path / "k.npy"
    path.write_bytes(content)
    with pytest.raises(SpecError) as error:
        parse_kernel(str(path))
    assert error.value.argument == "kernel" and words in str(error.value), str(error.value)
    assert f"kernel={str(path)!r}" in str(error.value)
    assert not any(raw in str(error.value) for raw in ("EOF", "magic string", "Failed to read")), str(error.value)


@pytest.mark.parametrize("kernel", ["nan,1;1,1", "inf,1;1,1", "1e19,1;1,1", "empty.npy", "nan.npy"])
def test_cli_refuses_such_kernels_naming_the_option(tmp_path, monkeypatch, kernel):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty.npy").write_bytes(b"")
    np.save(tmp_path / "nan.npy", np.full((2, 2), np.nan))
    result = CliRunner().invoke(main, ["--in", "1,5,5", "--kernel", kernel, "-o", "a.gif"])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert "Invalid value for '--kernel'" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "a.gif").exists()
