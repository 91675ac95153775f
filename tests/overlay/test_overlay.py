"""Tests for the overlay: it draws in place, at every frame size, and renders Danish text."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from formcheck.core.pose import N_LANDMARKS, SKELETON, Landmark, Pose
from formcheck.core.results import Cue, FrameResult, Status
from formcheck.overlay import HIGHLIGHT_COLOUR, Overlay, SessionSummary
from formcheck.overlay.text import TextRenderer as _TextRenderer

SIZES = [(320, 240), (1280, 720), (1920, 1080), (720, 1280)]  # (width, height)
BACKENDS = ["pil"] + (["cv2"] if hasattr(cv2, "FontFace") else [])

# A person standing in the middle of the frame (normalised x, y).
STICK = {
    Landmark.NOSE: (0.50, 0.20),
    Landmark.LEFT_SHOULDER: (0.57, 0.30), Landmark.RIGHT_SHOULDER: (0.43, 0.30),
    Landmark.LEFT_ELBOW: (0.60, 0.42), Landmark.RIGHT_ELBOW: (0.40, 0.42),
    Landmark.LEFT_WRIST: (0.61, 0.53), Landmark.RIGHT_WRIST: (0.39, 0.53),
    Landmark.LEFT_HIP: (0.55, 0.55), Landmark.RIGHT_HIP: (0.45, 0.55),
    Landmark.LEFT_KNEE: (0.555, 0.70), Landmark.RIGHT_KNEE: (0.445, 0.70),
    Landmark.LEFT_ANKLE: (0.56, 0.82), Landmark.RIGHT_ANKLE: (0.44, 0.82),
    Landmark.LEFT_HEEL: (0.555, 0.84), Landmark.RIGHT_HEEL: (0.445, 0.84),
    Landmark.LEFT_FOOT_INDEX: (0.58, 0.845), Landmark.RIGHT_FOOT_INDEX: (0.42, 0.845),
}
KNEE_CUE = Cue("knees_in", "Skub knæene ud", "Push your knees out", 2,
               ((Landmark.LEFT_HIP, Landmark.LEFT_KNEE),))
PLAIN_CUE = Cue("knees_in", "Skub knæene ud", "Push your knees out", 2)


def make_pose(w: int, h: int, visibility: float = 1.0) -> Pose:
    xy = np.full((N_LANDMARKS, 2), 0.5)
    for lm, p in STICK.items():
        xy[lm] = p
    return Pose(xy, np.full(N_LANDMARKS, visibility), np.zeros((N_LANDMARKS, 3)), 0.0, (w, h))


def grey(w: int, h: int, value: int = 110) -> np.ndarray:
    return np.full((h, w, 3), value, np.uint8)


def result(w: int, h: int, **kw: object) -> FrameResult:
    args: dict[str, object] = dict(t_ms=0.0, pose=make_pose(w, h), status=Status.MOVING, reps=7, target=15,
                                   cue=None, progress=0.4)
    args.update(kw)
    return FrameResult(**args)  # type: ignore[arg-type]


def px(w: int, h: int, lm: Landmark) -> tuple[int, int]:
    x, y = STICK[lm]
    return round(x * w), round(y * h)


def changed(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.any(a != b, axis=2)


def bright_rows(img: np.ndarray, region: tuple[slice, slice], level: int = 245) -> int:
    """Height in rows of the near-white ink inside ``region`` (0 when none)."""
    white = np.all(img[region] >= level, axis=2)
    rows = np.nonzero(white.any(axis=1))[0]
    return int(rows[-1] - rows[0] + 1) if rows.size else 0


@pytest.mark.parametrize("w,h", SIZES)
def test_annotate_draws_in_place_and_returns_none(w: int, h: int) -> None:
    img = grey(w, h)
    before = img.copy()
    ret = Overlay("Squat").annotate(img, result(w, h, cue=KNEE_CUE))
    assert ret is None
    assert changed(img, before).mean() > 0.01
    for lm in (Landmark.LEFT_KNEE, Landmark.RIGHT_HIP, Landmark.LEFT_ELBOW):
        x, y = px(w, h, lm)
        r = max(2, h // 100)
        near = (slice(y - r, y + r + 1), slice(x - r, x + r + 1))
        assert changed(img[near], before[near]).any(), lm


@pytest.mark.parametrize("w,h", SIZES)
def test_skeleton_is_drawn_only_where_the_pose_is(w: int, h: int) -> None:
    ov = Overlay("Squat")
    with_pose, without = grey(w, h), grey(w, h)
    ov.annotate(with_pose, result(w, h))
    ov.annotate(without, result(w, h, pose=None))
    x, y = px(w, h, Landmark.LEFT_KNEE)
    assert changed(with_pose, without)[y, x]
    # far from the body and from the panels nothing is drawn
    assert not changed(with_pose, without)[h // 2, w - max(3, w // 50)]


@pytest.mark.parametrize("w,h", SIZES)
def test_cue_segments_are_highlighted(w: int, h: int) -> None:
    ov = Overlay("Squat")
    hi, plain = grey(w, h), grey(w, h)
    ov.annotate(hi, result(w, h, cue=KNEE_CUE))
    ov.annotate(plain, result(w, h, cue=PLAIN_CUE))
    (x0, y0), (x1, y1) = px(w, h, Landmark.LEFT_HIP), px(w, h, Landmark.LEFT_KNEE)
    differs = 0
    for f in (0.3, 0.5, 0.7):
        x, y = round(x0 + f * (x1 - x0)), round(y0 + f * (y1 - y0))
        assert np.array_equal(hi[y, x], np.array(HIGHLIGHT_COLOUR, np.uint8)), (f, hi[y, x])
        differs += int(not np.array_equal(hi[y, x], plain[y, x]))
    assert differs == 3
    # a segment the cue does not name is drawn the same either way
    (x0, y0), (x1, y1) = px(w, h, Landmark.RIGHT_HIP), px(w, h, Landmark.RIGHT_KNEE)
    x, y = (x0 + x1) // 2, (y0 + y1) // 2
    assert np.array_equal(hi[y, x], plain[y, x])


def test_low_visibility_joints_are_drawn_faint() -> None:
    w, h = 1280, 720
    ov = Overlay("Squat")
    seen, unsure = grey(w, h), grey(w, h)
    ov.annotate(seen, result(w, h))
    ov.annotate(unsure, result(w, h, pose=make_pose(w, h, visibility=0.3)))
    base = grey(w, h)
    body = (slice(round(0.25 * h), round(0.75 * h)), slice(round(0.35 * w), round(0.65 * w)))
    assert changed(unsure[body], base[body]).sum() < 0.5 * changed(seen[body], base[body]).sum()


@pytest.mark.parametrize("w,h", SIZES)
def test_no_person_without_pose(w: int, h: int) -> None:
    ov = Overlay("Squat", lang="en")
    img = grey(w, h)
    before = img.copy()
    assert ov.annotate(img, result(w, h, pose=None, status=Status.NO_PERSON, progress=None)) is None
    centre = (slice(h // 2 - h // 20, h // 2 + h // 20), slice(w // 4, 3 * w // 4))
    assert changed(img[centre], before[centre]).any()
    assert bright_rows(img, centre) > 0  # white message text in the middle


@pytest.mark.parametrize("w,h", SIZES)
def test_count_is_big_and_cue_is_large(w: int, h: int) -> None:
    img = grey(w, h, 90)
    # (no pose: the cue's place does not depend on where the body is; see test_the_cue_goes_where_...)
    Overlay("Squat").annotate(img, result(w, h, pose=None, reps=8, target=None, cue=PLAIN_CUE, progress=None))
    top_left = (slice(0, h // 3), slice(0, w // 2 + w // 5))
    bottom = (slice(h - h // 4, h), slice(0, w))
    need_count = 0.12 if w > h else 0.08  # portrait frames shrink to fit the width
    assert bright_rows(img, top_left) >= need_count * h * 0.95  # the digit "8" (cap height)
    assert bright_rows(img, bottom) >= 0.04 * h  # the cue's cap height + descender-free letters


@pytest.mark.parametrize("w,h", SIZES)
def test_count_and_progress_change_the_count_panel(w: int, h: int) -> None:
    ov = Overlay("Squat")
    seven, eight, gauge, bar = grey(w, h), grey(w, h), grey(w, h), grey(w, h)
    ov.annotate(seven, result(w, h, pose=None, reps=7, target=None, progress=None))
    ov.annotate(eight, result(w, h, pose=None, reps=8, target=None, progress=None))
    ov.annotate(gauge, result(w, h, pose=None, reps=7, target=None, progress=0.9))
    ov.annotate(bar, result(w, h, pose=None, reps=7, target=15, progress=None))
    top_left = (slice(0, h // 3), slice(0, w // 2 + w // 5))
    assert changed(seven[top_left], eight[top_left]).any()  # the number itself
    assert changed(seven[top_left], gauge[top_left]).any()  # range-of-motion gauge
    assert changed(seven[top_left], bar[top_left]).any()  # "/ 15" and the progress bar


@pytest.mark.parametrize("w,h", SIZES)
def test_status_messages(w: int, h: int) -> None:
    ov = Overlay("Squat")
    ready, positioning, with_cue = grey(w, h), grey(w, h), grey(w, h)
    ov.annotate(ready, result(w, h, pose=None, status=Status.READY))
    ov.annotate(positioning, result(w, h, pose=None, status=Status.POSITIONING))
    ov.annotate(with_cue, result(w, h, pose=None, status=Status.POSITIONING, cue=PLAIN_CUE))
    bottom = (slice(h - h // 5, h), slice(0, w))
    assert bright_rows(ready, bottom) == 0
    assert bright_rows(positioning, bottom) > 0
    assert changed(positioning[bottom], with_cue[bottom]).any()  # the cue replaces the positioning text


@pytest.mark.parametrize("w,h", SIZES)
def test_hold_timer_and_paused_indicator(w: int, h: int) -> None:
    ov = Overlay("Lægstræk", kind="hold")
    kw = dict(reps=0, target=None, progress=None, side="L", hold_s=12.4, hold_target_s=20.0, holds_done=1)
    holding, paused, later = grey(w, h), grey(w, h), grey(w, h)
    ov.annotate(holding, result(w, h, status=Status.HOLDING, **kw))
    ov.annotate(paused, result(w, h, status=Status.HOLD_PAUSED, **kw))
    ov.annotate(later, result(w, h, status=Status.HOLDING, **{**kw, "hold_s": 13.1}))
    no_target = {**kw, "hold_target_s": None}
    twelve, thirteen = grey(w, h), grey(w, h)
    ov.annotate(twelve, result(w, h, status=Status.HOLDING, **no_target))
    ov.annotate(thirteen, result(w, h, status=Status.HOLDING, **{**no_target, "hold_s": 13.1}))
    top_left = (slice(0, h // 3), slice(0, w // 2 + w // 5))
    assert changed(holding[top_left], paused[top_left]).any()
    assert changed(holding[top_left], later[top_left]).any()
    assert changed(twelve[top_left], thirteen[top_left]).any()  # the seconds themselves
    assert not changed(holding[h // 2:], paused[h // 2:]).any()  # nothing else differs


@pytest.mark.parametrize("backend", BACKENDS)
def test_danish_letters_render(backend: str) -> None:
    text = _TextRenderer(backend)
    masks = {s: text.mask(s, 40) for s in ("Bækkenløft", "Baekkenloft", "B?kkenl?ft", "Bkkenlft")}
    assert masks["Bækkenløft"].any()
    for other in ("Baekkenloft", "B?kkenl?ft", "Bkkenlft"):
        a, b = masks["Bækkenløft"], masks[other]
        if a.shape == b.shape:
            assert not np.array_equal(a, b), other
    question = text.mask("?", 40, True)
    for ch, plain in (("æ", "a"), ("ø", "o"), ("å", "a"), ("Æ", "A"), ("Ø", "O"), ("Å", "A")):
        glyph = text.mask(ch, 40, True)
        assert glyph.max() > 200, ch
        for other in (text.mask(plain, 40, True), question):
            assert glyph.shape != other.shape or not np.array_equal(glyph, other), ch


@pytest.mark.parametrize("backend", BACKENDS)
def test_danish_message_differs_from_ascii(backend: str) -> None:
    ov = Overlay("Bækkenløft", text_backend=backend)
    a, b = grey(1280, 720), grey(1280, 720)
    ov.draw_message(a, "Bækkenløft")
    ov.draw_message(b, "Baekkenloft")
    assert changed(a, b).any()


@pytest.mark.parametrize("w,h", SIZES)
def test_draw_message(w: int, h: int) -> None:
    img = grey(w, h)
    before = img.copy()
    long = "Hvil dig, og kontakt din fysioterapeut, hvis smerterne ikke går over. " * 3
    ret = Overlay("Squat").draw_message(img, "Stop øvelsen", ["Du har meldt om smerter.", long])
    assert ret is None
    assert changed(img, before).mean() > 0.05
    assert bright_rows(img, (slice(0, h), slice(0, w))) > 0.1 * h


@pytest.mark.parametrize("w,h", SIZES)
@pytest.mark.parametrize("seconds", [3.0, 2.4, 0.5, 0.0, -1.0])
def test_draw_countdown(w: int, h: int, seconds: float) -> None:
    img = grey(w, h)
    before = img.copy()
    assert Overlay("Squat").draw_countdown(img, seconds, "Stil dig med fødderne i hoftebredde") is None
    centre = (slice(h // 3, 2 * h // 3), slice(w // 3, 2 * w // 3))
    assert changed(img[centre], before[centre]).mean() > 0.1
    assert bright_rows(img, (slice(h - h // 5, h), slice(0, w))) > 0  # the hint


def test_countdown_number_changes_each_second() -> None:
    ov = Overlay("Squat")
    a, b, c = grey(1280, 720), grey(1280, 720), grey(1280, 720)
    ov.draw_countdown(a, 2.9)
    ov.draw_countdown(b, 2.1)  # same number, ring less full
    ov.draw_countdown(c, 1.9)
    assert changed(a, b).any() and changed(b, c).any()


SUMMARIES = [
    SessionSummary("Squat", 12, 15, 2, [], "Skub knæene ud over tæerne"),
    SessionSummary("Squat", 0, None, 0, [], None, pain_stopped=True),
    SessionSummary("Lægstræk", 0, None, 0, [("L", 20.0, 20.0), ("R", 14.2, 20.0)], None),
    SessionSummary("Lægstræk", 0, None, 0, [(None, 19.6, 20.0)] * 8, "Hold bagerste knæ strakt"),
]


@pytest.mark.parametrize("w,h", SIZES)
@pytest.mark.parametrize("i", range(len(SUMMARIES)))
def test_draw_summary(w: int, h: int, i: int) -> None:
    summary = SUMMARIES[i]
    ov = Overlay(summary.exercise_name, kind="hold" if summary.holds else "reps")
    img = grey(w, h)
    before = img.copy()
    assert ov.draw_summary(img, summary) is None
    assert changed(img, before).mean() > 0.05
    assert bright_rows(img, (slice(0, h), slice(0, w))) > 0.1 * h


def test_summary_shows_the_numbers() -> None:
    ov = Overlay("Squat")
    a, b = grey(1280, 720), grey(1280, 720)
    ov.draw_summary(a, SessionSummary("Squat", 12, 15, 0, [], None))
    ov.draw_summary(b, SessionSummary("Squat", 13, 15, 0, [], None))
    assert changed(a, b).any()


def test_non_contiguous_view_is_drawn_in_place() -> None:
    base = grey(1280, 720)
    mirrored = base[:, ::-1]  # a webcam mirror is a view
    Overlay("Squat").annotate(mirrored, result(1280, 720, cue=KNEE_CUE))
    assert changed(base, grey(1280, 720)).any()


@pytest.mark.parametrize("bad", [np.zeros((72, 128), np.uint8), np.zeros((72, 128, 3), np.float32),
                                 np.zeros((72, 128, 4), np.uint8)])
def test_rejects_non_rgb_images(bad: np.ndarray) -> None:
    with pytest.raises(ValueError):
        Overlay("Squat").annotate(bad, result(128, 72))


def test_rejects_read_only_images() -> None:
    img = grey(128, 72)
    img.setflags(write=False)
    with pytest.raises(ValueError):
        Overlay("Squat").annotate(img, result(128, 72))


def test_rejects_unknown_kind() -> None:
    with pytest.raises(ValueError):
        Overlay("Squat", kind="time")


def test_long_cue_is_wrapped_into_two_lines() -> None:
    ov = Overlay("Squat")
    long = "Hold ryggen lige og lad være med at svaje i lænden, træk navlen ind mod rygsøjlen " * 2
    lines, size = ov._text.fit(long, 47, True, 600, 2)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert all(ov._text.width(line, size, True) <= 600 for line in lines)
    short_lines, short_size = ov._text.fit("Skub knæene ud", 47, True, 600, 2)
    assert short_lines == ("Skub knæene ud",) and short_size == 47


def test_english_and_danish_differ() -> None:
    da, en = grey(1280, 720), grey(1280, 720)
    Overlay("Squat", lang="da").annotate(da, result(1280, 720, cue=PLAIN_CUE))
    Overlay("Squat", lang="en").annotate(en, result(1280, 720, cue=PLAIN_CUE))
    assert changed(da, en).any()


def test_landmarks_far_outside_the_image_do_not_break_drawing() -> None:
    pose = make_pose(640, 480)
    xy = pose.xy.copy()
    xy[Landmark.LEFT_WRIST] = (1e9, -1e9)
    xy[Landmark.RIGHT_WRIST] = (np.nan, np.nan)
    odd = Pose(xy, pose.visibility, pose.world, 0.0, (640, 480))
    Overlay("Squat").annotate(grey(640, 480), result(640, 480, pose=odd))


def test_skeleton_covers_all_segments() -> None:
    w, h = 1280, 720
    img = grey(w, h)
    Overlay("Squat").annotate(img, result(w, h, pose=make_pose(w, h), progress=None))
    base = grey(w, h)
    for a, b in SKELETON:
        (x0, y0), (x1, y1) = px(w, h, a), px(w, h, b)
        x, y = (x0 + x1) // 2, (y0 + y1) // 2
        assert changed(img, base)[y, x], (a, b)


# Shown whatever the exercise's posture: a patient lying for a bridge must not be told to stand.
POSTURE_NEUTRAL_STRINGS = ("no_person", "no_person_hint", "positioning")
POSTURE_NEUTRAL_GUIDES = ("step_into_view", "get_ready", "not_still", "get_in_position", "hold_done", "other_side")
STANDING_WORDS = {"da": ("stil dig", "stå ", "stå,", "gå "), "en": ("stand", "step ")}


@pytest.mark.parametrize("lang", ["da", "en"])
def test_texts_shown_in_every_posture_do_not_say_stand(lang: str) -> None:
    from formcheck.engine.cues import GUIDE
    from formcheck.overlay.style import STRINGS

    texts = [STRINGS[lang][k] for k in POSTURE_NEUTRAL_STRINGS]
    texts += [GUIDE[k].text(lang) for k in POSTURE_NEUTRAL_GUIDES]
    for text in texts:
        low = text.lower() + " "
        assert not any(w in low for w in STANDING_WORDS[lang]), text


def _scaled(pose: Pose, k: float) -> Pose:
    """The same person ``k`` times as tall, their head where it was (standing further back)."""
    top = np.array([0.5, STICK[Landmark.NOSE][1]])
    return Pose(top + (pose.xy - top) * k, pose.visibility, pose.world, pose.t_ms, pose.image_size)


@pytest.mark.parametrize("w,h", [(1280, 720), (640, 480)])
def test_the_cue_goes_where_it_hides_less_of_the_body(w: int, h: int) -> None:
    """With the feet low in the picture a cue at the bottom would hide them (a heel raise's
    heels): it goes to the top right, beside the count. With room below the feet it stays at the
    bottom. It stays where it was put while it is shown, so it does not jump about."""
    bottom = (slice(h - h // 5, h), slice(w // 3, 2 * w // 3))
    top_right = (slice(0, h // 5), slice(w // 2, w))
    low, high = _scaled(make_pose(w, h), 1.1), _scaled(make_pose(w, h), 0.6)  # feet at 0.91 and 0.58 of the height
    ov = Overlay("Squat", lang="en")
    img = grey(w, h, 90)
    ov.annotate(img, result(w, h, pose=low, cue=PLAIN_CUE))
    assert bright_rows(img, top_right) > 0.03 * h and bright_rows(img, bottom) == 0
    again = grey(w, h, 90)
    ov.annotate(again, result(w, h, pose=high, cue=PLAIN_CUE))  # the same cue, the person moved
    assert bright_rows(again, top_right) > 0.03 * h and bright_rows(again, bottom) == 0
    fresh = grey(w, h, 90)
    Overlay("Squat", lang="en").annotate(fresh, result(w, h, pose=high, cue=PLAIN_CUE))
    assert bright_rows(fresh, bottom) > 0.03 * h and bright_rows(fresh, top_right) == 0


@pytest.mark.parametrize("w,h", [(720, 1280), (480, 854), (1080, 1920)])
def test_in_a_portrait_frame_the_cue_stays_at_the_bottom(w: int, h: int) -> None:
    """Beside the count there is no room in a phone's portrait frame: the cue would shrink to
    an ellipsis over the count. It stays at the bottom, whole, even over the feet."""
    low = _scaled(make_pose(w, h), 1.1)
    img = grey(w, h, 90)
    ov = Overlay("Squat", lang="en")
    ov.annotate(img, result(w, h, pose=low, cue=PLAIN_CUE))
    assert ov._where == "bottom"
    assert bright_rows(img, (slice(h - h // 5, h), slice(0, w))) > 0.02 * h
    box = ov._paint.cue_box(h, w, PLAIN_CUE.text("en"), "bottom")
    assert not any(line.endswith("…") for line in box.lines)
