"""Every form rule's reading over a recording, as the engine made it (``formcheck tune``).

The engine's form checker keeps, for tune, each frame rule's latest smoothed reading and the
worst value of each rule in its part of the last judged repetition (engine.form.FormChecker's
``seen`` and ``judged``). A ``Tracer`` is handed every frame's result while a track is folded
(sets.pipeline.run_track's ``each``) and collects them per rule, with the rule's signal as the
engine reads it (from the patient's own start, unsmoothed) on every frame, checked or not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from formcheck.core.results import Fault, FrameResult
from formcheck.engine.analyzer import Analyzer
from formcheck.engine.rules import FRAME_RULES
from formcheck.spec.parts import Rule


@dataclass
class RuleTrace:
    """One rule over a recording, frame by frame (NaN where there is no reading)."""

    index: int  # the rule's place in the exercise's rules
    rule: Rule
    raw: np.ndarray  # its signal as the engine reads it (from the start when relative), every frame
    value: np.ndarray  # smoothed, as judged: only where the rule was checked (its part, its view)
    confirm: np.ndarray | None  # the confirm's smoothed value where the rule was checked
    judged: dict[int, tuple[float, float | None]] = field(default_factory=dict)  # rep -> worst (and confirm's)


class Tracer:
    """Collects every rule's readings from an Analyzer, one call per frame result."""

    def __init__(self, analyzer: Analyzer, rules: tuple[Rule, ...]) -> None:
        self.analyzer = analyzer
        self.rules = rules
        self._rows: list[tuple[list[float], list[float], list[float]]] = []
        self._judged: dict[int, dict[int, tuple[float, float | None]]] = {}  # rep index -> rule -> worst
        self.faults: list[Fault] = []  # as the engine logged them: with the value and the limit

    def __call__(self, r: FrameResult) -> None:
        form, t_s = self.analyzer.form, r.t_ms / 1000.0
        raw, val, conf = [], [], []
        for i, rule in enumerate(self.rules):
            v = None
            if rule.kind in FRAME_RULES and r.pose is not None:
                v = self.analyzer.reading(rule.signal or "", r.pose, rule.relative)
            raw.append(np.nan if v is None else v)
            seen = form.seen.get(i)
            now = seen is not None and seen[0] == t_s and r.pose is not None
            val.append(seen[1] if now else np.nan)  # type: ignore[index]
            conf.append(seen[2] if now and seen[2] is not None else np.nan)  # type: ignore[index]
        self._rows.append((raw, val, conf))
        self.faults.extend(r.new_faults)
        if r.new_rep is not None:
            self._judged[r.new_rep.index] = dict(form.judged)

    def traces(self, frames: int) -> list[RuleTrace]:
        """The rules' traces over the first ``frames`` results (the set's own frames: the last
        call, the set's end, has no frame of its own)."""
        rows = self._rows[:frames]
        out = []
        for i, rule in enumerate(self.rules):
            raw = np.array([row[0][i] for row in rows], dtype=float)
            val = np.array([row[1][i] for row in rows], dtype=float)
            conf = np.array([row[2][i] for row in rows], dtype=float) if rule.confirm is not None else None
            judged = {rep: j[i] for rep, j in self._judged.items() if i in j}
            out.append(RuleTrace(i, rule, raw, val, conf, judged))
        return out
