"""The step line of a direct convolution (Conv1d/2d/3d): the output channels a step writes, in
the groups drawn and in those not drawn."""

from __future__ import annotations

import random
import re

import pytest

import convgif
from convgif.animation import Look
from convgif.animation.job import Job
from convgif.picture.model import shown


def _step_channels(text: str) -> tuple[set[int], set[int], int]:
    """The output channels a step line says the step writes: those drawn, those named as not
    drawn, and how many groups not drawn it counts without naming their channels."""
    which = re.search(
        r"out channels? ([\d, ]+?)(?:, and ([\d, ]+?) not drawn|, and one in each of (\d+) groups not drawn)? ·", text
    )
    assert which, text
    drawn, others = ({int(c) for c in (part or "").replace(" ", "").split(",") if c} for part in which.groups()[:2])
    return drawn, others, int(which.group(3) or 0)


@pytest.mark.parametrize("seed", range(2))
def test_a_grouped_convolutions_step_line_names_what_it_writes_in_the_groups_not_drawn(seed):
    """Every step writes one output cell in each group: the line names the channels drawn and
    those the step writes in the groups left out (counting them when more than two)."""
    rng = random.Random(seed)
    cut = whole = 0
    for _ in range(10):
        dims = rng.choice([1, 2, 2, 3])
        g, size = rng.choice([2, 3, 4, 8]), rng.randint(4, 6)
        channels, out = g * rng.randint(1, 2), g * rng.randint(1, 2)
        if dims == 1:
            spec = convgif.Conv1dSpec((channels, size * 2), out, 3, groups=g)
        elif dims == 2:
            spec = convgif.Conv2dSpec((channels, size, size), out, 3, groups=g)
        else:
            spec = convgif.Conv3dSpec((channels, 2, size, size), out, 2, groups=g)
        job = Job(spec, Look(values=rng.random() < 0.5, width=rng.choice([None, 1600])), max_frames=0)
        for drawn, geometry, steps in zip(job.drawings, job.geometries, job.steps):
            columns = shown(geometry)[1]
            groups = sorted({c // geometry.in_per_group for c in shown(geometry)[0]})
            cut += len(groups) < g
            whole += len(groups) == g
            for step in steps:
                drawn.playback.advance(step)
                text = drawn.playback.show(step).text
                named, others, counted = _step_channels(text)
                column = min(named) % spec.out_per_group
                assert column in columns, text
                every = {k * spec.out_per_group + column for k in range(g)}
                assert named == {k * spec.out_per_group + column for k in groups}, text
                assert others == (every - named if 0 < g - len(groups) <= 2 else set()), text
                assert counted == (g - len(groups) if g - len(groups) > 2 else 0), text
    assert cut and whole


def test_the_step_line_of_a_group_not_drawn_is_translated():
    """The words for the channels of the groups not drawn are the catalogue's, as the matrix
    view writes them."""
    spec = convgif.Conv2dSpec((4, 9, 9), 4, 3, 2, 2, 2, groups=2)
    from convgif.language import say

    job = Job(spec, Look(values=True, width=566), max_frames=0)
    (drawn,) = job.drawings
    drawn.playback.advance(49)
    text = drawn.playback.show(49).text
    assert text == "out channel 1, and 3 not drawn · (4, 4) · step 50/50 of this part", text
    assert say(text, "zh-Hans").startswith("输出通道 1, 以及未画出的 3 · (4, 4)")
