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


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_step_that_writes_a_dilated_window_rings_each_cell_it_writes(theme):
    """Fold with dilation 2: column 1 adds into y[0, 0:3:2, 1:4:2], four cells with gaps between
    them. Each is ringed on all four sides, as a dilated read is, and the cells between them,
    which get nothing, are not (a solid box round the extent would hide which cells are written)."""
    spec = ops.operation("Fold").build(input_shape=(4, 4), output_size=(4, 4), kernel_size=2, dilation=2)
    job = Job(spec, Look(values=True, theme=theme), {})
    frames = [frame.copy() for frame in job.frames()]
    animation = job.parts[0]
    (x, y), s = animation.layout.outputs[0], animation.layout.cell
    hue = job.players.lut(0)[animation.scene.hue(0)]
    frame = frames[1]  # step 2: column 1

    def sides(row: int, col: int) -> list[bool]:
        """Whether the hue marks each side of cell (row, col), just inside its grid lines."""
        top, left, middle_y, middle_x = y + row * s, x + col * s, y + row * s + s // 2, x + col * s + s // 2
        return [
            frame[top + 1, middle_x] == hue,
            frame[top + s - 1, middle_x] == hue,
            frame[middle_y, left + 1] == hue,
            frame[middle_y, left + s - 1] == hue,
        ]

    for row, col in [(0, 1), (0, 3), (2, 1), (2, 3)]:
        assert all(sides(row, col)), (row, col)
    for row, col in [(0, 2), (1, 1), (1, 2), (1, 3), (2, 2)]:
        assert not any(sides(row, col)), (row, col)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_dashed_line_runs_to_the_output_grid_a_step_writes_when_a_groups_grids_are_written_at_once(theme):
    """MaxUnpool3d's picture of input depth 0 draws output depths 0 and 1 for its one channel;
    step 3 puts x[0, 0, 0, 2] into y[0, 1, 1, 5] (the lower grid), step 2 into y[0, 0]: the
    line from the input runs to the row of the cell written in the grid written, not to the
    group's first grid only."""
    from convgif import MaxUnpool3dSpec

    spec = MaxUnpool3dSpec((1, 4, 4, 4), 2)
    job = Job(spec, Look(values=True, theme=theme), {})
    frames = [frame.copy() for frame in job.frames()]
    animation = job.parts[0]
    playback, s = animation.drawn.playback, animation.layout.cell
    hue = job.players.lut(0)[animation.scene.hue(0)]
    for step, grid in ((2, 1), (1, 0)):
        (write,) = playback.advance(step)
        assert write.channel == grid
        x, y = animation.layout.outputs[grid]
        middle = y + int(write.rows[0]) * s + s // 2
        beside = [bool(frames[step][middle, x - k] == hue) for k in range(1, 4 * s)]
        assert any(beside), (step, beside)
