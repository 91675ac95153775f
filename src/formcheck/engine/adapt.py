"""The count's depth placed inside the patient's own range.

An exercise file's ``full`` is the range asked of a typical patient; a stiff older patient may
never reach it, and every repetition would be a partial. Once the first repetitions show the
patient's own range (the median peak of their last ADAPT_PEAKS movements, at least ADAPT_AFTER of
them), ``full`` is lowered to ADAPT_SHARE of it: the top fifth of their own movement. It never goes below the file's clinical
minimum ``full_min`` (no ``full_min``: ``full`` is fixed) and never above the file's ``full``: a
fit patient whose range is far past it keeps the file's value, so a shallow dip after deep
repetitions is still a partial with its cue.

A second measure that must agree (Count.confirm) has its full lowered by the same share of its
way from enter to full, else it would hold back what the first lets count.

Only one-way counts adapt (``Count.full_min`` is refused on others). ``rest`` and ``enter``
stay: they are about landmark noise, not the patient. The movement's end already adapts to the
person (``RETURN_SHARE`` of each repetition's own peak).
"""

from __future__ import annotations

from collections import deque

import numpy as np

from formcheck.core.results import Adaptation
from formcheck.spec.parts import Count

ADAPT_AFTER = 2  # movements seen before the range is trusted (one could be a try or a glitch)
ADAPT_PEAKS = 5  # the range is the median of this many last movements' peaks
ADAPT_SHARE = 0.8  # full at this share of the patient's own range
# a new adapted value is taken (and reported) only when it moves by this share of the file's
# full: the median of a few peaks wanders by a degree or two from one repetition to the next
ADAPT_STEP = 0.05


class RangeAdapter:
    """One set's adapted ``full`` per counted signal (the view's count: another signal, another unit)."""

    def __init__(self) -> None:
        self._peaks: dict[str, deque[float]] = {}
        self._full: dict[str, float] = {}
        self._made: dict[str, tuple[Count, float, Count]] = {}  # per signal: (file's count, full, adapted)

    def count(self, count: Count) -> Count:
        """``count`` with the full adapted so far for its signal (``count`` itself when none)."""
        full = self._full.get(count.signal)
        if full is None or count.full_min is None:
            return count
        made = self._made.get(count.signal)
        if made is not None and made[0] is count and made[1] == full:  # asked every frame while arming
            return made[2]
        update: dict[str, object] = {"full": full}
        c = count.confirm
        if c is not None:  # the second measure's full moves the same share of its way down from enter
            share = (full - count.enter) / (count.full - count.enter) if count.full > count.enter else 1.0
            update["confirm"] = c.model_copy(update={"full": c.enter + share * (c.full - c.enter)})
        adapted = count.model_copy(update=update)
        self._made[count.signal] = (count, full, adapted)
        return adapted

    def observe(self, file_count: Count, peak: float, t_s: float) -> Adaptation | None:
        """A movement away from the start reached ``peak`` (its magnitude, in the count's unit);
        ``file_count`` is the count as the exercise file (and profile) set it. Returns the
        adaptation when ``full`` moved."""
        if file_count.full_min is None:  # (spec/parts.py allows full_min on single counts only)
            return None
        peaks = self._peaks.setdefault(file_count.signal, deque(maxlen=ADAPT_PEAKS))
        peaks.append(abs(peak))
        if len(peaks) < ADAPT_AFTER:
            return None
        own = ADAPT_SHARE * float(np.median(peaks))
        full = float(np.clip(own, file_count.full_min, file_count.full))
        before = self._full.get(file_count.signal, file_count.full)
        if abs(full - before) < ADAPT_STEP * file_count.full:
            return None
        self._full[file_count.signal] = full
        return Adaptation("full", file_count.signal, file_count.full, round(full, 3), file_count.full_min,
                          round(t_s, 3), len(peaks))
