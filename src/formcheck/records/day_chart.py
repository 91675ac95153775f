"""A bar chart with one slot per calendar day, laid out for inline SVG (the template draws it).

Whatever the span (one day, a week, three months), the x axis is days: each day has one slot,
a day with sets has one bar (a dark part and a light part stacked: e.g. target reached and not),
a day label is written once (every day for up to two weeks, else Mondays, else the first of each
month), the target is a dashed step line across every day, and a pain stop is a red mark above
its day. Matplotlib drew the old charts against time (hours on a one-day report, the same date
repeated under a week); this draws what the physiotherapist reads: days.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

WIDTH, HEIGHT = 960, 190
LEFT, RIGHT, TOP, BOTTOM = 40, 26, 22, 30  # (room for the last day's label)
MAX_BAR_W = 44  # a one-day chart keeps a bar's width, not the whole plot's


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    cls: str  # dark | light | zero


@dataclass(frozen=True)
class DayBar:
    day: str  # ISO date: one bar per day (tests and the tooltip read it)
    title: str  # the tooltip: the day and what was done
    rects: tuple[Rect, ...]
    label: str  # a figure over the bar ("" for none)
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class DayChart:
    width: int
    height: int
    bars: tuple[DayBar, ...]
    x_labels: tuple[Text, ...]
    y_ticks: tuple[Text, ...]  # y is the grid line's height; the label sits left of it
    target_path: str  # "" when no target is known
    pain_marks: tuple[Text, ...]  # text: the tooltip
    plot_left: int
    plot_right: int
    baseline: float


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _step(top: float) -> int:
    """An integer tick step giving at most 5 ticks up to ``top``."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100):
        if top / step <= 5:
            return step
    return int(10 ** math.ceil(math.log10(top / 5)))


def _labelled(days: list[date]) -> list[date]:
    """The days that get a label: every day up to two weeks, else Mondays, else each month's first."""
    if len(days) <= 14:
        return days
    if len(days) <= 120:
        return [d for d in days if d.weekday() == 0]
    return [d for d in days if d.day == 1]


def day_chart(days: list[date], values: dict[date, tuple[float, float]], targets: dict[date, float | None],
              titles: dict[date, str], figures: dict[date, str], pain: dict[date, str],
              day_text: Callable[[date, bool], str]) -> DayChart:
    """The chart of ``days``: ``values[day]`` = (dark, light) stacked; ``targets[day]`` the
    target that day (carried over days without one); ``titles``/``figures``: a bar's tooltip and
    the figure over it; ``pain[day]``: a pain mark's tooltip; ``day_text(day, weekday)`` writes a
    day's label."""
    known = [t for d in days if (t := targets.get(d)) is not None]
    top = max([dark + light for dark, light in values.values()] + known + [1.0])
    step = _step(top)
    y_max = math.ceil(top * 1.12 / step) * step
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    base = TOP + plot_h
    slot = plot_w / len(days)
    bar_w = min(slot * 0.7, MAX_BAR_W)

    def y(v: float) -> float:
        return round(base - v / y_max * plot_h, 1)

    def x0(i: int) -> float:
        return LEFT + i * slot

    bars = []
    for i, d in enumerate(days):
        if d not in values:
            continue
        dark, light = values[d]
        bx = round(x0(i) + (slot - bar_w) / 2, 1)
        rects = []
        if dark > 0:
            rects.append(Rect(bx, y(dark), round(bar_w, 1), round(base - y(dark), 1), "dark"))
        if light > 0:
            rects.append(Rect(bx, y(dark + light), round(bar_w, 1), round(y(dark) - y(dark + light), 1), "light"))
        if not rects:  # a set that counted nothing still shows on its day
            rects.append(Rect(bx, base - 2, round(bar_w, 1), 2, "zero"))
        bars.append(DayBar(d.isoformat(), titles.get(d, ""), tuple(rects), figures.get(d, "") if slot >= 14 else "",
                           round(x0(i) + slot / 2, 1), y(dark + light) - 4))
    # the target: one step line over every day (carried over days without a set)
    seg_w = slot if len(days) > 1 else min(slot, bar_w * 1.6)
    path: list[str] = []
    current, prev_y = (known[0] if known else None), None
    for i, d in enumerate(days):
        current = targets.get(d) if targets.get(d) is not None else current
        if current is None:
            continue
        xa, ya = round(x0(i) + (slot - seg_w) / 2, 1), y(current)
        path.append(f"M{xa} {ya}" if prev_y is None else f"V{ya}" if ya != prev_y else "")
        path.append(f"H{round(xa + seg_w, 1)}")
        prev_y = ya
    x_labels = tuple(Text(round(x0(days.index(d)) + slot / 2, 1), HEIGHT - 10, day_text(d, len(days) <= 8))
                     for d in _labelled(days))
    y_ticks = tuple(Text(LEFT - 6, y(v), f"{v:g}") for v in range(0, int(y_max) + 1, step))
    marks = tuple(Text(round(x0(days.index(d)) + slot / 2, 1), TOP - 10, tip) for d, tip in pain.items() if d in days)
    return DayChart(WIDTH, HEIGHT, tuple(bars), x_labels, y_ticks, "".join(path), marks, LEFT, WIDTH - RIGHT, base)
