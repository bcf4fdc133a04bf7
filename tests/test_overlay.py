"""The frames drawn over the scene (convgif.picture.overlay): the key of cells still to come."""

from __future__ import annotations

import random

import pytest

from convgif import ops
from convgif.animation import Look
from convgif.animation.job import Job


def _hatch(job: Job, part: int) -> int:
    """The palette index, in the job's frames, of the hatching of output cells still to come."""
    return int(job.players.lut(part)[job.parts[part].scene.colours.hatch])


@pytest.mark.parametrize("seed", range(6))
def test_the_key_says_to_come_only_while_some_output_cell_is(seed):
    """Hatching (the empty cells and the key's "to come" swatch) is on every frame but the last
    of a picture that writes every output cell: there, nothing is to come, and the key says no
    more that something is. The still of the last step (``--html``'s) too."""
    rng = random.Random(seed)
    h, w = rng.randint(3, 6), rng.randint(3, 6)
    specs = [
        ops.operation("Conv2d").build(
            input_shape=(rng.randint(1, 2), h, w), out_channels=rng.randint(1, 2), kernel_size=rng.randint(1, 3)
        ),
        ops.operation("Conv3d").build(input_shape=(1, 3, h, w), out_channels=1, kernel_size=2),
    ]
    for spec in specs:
        job = Job(spec, Look(values=rng.random() < 0.5, lang=rng.choice(["en", "zh-Hans"])), {})
        last = len(job.parts) - 1
        frames = [frame.copy() for frame in job.frames()]
        assert len(frames) == job.total > 1
        assert (frames[0] == _hatch(job, 0)).any()  # the cells to come, and the key's swatch
        assert (frames[-2] == _hatch(job, last)).any()  # one cell is still to come
        assert not (frames[-1] == _hatch(job, last)).any(), spec
        fresh = Job(spec, job.look, {})
        assert not (fresh.still(fresh.total) == _hatch(fresh, last)).any(), spec
