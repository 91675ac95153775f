"""Pixel-level building blocks: a small LRU cache, colour-premultiplied patches, in-place drawing.

Rendered text and panel shapes are cached as premultiplied patches and blended onto only their
own region with two saturating OpenCV operations, so a frame costs a few milliseconds at most.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable, Generic, Hashable, TypeVar

import cv2
import numpy as np

from formcheck.overlay.style import RGB

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRU(Generic[K, V]):
    """A small least-recently-used cache (owned by one instance, never shared): at most
    ``maxsize`` values and, with ``weigh`` (a value's size in bytes), at most ``max_bytes``."""

    def __init__(self, maxsize: int, max_bytes: int | None = None, weigh: Callable[[V], int] | None = None) -> None:
        self._data: OrderedDict[K, V] = OrderedDict()
        self._maxsize = maxsize
        self._max_bytes, self._weigh = max_bytes, weigh
        self._bytes = 0

    def get(self, key: K, make: Callable[[], V]) -> V:
        try:
            value = self._data[key]
        except KeyError:
            value = make()
            self._data[key] = value
            self._bytes += self._weight(value)
            while len(self._data) > 1 and (len(self._data) > self._maxsize or (
                    self._max_bytes is not None and self._bytes > self._max_bytes)):
                self._bytes -= self._weight(self._data.popitem(last=False)[1])
            return value
        self._data.move_to_end(key)
        return value

    def _weight(self, value: V) -> int:
        return self._weigh(value) if self._weigh is not None else 0

    @property
    def nbytes(self) -> int:
        """What the values weigh together (0 without ``weigh``)."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._data)


@dataclass(frozen=True)
class Patch:
    """A premultiplied RGB patch: blended as ``dst * inv / 255 + pre`` (two saturating ops)."""

    inv: np.ndarray  # h x w x 3 uint8, 255 - coverage
    pre: np.ndarray  # h x w x 3 uint8, colour * coverage / 255

    @staticmethod
    def from_mask(mask: np.ndarray, colour: RGB, alpha: float = 1.0) -> Patch:
        """Patch painting ``colour`` with opacity ``alpha * mask / 255``."""
        cov = mask if alpha >= 1.0 else cv2.convertScaleAbs(mask, alpha=alpha)
        inv = cv2.merge((255 - cov,) * 3)
        scalar = (float(colour[0]), float(colour[1]), float(colour[2]), 0.0)
        pre = cv2.multiply(cv2.merge((cov,) * 3), scalar, scale=1.0 / 255.0)
        return Patch(inv, pre)

    @property
    def shape(self) -> tuple[int, int]:
        return self.inv.shape[0], self.inv.shape[1]

    def blit(self, image: np.ndarray, x: int, y: int) -> None:
        """Blend onto ``image`` with the patch's top-left at (x, y), clipped; in place."""
        h, w = self.shape
        ih, iw = image.shape[:2]
        x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + w, iw), min(y + h, ih)
        if x0 >= x1 or y0 >= y1:
            return
        roi = image[y0:y1, x0:x1]
        sy, sx = slice(y0 - y, y1 - y), slice(x0 - x, x1 - x)
        roi[:] = cv2.add(cv2.multiply(roi, self.inv[sy, sx], scale=1.0 / 255.0), self.pre[sy, sx])


def clip01(x: float | None) -> float:
    """``x`` clipped to 0..1; None and NaN count as 0 (an unknown progress draws as empty)."""
    if x is None or not math.isfinite(x):
        return 0.0
    return min(max(float(x), 0.0), 1.0)


def _check_image(image: np.ndarray) -> None:
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        shape = getattr(image, "shape", None)
        dtype = getattr(image, "dtype", None)
        raise ValueError(f"overlay draws on RGB uint8 HxWx3 images, got shape {shape} dtype {dtype}")
    if image.shape[0] < 8 or image.shape[1] < 8:
        raise ValueError(f"image too small to draw on: {image.shape}")
    if not image.flags.writeable:
        raise ValueError("the overlay draws in place: pass a writeable image (e.g. a copy)")


class InPlace:
    """Context manager giving a C-contiguous array to draw on, copied back to ``image`` at exit.

    OpenCV draws into the caller's array directly when it is contiguous (the usual case); a view
    such as a mirrored ``frame[:, ::-1]`` is drawn on a copy that is written back.
    """

    def __init__(self, image: np.ndarray) -> None:
        _check_image(image)
        self.image = image
        self.work = image if image.flags.c_contiguous else np.ascontiguousarray(image)

    def __enter__(self) -> np.ndarray:
        return self.work

    def __exit__(self, *exc: object) -> None:
        if self.work is not self.image:
            self.image[...] = self.work
