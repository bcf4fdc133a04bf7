"""The painter's primitives that an animation's steps repeat (a window's rings, dashed paths),
worked out once and then put in place: against the same drawn one by one, and against a pixel
by pixel walk along a path, on random pictures."""

from __future__ import annotations

import random

import numpy as np
import pytest

from convgif import Conv2dSpec, ops
from convgif.picture.layout import plan
from convgif.picture.paint import ASLANT_PIECE, DASH, Painter

BACKGROUND, GRID, INK = 0, 1, 2


def painter(scale: int = 1) -> Painter:
    layout = plan(ops.of(Conv2dSpec((1, 5, 5), 1, 3)).geometries(Conv2dSpec((1, 5, 5), 1, 3))[0], scale=scale)
    return Painter(layout, GRID, BACKGROUND, np.zeros((8, 256), np.uint8))


def picture(rng: random.Random, shape: tuple[int, int]) -> np.ndarray:
    """Background with a few blocks of other colours: what a path must not cover."""
    image = np.full(shape, BACKGROUND, np.uint8)
    for _ in range(rng.randint(0, 6)):
        y, x = rng.randrange(shape[0]), rng.randrange(shape[1])
        image[y : y + rng.randint(1, 30), x : x + rng.randint(1, 30)] = rng.randint(1, 9)
    return image


@pytest.mark.parametrize("scale", [1, 2, 3])
def test_a_windows_rings_at_once_are_its_rings_one_by_one(scale):
    rng = random.Random(scale)
    paint = painter(scale)
    s = paint.layout.cell
    for _ in range(60):
        rows, cols, dilation = rng.randint(1, 4), rng.randint(1, 4), rng.randint(1, 2)
        top, left = rng.randint(0, 3), rng.randint(0, 3)
        cells = np.array([(top + i * dilation, left + j * dilation) for i in range(rows) for j in range(cols)])
        if rng.random() < 0.3:  # some cells of the window left out (reads of padding), one kept
            cells = cells[[k == 0 or rng.random() < 0.7 for k in range(len(cells))]]
        origin = (rng.randint(0, 20), rng.randint(0, 20))
        colour, halo = rng.randint(3, 9), rng.choice([-1, 10])
        shape = (origin[1] + 12 * s, origin[0] + 12 * s)
        one_by_one = picture(rng, shape)
        at_once = one_by_one.copy()
        boxes = [paint.ring(one_by_one, origin, int(y), int(x), colour, halo) for y, x in cells]
        for _ in range(2):  # worked out, then put in place again
            bounds = paint.rings(at_once, origin, cells, colour, halo)
        np.testing.assert_array_equal(at_once, one_by_one)
        y0s, y1s, x0s, x1s = zip(*boxes)
        assert bounds == (min(y0s), max(y1s), min(x0s), max(x1s))
    assert paint.rings(at_once, (0, 0), np.zeros((0, 2), int), 3) is None


def walked(paint: Painter, image: np.ndarray, points: list, colour: int, dashed: bool = True) -> list:
    """A path drawn pixel by pixel: the g-th pixel along it (from its first point, every run
    covering its first point and not its last, a pixel a step along its longer side, the other
    coordinate rounded) is on when (g // dash) is even (always, not ``dashed``), and an on
    pixel paints ``n`` pixels across the run (rightwards where it runs down more than across,
    else downwards), where the picture shows background. Gives the rectangles of the runs
    across or down; an aslant run's, the box round its pixels."""
    n, dash, g, rects = paint.n, DASH * paint.n, 0, []
    height, width = image.shape
    for (xa, ya), (xb, yb) in zip(points, points[1:]):
        length = max(abs(xb - xa), abs(yb - ya))
        if not length:
            continue
        steep = abs(yb - ya) >= abs(xb - xa)
        run = []
        for t in range(length):
            x, y = xa + round(t * (xb - xa) / length), ya + round(t * (yb - ya) / length)
            for k in range(n):
                run.append((x + k, y) if steep else (x, y + k))
                px, py = run[-1]
                if (g // dash) % 2 == 0 or not dashed:
                    if 0 <= px < width and 0 <= py < height and image[py, px] == BACKGROUND:
                        image[py, px] = colour
            g += 1
        xs, ys = zip(*run)
        rects.append((min(ys), max(ys) + 1, min(xs), max(xs) + 1))
    return rects


@pytest.mark.parametrize("scale", [1, 2])
def test_a_dashed_path_is_its_pixels_walked_one_by_one(scale):
    rng = random.Random(10 + scale)
    paint = painter(scale)
    shape = (90, 120)
    paths = []
    for _ in range(80):
        x, y = rng.randint(-10, 130), rng.randint(-10, 100)
        points = [(x, y)]
        for k in range(rng.randint(1, 6)):
            step = rng.choice([0, rng.randint(-60, 60)])
            x, y = (x + step, y) if k % 2 == 0 else (x, y + step)
            points.append((x, y))
        paths.append(points)
    for points in paths + paths:  # the second time, as worked out the first
        colour = rng.randint(3, 9)
        image = picture(rng, shape)
        expected = image.copy()
        rects = walked(paint, expected, points, colour)
        assert paint.path(image, points, colour) == rects
        np.testing.assert_array_equal(image, expected, err_msg=str(points))


@pytest.mark.parametrize("scale", [1, 2])
def test_an_aslant_or_solid_path_is_its_pixels_walked_one_by_one(scale):
    """A channel shuffle's lines run aslant, and the lines of the steps before stay, solid:
    each pixel is where the walk puts it, and the rectangles given hold every pixel painted,
    an aslant run's in pieces of at most ASLANT_PIECE steps."""
    rng = random.Random(20 + scale)
    paint = painter(scale)
    shape = (120, 140)
    for _ in range(120):
        points = [(rng.randint(-10, 150), rng.randint(-10, 130)) for _ in range(rng.randint(2, 4))]
        dashed = rng.random() < 0.5
        image = picture(rng, shape)
        expected = image.copy()
        walked(paint, expected, points, 5, dashed)
        painted = (expected == 5) & (image == BACKGROUND)
        rects = paint.path(image, points, 5, dashed)
        np.testing.assert_array_equal(image, expected, err_msg=str((points, dashed)))
        inside = np.zeros(shape, bool)
        for y0, y1, x0, x1 in rects:  # each thin: across, down, or a piece of an aslant run
            assert min(y1 - y0, x1 - x0) <= scale or max(y1 - y0, x1 - x0) <= (ASLANT_PIECE + 1) * scale, rects
            inside[max(y0, 0) : max(y1, 0), max(x0, 0) : max(x1, 0)] = True
        assert not (painted & ~inside).any(), (points, rects)
    # aslant, a pixel a step along the longer side: (0, 0) to (4, 2) covers x 0..3, y 0, 0 (0.5 rounds to even), 1, 2
    image = np.full((6, 8), BACKGROUND, np.uint8)
    painter(1).path(image, [(0, 0), (4, 2)], 5, dashed=False)
    assert sorted(zip(*np.nonzero(image == 5))) == [(0, 0), (0, 1), (1, 2), (2, 3)]


def test_a_picture_painted_by_flat_index_must_be_whole():
    paint = painter()
    image = np.zeros((40, 40), np.uint8)
    with pytest.raises(ValueError):
        paint.path(image[:, 5:], [(0, 2), (20, 2)], 3)
