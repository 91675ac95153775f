"""Patient profiles: a physiotherapist's per-patient TOML overriding targets and thresholds.

    [exercises.squat]
    target = 8
    count = { full = 60 }                  # this patient may stop at 60 degrees of knee bend
    rules.back_rounded = { limit = 30 }

Only values a physiotherapist tunes per patient can be changed (targets, rep-count thresholds,
rule limits, hold times); what is measured stays as the exercise file says. The file is checked
strictly (unknown exercise, key or rule id, wrong type: one line naming the file, the key and
what is allowed) and the overridden exercise is validated again as an ``ExerciseSpec``, so an
override cannot break the exercise's own invariants (e.g. rest < enter <= full).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from formcheck.signals import SIGNALS
from formcheck.spec.exercise import (
    EXERCISE_IDS,
    TARGET_MAX,
    ExerciseSpec,
    load_exercise,
)
from formcheck.spec.files import (
    SpecError,
    StrictModel,
    allowed_keys,
    format_validation_error,
    read_toml,
)


class ProfileError(SpecError):
    """A profile that is not valid or does not fit an exercise; one line per problem."""


class _Patch(StrictModel):
    """Strict like the exercise files (spec.StrictModel)."""


_Sec = Field(default=None, ge=0.0, le=600.0)


class CountPatch(_Patch):
    """Repetition counting, in the counted signal's unit (see ``formcheck exercises show ID``)."""

    signal: str | None = None  # the signal these thresholds are written for (checked, not changed)
    rest: float | None = Field(default=None, ge=0.0)  # at or below: back in the start position
    enter: float | None = Field(default=None, gt=0.0)  # above: a repetition has begun
    full: float | None = Field(default=None, gt=0.0)  # the peak must reach this, else a partial
    full_min: float | None = Field(default=None, gt=0.0)  # full adapts to the patient's range down to this
    full_negative: float | None = Field(default=None, gt=0.0)  # two-way exercises: the other side
    full_at: float | None = None  # relative signals: absolute value the peak must also reach
    min_dwell_s: float | None = _Sec
    min_rep_s: float | None = _Sec
    max_rep_s: float | None = _Sec


class ViewCountPatch(_Patch):
    signal: str | None = None  # needed when the view counts another signal than [count] (another unit)
    rest: float | None = Field(default=None, ge=0.0)
    enter: float | None = Field(default=None, gt=0.0)
    full: float | None = Field(default=None, gt=0.0)
    full_min: float | None = Field(default=None, gt=0.0)


class RulePatch(_Patch):
    signal: str | None = None  # the signal this limit is written for: checked, and picks one of several rules
    limit: float | None = None
    min_duration_s: float | None = _Sec
    enabled: bool = True  # false: this patient is not checked for this fault


class HoldPatch(_Patch):
    target_s: float | None = Field(default=None, gt=0.0, le=600.0)
    min_hold_s: float | None = _Sec
    grace_s: float | None = _Sec
    still_max: float | None = Field(default=None, gt=0.0, le=5.0)


class ExercisePatch(_Patch):
    target: int | None = Field(default=None, ge=1, le=TARGET_MAX)
    settle_s: float | None = _Sec
    count: CountPatch | None = None
    count_views: dict[Literal["side", "front", "oblique"], ViewCountPatch] = {}
    # rule id -> RulePatch fields, or (when several rules share the id with different signals)
    # signal -> RulePatch fields; checked against the exercise in apply_profile
    rules: dict[str, dict[str, Any]] = {}
    hold: HoldPatch | None = None


class Profile(_Patch):
    name: str | None = None  # who or what this profile is for (no personal data needed)
    note: str | None = None
    exercises: dict[str, ExercisePatch] = {}
    path: str = "<profile>"  # set by load_profile, for error messages


