"""What a set report says in words: the metrics legend and the notes on how far its count can be
trusted (never started, paused long, filmed from the wrong view), read from a ``SetReport``."""

from __future__ import annotations

from formcheck.core.results import LOST_REASON, USER_PAUSE_REASON
from formcheck.sets.set_report import SetReport
from formcheck.signals import SIGNALS
from formcheck.spec.exercise import ExerciseSpec

# What each repetition's timing metrics mean, for a reader of report.json. The movement "away
# from the start" is the way down of a squat and the way up of a bridge or a heel raise.
TIMING_LEGEND = {
    "duration_s": "seconds, the whole repetition: from leaving the start position to being back in it "
                  "(at rest, or within the lowest fifth of the movement)",
    "descent_s": "seconds from leaving the start position to the furthest point of the movement "
                 "(the bottom of a squat; the top of a bridge, heel raise or curl-up)",
    "return_s": "seconds from leaving the furthest point to being back in the start position, or "
                "within the lowest fifth of the movement (standing up from a squat; lowering a bridge, "
                "the heels or the shoulders)",
}


def metrics_legend(spec: ExerciseSpec, report: SetReport) -> dict[str, str]:
    """Plain words and units for every metric key in the report's repetitions and partials:
    ``peak`` is the counted signal (from the camera view seen most), the rest are timings or the
    worst value of a form check's signal."""
    keys: list[str] = []
    for item in (*report.reps_detail, *report.partials):
        keys += [k for k in item.metrics if k not in keys]
    relative = {r.signal for r in spec.rules if r.signal and r.relative}
    count = spec.count_for(report.view) if spec.count is not None else None
    legend: dict[str, str] = {}
    for key in keys:
        if key == "peak" and count is not None:
            legend[key] = ("how far the counted movement went, at its furthest point: "
                           + _signal_words(count.signal, count.relative))
        elif key in TIMING_LEGEND:
            legend[key] = TIMING_LEGEND[key]
        elif key in SIGNALS:
            legend[key] = "the worst value during the repetition: " + _signal_words(key, key in relative)
    return legend


def _signal_words(name: str, relative: bool) -> str:
    sig = SIGNALS[name]
    start = ", as a change from the start position" if relative else ""
    return f"{sig.description} ({name}, in {sig.unit}{start})"


def never_started(report: SetReport) -> str | None:
    """A note when somebody was seen but counting never started: whatever they did was not
    counted (a clip cut mid-movement, or moving before the trainer was ready). A one-way count
    starts at the first moment in the start position; holds and two-way counts (toe-heel) wait
    until the person is still there for settle_s (engine/settle.py)."""
    if report.started_s is not None or not report.frames_with_pose:
        return None
    what = "hold timing" if report.kind == "hold" else "counting"
    count = report.config.get("count") or {}
    if report.kind != "hold" and not (count.get("relative") and count.get("mode") != "single"):
        if report.reps_detail:  # a repetition the video began in (engine/edges.py); cut_reps says which
            return ("counting never started: the person was never seen in the start position; the "
                    "movement the video began in was counted from what it shows")
        return f"{what} never started: the person was never seen in the start position, so nothing was counted"
    settle = report.config.get("settle_s")
    still = f" for {settle:g} s (settle_s)" if isinstance(settle, (int, float)) else ""
    return f"{what} never started: the person was never still in the start position{still}, so nothing was counted"


# A set shorter than this is too short to be sure of: a repetition takes 1-3 s from the start
# position and back (a brisk squat about 1 s), so a clip this short holds one at most, may have
# cut it, and leaves the engine no still start to measure from.
SHORT_NOTE_S = 3.0


def cut_reps(report: SetReport) -> str | None:
    """A note for the repetitions the video cut (Rep.cut, engine/edges.py): counted from the part
    of them it shows."""
    said = []
    for r in report.reps_detail:
        span = f"repetition {r.index} ({r.start_s:.2f}-{r.end_s:.2f} s)"
        if r.cut in ("start", "both"):
            # its frames came before counting started: no form check ran on them
            said.append(f"the video began during a repetition: {span} was counted from its way back to the "
                        "start (its form and tempo were not checked)")
        if r.cut == "end":
            said.append(f"the video ended during a repetition: {span} had reached its full range and was "
                        "well on its way back, and was counted (its tempo was not judged)")
        elif r.cut == "both":
            said.append(f"the video also ended before {span} was back at the start")
    return "; ".join(said) if said else None


def too_short(report: SetReport) -> str | None:
    """A note when the set (a replayed clip) is so short that its count cannot be relied on."""
    if not report.frames_with_pose or report.duration_s is None or report.duration_s >= SHORT_NOTE_S:
        return None
    what = "a hold" if report.kind == "hold" else "the count"
    return (f"the video is only {report.duration_s:.1f} s long: too short to be sure of {what} "
            "(a movement cut by its start or end is counted only when most of it is seen); film the whole set")


