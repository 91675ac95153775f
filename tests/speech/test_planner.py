"""The planner: scripted frame results in, phrases and their moments out."""

from __future__ import annotations

from factories import script, squat_keys

from formcheck.core.results import Cue, FrameResult, Hold, Rep, Status
from formcheck.engine.analyzer import Analyzer
from formcheck.spec.exercise import load_exercise
from formcheck.speech.phrases import number, set_end
from formcheck.speech.planner import CUE_REPEAT_S, SetLines, SpeechPlanner
from formcheck.speech.schedule import COUNT_LATE_S, Kind

KNEES = Cue("knees_in", "Skub knæene ud", "Push your knees out", 2)


def _rep(i: int, t: float) -> Rep:
    return Rep(i, t - 2, t, t - 1, None, {}, ())


def _r(t_s: float, status: Status = Status.READY, reps: int = 0, **kw) -> FrameResult:
    return FrameResult(t_s * 1000, None, status, reps, 10, kw.pop("cue", None), **kw)


def test_counts_are_said_as_words_at_the_frame_of_each_repetition():
    p = SpeechPlanner(SetLines("Knæbøjning", "reps", 10, "da"))
    said = []
    for i in range(300):
        t = i / 30
        reps = int(t // 3)
        new = _rep(reps, t) if reps and int((t - 1 / 30) // 3) < reps else None
        said += p.frame(_r(t, Status.MOVING, reps, new_rep=new))
    assert [u.text for u in said] == ["en", "to", "tre"]
    assert [round(u.t_s, 2) for u in said] == [3.0, 6.0, 9.0]
    assert all(u.kind is Kind.COUNT and u.late_s == COUNT_LATE_S for u in said)


def test_a_cue_is_said_once_while_it_lasts_then_again_after_the_repeat_time():
    p = SpeechPlanner(SetLines("Squat", lang="en"))
    said = [u for i in range(int(30 * (CUE_REPEAT_S + 2))) for u in p.frame(_r(i / 30, cue=KNEES))]
    assert [u.text for u in said] == ["Push your knees out"] * 2
    assert said[1].t_s - said[0].t_s >= CUE_REPEAT_S
    assert p.current == {"knees_in"}
    p.frame(_r(20.0))
    assert p.current == frozenset()  # gone: a waiting "knees out" is stale now


def test_an_edited_cue_text_is_what_is_said():
    edited = Cue("knees_in", "Pres knæene udad, langsomt", "x", 2)
    said = SpeechPlanner(SetLines("Squat")).frame(_r(1.0, cue=edited))
    assert [u.text for u in said] == ["Pres knæene udad, langsomt"]


def test_a_hold_is_started_counted_down_and_ended():
    p = SpeechPlanner(SetLines("Bækkenbundsspænding", "hold", 2, "da"))
    said = []
    for i in range(30 * 14):
        t = i / 30
        held = t - 1.0
        if held < 0:
            said += p.frame(_r(t, Status.HOLD_PAUSED))
        elif held < 10.0:
            said += p.frame(_r(t, Status.HOLDING, hold_s=held, hold_target_s=10.0))
        elif held < 10.0 + 1 / 30:
            said += p.frame(_r(t, Status.HOLD_PAUSED, hold_s=0.0, hold_target_s=10.0, holds_done=1,
                               new_hold=Hold(None, 1.0, t, 10.0, 10.0, ())))
        else:
            said += p.frame(_r(t, Status.HOLD_PAUSED, holds_done=1))
    assert [u.text for u in said] == ["Hold", "fem", "fire", "tre", "to", "en", "Slap af"]
    times = [u.t_s for u in said]
    assert abs(times[0] - 1.0) < 0.04 and abs(times[1] - 6.0) < 0.04 and abs(times[5] - 10.0) < 0.04
    assert abs(times[6] - 11.0) < 0.04


def test_a_hold_resumed_after_a_pause_is_not_started_again():
    p = SpeechPlanner(SetLines("x", "hold", 1, "en"))
    said = p.frame(_r(0.0, Status.HOLDING, hold_s=0.0, hold_target_s=30.0))
    said += p.frame(_r(3.0, Status.HOLD_PAUSED, hold_s=3.0, hold_target_s=30.0))
    said += p.frame(_r(5.0, Status.HOLDING, hold_s=3.0, hold_target_s=30.0))
    assert [u.text for u in said] == ["Hold"]


def test_while_getting_into_position_only_guidance_is_said():
    p = SpeechPlanner(SetLines("Squat", lang="en"))
    guide = Cue("get_ready", "Find startstillingen", "Get into the start position", 1)
    said = p.frame(_r(1.0, Status.POSITIONING, 1, new_rep=_rep(1, 1.0), cue=guide), counting=False)
    assert [u.text for u in said] == ["Get into the start position"]


def test_the_end_says_the_count_against_the_target_and_praises_only_a_reached_target():
    assert set_end(10, 10, "reps", "da").startswith("Målet er nået")
    assert "4 af 10" in set_end(4, 10, "reps", "da") and "Godt" not in set_end(4, 10, "reps", "da")
    assert "hold" in set_end(1, 2, "hold", "en")
    assert "Nothing" in set_end(0, 10, "reps", "en")
    p = SpeechPlanner(SetLines("Squat", "reps", 10, "en"))
    (pain,) = p.pain(5.0, ["Stop.", "Call the clinic."])
    assert pain.kind is Kind.PAIN and pain.text == "Stop. Call the clinic."


def test_numbers_are_danish_or_english_words():
    assert [number(n, "da") for n in (1, 2, 3, 15)] == ["en", "to", "tre", "femten"]
    assert [number(n, "en") for n in (1, 20, 21)] == ["one", "twenty", "21"]


def test_the_real_analyzer_counts_are_said_in_order_on_their_frames():
    spec = load_exercise("squat")
    analyzer = Analyzer(spec, 10)
    keys, _ = squat_keys(3)
    results = [analyzer.update(t_ms, pose) for t_ms, pose in script(keys, fps=30)]
    p = SpeechPlanner(SetLines("Squat", "reps", 10, "en"))
    counts = [u for r in results for u in p.frame(r) if u.kind is Kind.COUNT]
    reps = [r for r in results if r.new_rep is not None]
    assert len(reps) == 3
    assert [u.text for u in counts] == ["one", "two", "three"]
    assert [u.t_s for u in counts] == [r.t_ms / 1000 for r in reps]