def parse_profile(data: dict[str, Any], path: Path, folder: Path | None = None) -> Profile:
    """Validate a profile's structure, then check it against each exercise it names."""
    problems = []
    if "path" in data:
        problems.append(f"{path}: path: unknown key; allowed: {', '.join(allowed_keys(Profile, ('x',)))}")
    exercises = data.get("exercises", {})
    if isinstance(exercises, dict):
        for ex_id in exercises:
            if ex_id not in EXERCISE_IDS:
                problems.append(f"{path}: exercises.{ex_id}: unknown exercise; allowed: {', '.join(EXERCISE_IDS)}")
    if problems:
        raise ProfileError("\n".join(problems))
    try:
        profile = Profile.model_validate({**data, "path": str(path)})
    except ValidationError as err:
        raise ProfileError(format_validation_error(path, err, Profile)) from None
    for ex_id in profile.exercises:
        try:
            spec = load_exercise(ex_id, folder)
        except SpecError as exc:
            problems.append(f"{path}: exercises.{ex_id}: cannot check against the exercise file: {exc}")
            continue
        try:
            apply_profile(spec, profile)
        except ProfileError as exc:
            problems.append(str(exc))
    if problems:
        raise ProfileError("\n".join(problems))
    return profile


def load_profile(path: str | os.PathLike, folder: Path | None = None) -> Profile:
    """Read and fully check a profile TOML (``folder``: where the exercise files are)."""
    path = Path(path)
    try:
        data = read_toml(path)
    except SpecError as exc:
        raise ProfileError(str(exc).replace(": file not found", ": profile not found")) from None
    return parse_profile(data, path, folder)


def _set(d: dict[str, Any], patch: BaseModel | None, skip: tuple[str, ...] = ()) -> list[str]:
    if patch is None:
        return []
    changed = []
    for k, v in patch.model_dump(exclude_none=True).items():
        if k not in skip:
            d[k] = v
            changed.append(k)
    return changed


def apply_profile(spec: ExerciseSpec, profile: Profile) -> tuple[ExerciseSpec, int | None]:
    """The exercise with this patient's overrides, and the profile's target (None: not set).

    A count threshold set in ``count`` also replaces the same threshold in a per-view override
    that counts the same signal (else the view's value would silently win); a view counting a
    different signal keeps its own values unless the profile sets ``count_views.<view>``.
    """
    patch = profile.exercises.get(spec.id)
    if patch is None:
        return spec, None
    where = f"{profile.path}: exercises.{spec.id}"
    data = spec.model_dump()
    _set(data, patch, skip=("count", "count_views", "rules", "hold"))
    if patch.count is not None:
        if data["count"] is None:
            raise ProfileError(f"{where}.count: {spec.id} is a hold exercise and has no [count]; use [hold]")
        if patch.count.signal is not None and patch.count.signal != data["count"]["signal"]:
            raise ProfileError(f"{where}.count.signal: {spec.id} counts {data['count']['signal']}, not "
                               f"{patch.count.signal}; thresholds written for another signal would be in the wrong unit")
        changed = _set(data["count"], patch.count, skip=("signal",))
        c = data["count"]
        if "full" in changed and "full_min" not in changed and c.get("full_min") is not None and c["full_min"] > c["full"]:
            c["full_min"] = c["full"]  # the patient's own full, lower than the file's minimum: theirs wins
        for view, ov in data["count_views"].items():
            if ov.get("signal") in (None, data["count"]["signal"]):
                for k in changed:
                    if k in ov:
                        ov[k] = None
    for view, vp in patch.count_views.items():
        if data["count"] is None:
            raise ProfileError(f"{where}.count_views: {spec.id} is a hold exercise and has no [count]")
        counts = spec.count_for(view).signal
        if vp.signal != counts and (vp.signal is not None or counts != data["count"]["signal"]):
            unit = SIGNALS[counts].unit
            raise ProfileError(f"{where}.count_views.{view}: {spec.id} counts {counts} ({unit}) from the {view}"
                               + (f", not {vp.signal}" if vp.signal else f", not {data['count']['signal']} as in [count]")
                               + f"; write the numbers for it and say so: signal = \"{counts}\"")
        _set(data["count_views"].setdefault(view, {}), vp, skip=("signal",))
    if patch.hold is not None:
        if data["hold"] is None:
            raise ProfileError(f"{where}.hold: {spec.id} is a repetition exercise and has no [hold]; use [count]")
        _set(data["hold"], patch.hold)
    data["rules"] = _patch_rules(data["rules"], patch.rules, where)
    try:  # (this checks each view's count too, merged with [count])
        new = ExerciseSpec.model_validate(data)
    except ValidationError as err:
        raise ProfileError(_broken(where, err, data)) from None
    return new, patch.target


def _rule_key(rule: dict[str, Any]) -> str:
    return rule.get("signal") or rule.get("phase") or rule["kind"]