PAUSED_NOTE_MIN_S = 2.0  # counting paused at least this long in all ...
PAUSED_NOTE_SHARE = 0.1  # ... and for at least this share of the set: say the count may be low


def paused_long(report: SetReport, *, unseen_only: bool = False) -> float | None:
    """Seconds counting was paused in a set when that is a good part of it, else None. Pauses
    the patient asked for are left out; with ``unseen_only`` those for moving about too, leaving
    the camera not seeing the person well."""
    duration_s = report.duration_s or 0.0
    paused = sum(p.end_s - p.start_s for p in report.pauses
                 if p.reason != USER_PAUSE_REASON and p.end_s > p.start_s
                 and (not unseen_only or p.reason == LOST_REASON))
    if duration_s <= 0 or paused < PAUSED_NOTE_MIN_S or paused < PAUSED_NOTE_SHARE * duration_s:
        return None
    return paused


def paused_much(report: SetReport) -> str | None:
    """A note when counting was paused for a good part of the set: movements then were not
    counted, so the count may be lower than what was done."""
    paused = paused_long(report)
    if paused is None:
        return None
    return (f"counting was paused for {paused:.1f} s of {report.duration_s:.1f} s while the body was not seen "
            f"well, moved about or the pose jumped; {lost_to_pauses(report)} (check that the whole body is in view "
            "and nothing stands in front of it)")


def lost_to_pauses(report: SetReport) -> str:
    """What long pauses cost the set, in its kind's words (the note, the summary line, history)."""
    if report.kind == "hold":
        return "the hold timer stopped then, so the time held may be short"
    return "repetitions then were not counted, so the count may be low"


def wrong_view(report: SetReport) -> str | None:
    """A note when the set was filmed mostly from a view its exercise is not checked from."""
    view, asked = report.view, report.views_asked
    if not view or not asked or view in asked:
        return None
    return (f"filmed mostly {_from(view)}; this exercise is checked from the {' or '.join(asked)}: "
            "counts and form checks may be wrong")


def _from(view: str) -> str:
    """Where the camera stood, in words: "from the side", "from behind"."""
    return "from behind" if view == "back" else f"from the {view}"


def skipped_checks(spec: ExerciseSpec, report: SetReport) -> str | None:
    """A note naming the form checks not made because the set was filmed from a view they cannot
    be judged from (heel raise from the front: the hips' forward sway), so a physiotherapist
    reading "no faults" knows what was not looked at. None when the view is one the exercise
    is not checked from at all (wrong_view's note says so)."""
    view, asked = report.view, report.views_asked
    if not view or (asked and view not in asked):
        return None
    seen_as = "front" if view == "back" else view  # from behind the front view's checks apply
    skipped = {r.id: r.views for r in spec.rules if seen_as not in r.views}
    if not skipped:
        return None
    parts = [f"{rid} (seen from the {' or '.join(views)})" for rid, views in skipped.items()]
    return f"filmed mostly {_from(view)}: these form checks cannot be made from there and were skipped: {', '.join(parts)}"


def sides_not_judged(spec: ExerciseSpec, report: SetReport) -> str | None:
    """A note when some repetitions' side was not judged (Count.side_max: lifted too high for the
    side signal to tell a turn of the trunk from the lift itself), so the alternation of sides
    was not checked on them."""
    count = spec.count_for(report.view) if spec.count is not None else None
    if count is None or count.side_max is None:
        return None
    unjudged = [r.index for r in report.reps_detail if r.side is None]
    if not unjudged:
        return None
    return (f"which side lifted was not judged on {len(unjudged)} of {len(report.reps_detail)} repetitions "
            f"(lifted more than {count.side_max:g} {SIGNALS[count.signal].unit} of {count.signal}, the limit from "
            f"this view: the camera cannot tell a turn of the "
            f"trunk from so high a lift), so alternating sides was not checked on them")


def adapted_note(report: SetReport) -> str | None:
    """A note naming the count thresholds placed inside the patient's own range (engine/adapt.py):
    a physiotherapist reading the count knows what depth it asked for."""
    if not report.adapted:
        return None
    parts = [f"{a.threshold} of {a.signal} from {a.file_value:g} to {a.value:g} (from {a.t_s:.1f} s, "
             f"{a.peaks} repetitions' peaks; never below {a.bound:g})" for a in report.adapted]
    return "the count was fitted to the patient's own range of movement: " + "; ".join(parts)


def count_doubt(report: SetReport) -> str | None:
    """A note when the periodicity check saw clearly more or fewer movements than were counted."""
    c = report.count_check
    if c is None or not c.disagrees:
        return None
    return (f"the movement of {c.signal} shows {c.seen} repetitions but {c.counted} were counted: the count may be "
            "wrong (check the video; a view the exercise is not filmed from, or a body partly hidden, can cause this)")
