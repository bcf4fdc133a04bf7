"""Streaming, atomic, deterministic writers of palette-indexed frames: GIF, APNG and WebP.

Each frame is stored as the rectangle that changed since the previous one, with unchanged
pixels inside it set to a transparent index, which compresses to almost nothing (LZW for GIF,
deflate for APNG, lossless VP8L for WebP). Only the previous frame and the pending one's
rectangle are held in memory, whatever the number of frames. A caller that knows where a frame
may differ from the one before (a renderer does: where it drew) says so, and only there is the
frame compared, so a frame costs what changed in it rather than the picture's area; the bytes
are the same. The file is written beside the target under a temporary name and renamed into
place when complete, so an interrupted or failed write leaves no partial file and any existing
file untouched.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import BinaryIO, Optional

import numpy as np

from .atomic import AtomicFile

RGB = tuple[int, int, int]


#: (y0, y1, x0, x1) of a rectangle of pixels, ends exclusive.
Rect = tuple[int, int, int, int]


#: The longest delay a GIF frame can hold: 65,535 hundredths of a second.
MAX_DELAY_MS = 655_350


DO_NOT_DISPOSE = 1  # each frame is drawn over the one before


class _Animation(AtomicFile):
    """Frames (2-D uint8 arrays of palette indices) written one by one as a looping animation.

    Use as a context manager; ``add`` each frame with its duration in milliseconds, and where it
    may differ from the frame before if that is known. A frame identical to the one before it
    extends that one's duration instead of being stored again. Every frame after the first is
    stored as the rectangle that changed, unchanged pixels inside it set to a transparent index
    (``len(palette)``) drawn over the frame before. Only the previous frame and the pending
    frame's rectangle are held in memory. Subclasses write the format.
    """

    #: The longest a frame can show; a still held longer is stored as several frames.
    MAX_DELAY_MS = MAX_DELAY_MS
    #: Rectangles start at multiples of this many pixels.
    ALIGN = 1

    def __init__(
        self, path: os.PathLike | str | BinaryIO, size: tuple[int, int], palette: Sequence[RGB], loop: int = 0
    ) -> None:
        if len(palette) > 255:
            raise ValueError(f"a palette holds 255 colours plus transparency, not {len(palette)}")
        super().__init__(path)
        self.width, self.height = size
        self.palette = list(palette)
        self.loop = loop
        self.transparent = len(self.palette)
        self.frames_written = 0
        self._previous: np.ndarray | None = None  # the last frame added
        self._pending: tuple[int, int, np.ndarray, bool] | None = None  # its rectangle: x0, y0, patch, transparent
        self._pending_ms = 0

    def _finish(self) -> None:
        self._flush_pending()
        self._end()

    def add(self, frame: np.ndarray, duration_ms: int, changed: Optional[Sequence[Rect]] = None) -> None:
        """Add ``frame``, shown for ``duration_ms``.

        ``changed``: rectangles (y0, y1, x0, x1) within the frame outside which it equals the
        frame added before, or None (not known: the whole frame is compared). Only they are
        compared, so the rectangles must hold every change; the file is the same either way.
        """
        if frame.shape != (self.height, self.width) or frame.dtype != np.uint8:
            raise ValueError(f"frame must be uint8 of shape {(self.height, self.width)}")
        if not 0 <= duration_ms <= self.MAX_DELAY_MS:
            raise ValueError(f"duration_ms={duration_ms} must be between 0 and {self.MAX_DELAY_MS}")
        if self._previous is None:
            self._previous = frame.copy()
            self._pending, self._pending_ms = (0, 0, frame.copy(), False), duration_ms
            return
        patch = self._patch(frame, ((0, self.height, 0, self.width),) if changed is None else changed)
        if patch is None:  # the same picture as the frame before
            if self._pending_ms + duration_ms <= self.MAX_DELAY_MS:
                self._pending_ms += duration_ms
                return
            patch = (0, 0, np.full((1, 1), self.transparent, np.uint8), True)  # a one-pixel no-op frame
        self._flush_pending()
        self._pending, self._pending_ms = patch, duration_ms

    def _patch(self, frame: np.ndarray, rects: Sequence[Rect]) -> tuple[int, int, np.ndarray, bool] | None:
        """The rectangle of ``frame`` that differs from the frame before, looked for in ``rects``
        only, unchanged pixels in it transparent (None: none differs); the frame before becomes
        ``frame``."""
        previous = self._previous
        assert previous is not None
        found = []  # each rectangle's part that changed: its corner, the new pixels, which changed
        top = left = max(self.height, self.width)
        bottom = right = 0
        for y0, y1, x0, x1 in rects:
            new, old = frame[y0:y1, x0:x1], previous[y0:y1, x0:x1]
            differ = new != old
            rows = differ.any(axis=1).nonzero()[0]
            if not rows.size:
                continue
            cols = differ.any(axis=0).nonzero()[0]
            r0, r1, c0, c1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
            found.append((y0 + r0, x0 + c0, new[r0:r1, c0:c1], differ[r0:r1, c0:c1]))
            top, bottom, left, right = min(top, y0 + r0), max(bottom, y0 + r1), min(left, x0 + c0), max(right, x0 + c1)
            old[...] = new  # later rectangles overlapping this one find their common part unchanged
        if not found:
            return None
        top, left = top - top % self.ALIGN, left - left % self.ALIGN
        patch = np.full((bottom - top, right - left), self.transparent, np.uint8)
        for y, x, new, differ in found:
            h, w = new.shape
            np.copyto(patch[y - top : y - top + h, x - left : x - left + w], new, where=differ)
        return int(left), int(top), patch, True

    def _flush_pending(self) -> None:
        if self._pending is None:
            return
        x0, y0, patch, transparent = self._pending
        self._frame(x0, y0, patch, transparent, self._pending_ms)
        self.frames_written += 1
        self._pending = None

    def _frame(self, x0: int, y0: int, patch: np.ndarray, transparent: bool, duration_ms: int) -> None:
        """Write one frame: ``patch`` of palette indices at (x0, y0), drawn over the frame before
        where ``transparent`` (its transparent pixels showing that frame)."""
        raise NotImplementedError

    def _end(self) -> None:
        """Write what follows the last frame."""
