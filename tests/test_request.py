"""A render's request (convgif.animation.request): the values a named kernel is drawn with."""

from __future__ import annotations

import random
import re

import numpy as np
import pytest
from click.testing import CliRunner

from convgif import ops
from convgif.animation import Look
from convgif.animation.request import _Given
from convgif.cli import main
from convgif.inputs.kernels import PRESETS


def _given(spec, kernel, bias=None) -> _Given:
    return _Given.of(spec, None, None, None, bias, kernel, None, False, (), "en")


@pytest.mark.parametrize("seed", range(4))
def test_a_named_kernel_is_drawn_with_bias_zero_unless_one_is_given(seed):
    """A kernel's output is the kernel's alone (an edge filter's 0 stays 0): b = 0, every output
    cell equals the convolution without bias, and the sum line says "+ b = s + 0 = s". A bias
    given is kept; a layer without one gets none."""
    torch = pytest.importorskip("torch")
    rng = random.Random(seed)
    name = rng.choice(sorted(PRESETS))
    k = PRESETS[name].shape[-1]
    shape = (rng.randint(1, 2), rng.randint(k, 8), rng.randint(k, 8))
    spec = ops.operation("Conv2d").build(input_shape=shape, out_channels=rng.randint(1, 2), kernel_size=k)
    given = _given(spec, name)
    assert given.bias is not None and not given.bias.any() and given.bias.shape == (spec.out_channels,)
    job = given.job(Look(values=True), {}, seed, False, 10_000, None)
    rec = job.recording
    expected = torch.nn.functional.conv2d(
        torch.tensor(rec.input[None], dtype=torch.float64), torch.tensor(rec.weight, dtype=torch.float64)
    )[0].numpy()
    np.testing.assert_allclose(rec.output, expected)
    drawn = job.drawings[0]
    for step in range(drawn.geometry.steps):
        drawn.playback.advance(step)
        for line in drawn.playback.show(step).sums:
            found = re.search(r"\+ b = (\S+) \+ 0 = (\S+)$", line)
            assert found and found.group(1) == found.group(2), line
    own = np.arange(1, spec.out_channels + 1, dtype=float)
    assert (_given(spec, name, own).bias == own).all()
    plain = ops.operation("Conv2d").build(input_shape=shape, out_channels=1, kernel_size=k, bias=False)
    assert _given(plain, name).bias is None


def test_the_cli_draws_a_named_kernel_without_a_shift_and_no_bias_still_drops_it(tmp_path):
    runner = CliRunner()
    for extra, params in (([], "10 parameters"), (["--no-bias"], "9 parameters")):
        result = runner.invoke(main, ["--in", "1,6,6", "--kernel", "sobel-x", *extra, "-o", str(tmp_path / "k.gif")])
        assert result.exit_code == 0 and params in result.output + (result.stderr or ""), result.output
