"""``formcheck tune``'s printed account of the form rules: per rule, what it reads against its
limit, where it fired, its worst reading in each repetition, and the limit suggested from the
good ones."""

from __future__ import annotations

import numpy as np

from formcheck.engine.rules import FRAME_RULES
from formcheck.spec.parts import Rule
from formcheck.tune.rules import LimitSuggestion, RuleFinding, profile_line, unit_of

MAX_UNITS = 40  # repetitions listed on one rule's line; more are summed up


def describe_rule(rule: Rule) -> str:
    """``max foot_pitch (°, from the start) > 29 during rep for 0.15 s; confirm ankle_lift > 0.17``."""
    if rule.kind in FRAME_RULES:
        op = ">" if rule.kind == "max" else "<"
        u = unit_of(rule).strip()
        what = f"{rule.signal} ({u + ', ' if u else ''}{'from the start' if rule.relative else 'as seen'})"
        text = f"fires when {what} {op} {rule.limit:g} during {rule.during} for {rule.min_duration_s:g} s"
        if rule.confirm is not None:
            text += f", if {rule.confirm.signal} {op} {rule.confirm.limit:g} too"
        return text
    op = "under" if rule.kind == "min_duration" else "over"
    return f"fires when the {rule.phase} takes {op} {rule.limit:g} s"


def rule_lines(spec, found: list[RuleFinding], sugg: dict[int, list[LimitSuggestion]],
               good_given: bool, retried: dict[str, tuple[int, int]] | None = None) -> list[str]:
    """The form rules' section; ``sugg`` by rule index; ``retried``: fault id -> (now, with the
    suggested limits)."""
    if not found:
        return ["form rules: none in this exercise"]
    good_is = "as you marked them (--good)" if good_given else "those without the rule's own fault"
    lines = [f"form rules (good repetitions: {good_is}; values are each one's worst in the rule's part of it):"]
    for f in found:
        rule = f.rule
        u = unit_of(rule)
        lines.append(f"  {rule.id}: {describe_rule(rule)}")
        if f.unchecked:
            lines.append(f"    {f.unchecked}")
            continue
        if f.trace is not None:
            v = f.trace.value[np.isfinite(f.trace.value)]
            if len(v):
                lines.append(f"    read while checked: {v.min():.3g} to {v.max():.3g}{u}")
        if f.faults:
            shown = ", ".join(f"{x.t_s:.2f} s" + (f" (rep {x.rep_index})" if x.rep_index else "")
                              + (f" {x.value:.3g}{u}" if x.value is not None else "") for x in f.faults[:MAX_UNITS])
            lines.append(f"    fired {len(f.faults)} time{'s' if len(f.faults) != 1 else ''}: {shown}")
        else:
            lines.append("    never fired")
        measured = [x for x in f.units if x.worst is not None]
        if measured:
            cells = [f"{_short(x.label)}:{x.worst:.3g}{'!' if x.fired else ''}{'' if x.good else '-'}"
                     for x in measured[:MAX_UNITS]]
            more = f" ... and {len(measured) - MAX_UNITS} more" if len(measured) > MAX_UNITS else ""
            kind = "hold" if measured[0].label.startswith("hold") else "rep"
            lines.append(f"    per {kind} (! fault, - not good): {'  '.join(cells)}{more}")
            if rule.confirm is not None:
                conf = [f"{_short(x.label)}:{x.confirm:.3g}" for x in measured[:MAX_UNITS] if x.confirm is not None]
                if conf:
                    lines.append(f"    its confirm {rule.confirm.signal} per {kind}: {'  '.join(conf)}")
        for s in sugg.get(f.index, []):
            lines.append("    " + _suggestion(s, rule))
            if s.value is not None and not s.keep:
                if s.others_line():
                    lines.append(f"      {s.others_line()}")
                if s.key == "limit":
                    lines.append(f"      as a profile: {profile_line(spec, rule, s.value)}")
                elif rule.confirm is not None:
                    lines.append(f"      in the exercise file (a profile cannot change it): "
                                 f"confirm = {{ signal = \"{rule.confirm.signal}\", limit = {s.value:g} }}")
    if retried:
        lines.append("  with the suggested limits: " + ", ".join(
            f"{fid} {new} (now {now})" for fid, (now, new) in retried.items()))
    return lines


def _short(label: str) -> str:
    """``rep 3`` -> ``3``, ``hold 2 (L)`` -> ``2(L)``."""
    return label.split(" ", 1)[-1].replace(" ", "")


def _suggestion(s: LimitSuggestion, rule: Rule) -> str:
    name = "limit" if s.key == "limit" else f"confirm {s.signal}"
    if s.value is None:
        return f"suggested {name}: none ({s.reason})"
    return f"suggested {name}: {s.current:g} -> {s.value:g}  ({s.reason})"