def _rule_patch(raw: Any, where: str, alternatives: list[str]) -> RulePatch:
    if not isinstance(raw, dict):
        raise ProfileError(f"{where}: must be a table such as {{ limit = 30 }} (got {raw!r})")
    try:
        return RulePatch.model_validate(raw)
    except ValidationError as err:
        lines = []
        for e in err.errors():
            loc = ".".join(str(p) for p in e["loc"])
            if e["type"] == "extra_forbidden":
                allowed = ", ".join(RulePatch.model_fields)
                if alternatives:
                    allowed += f"; or one table per rule sharing this id: {', '.join(alternatives)}"
                lines.append(f"{where}.{loc}: unknown key; allowed: {allowed}")
            else:
                lines.append(f"{where}.{loc}: {e['msg']} (got {e.get('input')!r})")
        raise ProfileError("\n".join(lines)) from None


def _patch_rules(rules: list[dict[str, Any]], patches: dict[str, dict[str, Any]], where: str) -> list[dict[str, Any]]:
    """Apply rule patches by rule id; several rules sharing an id are told apart by their signal
    (or phase), e.g. ``rules.back_rounded.trunk_lean = { limit = 60 }``."""
    ids = list(dict.fromkeys(r["id"] for r in rules))
    chosen: dict[tuple[str, str], RulePatch] = {}
    problems = []
    for rid, raw in patches.items():
        if rid not in ids:
            problems.append(f"{where}.rules.{rid}: unknown rule id; allowed: {', '.join(ids) or '(this exercise has no rules)'}")
            continue
        keys = list(dict.fromkeys(_rule_key(r) for r in rules if r["id"] == rid))
        alternatives = keys if len(keys) > 1 else []
        try:
            per_key = (isinstance(raw, dict) and bool(raw)
                       and all(isinstance(v, dict) for v in raw.values()) and not set(raw) & set(RulePatch.model_fields))
            if per_key:
                for k, sub in raw.items():
                    if k not in keys:
                        raise ProfileError(f"{where}.rules.{rid}.{k}: unknown key; the rules with id {rid} are told "
                                           f"apart by signal: {', '.join(keys)}")
                    chosen[(rid, k)] = _rule_patch(sub, f"{where}.rules.{rid}.{k}", [])
                    if chosen[(rid, k)].signal not in (None, k):
                        raise ProfileError(f"{where}.rules.{rid}.{k}.signal: must be {k!r} here")
                continue
            rp = _rule_patch(raw, f"{where}.rules.{rid}", alternatives)
            if rp.signal is not None:
                if rp.signal not in keys:
                    raise ProfileError(f"{where}.rules.{rid}.signal: the exercise's {rid} rule checks {', '.join(keys)}, "
                                       f"not {rp.signal}; a limit written for another signal would be in the wrong unit")
                keys = [rp.signal]
            if rp.limit is not None and len(keys) > 1:
                raise ProfileError(f"{where}.rules.{rid}.limit: {len(keys)} rules share this id with different signals "
                                   f"({', '.join(keys)}): set each under rules.{rid}.<signal>")
            for k in keys:
                chosen[(rid, k)] = rp
        except ProfileError as exc:
            problems.append(str(exc))
    if problems:
        raise ProfileError("\n".join(problems))
    out = []
    for r in rules:
        rp = chosen.get((r["id"], _rule_key(r)))
        if rp is not None:
            if not rp.enabled:
                continue
            _set(r, rp, skip=("enabled", "signal"))
        out.append(r)
    return out


def _broken(where: str, err: ValidationError, data: dict[str, Any]) -> str:
    """The profile's changes made the exercise invalid: one line per problem, a rule named by its
    id as the profile names it (``rules.too_fast``), not by its place in the exercise file."""
    lines = []
    for e in err.errors():
        parts = [str(p) for p in e["loc"]]
        if len(parts) >= 2 and parts[0] == "rules" and parts[1].isdigit() and int(parts[1]) < len(data["rules"]):
            parts[1] = str(data["rules"][int(parts[1])].get("id", parts[1]))
        loc = ".".join(parts)
        msg = e["msg"].removeprefix("Value error, ")
        lines.append(f"{where}{'.' + loc if loc else ''}: not allowed with this profile: {msg}")
    return "\n".join(lines)


def profile_info(profile: Profile) -> dict[str, str | None]:
    """What a report says of the patient profile used: its name and file."""
    return {"name": profile.name, "path": str(Path(profile.path).resolve())}
