"""The render job (convgif.animation.job): the colours of a tensor drawn over several pictures."""

from __future__ import annotations

import random

import pytest

from convgif import ops
from convgif.animation import Look
from convgif.animation.job import Job
from convgif.picture.model import shaded_output


def _specs(rng: random.Random) -> list:
    shape = (rng.randint(1, 2), rng.randint(3, 5), rng.randint(3, 5), rng.randint(3, 5))
    return [
        ops.operation("Conv3d").build(
            input_shape=shape, out_channels=rng.randint(1, 3), kernel_size=2, padding=rng.randint(0, 1)
        ),
        ops.operation("ConvTranspose3d").build(input_shape=shape, out_channels=2, kernel_size=2, stride=2),
        ops.operation("AvgPool3d").build(input_shape=shape, kernel_size=2, stride=1),
    ]


@pytest.mark.parametrize("seed", range(6))
def test_every_depth_slice_of_one_output_shares_one_colour_scale(seed):
    """A shade means one value on every depth slice: the output scale of every picture of y is
    the same, and it spans the values every slice shows."""
    rng = random.Random(seed)
    differed = 0
    for spec in _specs(rng):
        for values in (False, True):
            job = Job(spec, Look(values=values), {})
            outputs = [scales.output for scales in job.scales]
            assert len(outputs) == spec.output_shape[1] > 1
            first = outputs[0]
            for shades, drawn in zip(outputs, job.drawings):
                assert (shades.low, shades.high, shades.count) == (first.low, first.high, first.count), spec
                shown = shaded_output(drawn)
                assert first.low <= shown.min() and shown.max() <= first.high, spec
            ranges = {(float(shaded_output(d).min()), float(shaded_output(d).max())) for d in job.drawings}
            differed += len(ranges) > 1  # slices whose own scales would differ
    assert differed >= 1
