"""Following the coached person among everyone the pose model finds (no model needed)."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.media.follow import FORGET_S, RADIUS, SIZE_RATIO, Follower, outline


def landmarks(cx: float, cy: float, w: float, h: float) -> tuple[np.ndarray, np.ndarray]:
    """33 landmarks spread over a w x h box centred at (cx, cy), all well seen."""
    rng = np.random.default_rng(0)
    xy = np.column_stack([rng.uniform(cx - w / 2, cx + w / 2, 33), rng.uniform(cy - h / 2, cy + h / 2, 33)])
    xy[0], xy[1] = (cx - w / 2, cy - h / 2), (cx + w / 2, cy + h / 2)  # the box's corners exactly
    return xy, np.ones(33)


def person(cx: float, cy: float, w: float, h: float):
    """The outline of such a person, as the estimator hands it to the follower."""
    return outline(*landmarks(cx, cy, w, h))


PATIENT = person(0.5, 0.55, 0.2, 0.8)
BYSTANDER = person(0.9, 0.5, 0.05, 0.2)  # small, at the edge: further back in the room


def test_at_the_start_the_central_and_largest_is_chosen():
    f = Follower()
    assert f.choose([BYSTANDER, PATIENT]) == 1
    assert f.choose([person(0.2, 0.5, 0.2, 0.8), person(0.5, 0.5, 0.2, 0.8)]) == 1  # same size: the central one


def test_a_squat_is_followed_but_a_jump_to_someone_else_is_not():
    f = Follower()
    f.follow(PATIENT)
    for h in np.linspace(0.8, 0.55, 10):  # going down: the outline shrinks a little each frame
        bent = person(0.5, 0.55 + (0.8 - h) / 2, 0.25, h)
        assert f.matches(bent)
        f.follow(bent)
    assert not f.matches(BYSTANDER)


def test_near_but_of_a_very_different_size_is_someone_else():
    f = Follower()
    f.follow(person(0.5, 0.5, 0.2, 0.4))
    small = person(0.5 + RADIUS * 0.9, 0.5, 0.2 / SIZE_RATIO, 0.4 / 2)  # near, but area / 5
    assert not f.matches(small)
    assert f.matches(person(0.5 + RADIUS * 0.9, 0.5, 0.18, 0.36))


def test_the_same_person_found_again_with_another_skeleton_inside_their_outline_is_kept():
    f = Follower()
    f.follow(person(0.45, 0.35, 0.8, 0.9))  # a hallucinated whole body (head out of frame)
    assert f.matches(person(0.5, 0.55, 0.3, 0.5))  # the legs found properly: area 1/5, centre inside


def test_a_small_figure_far_back_is_not_taken_for_the_person_even_inside_their_outline():
    """A figure far back in the room can stand inside the patient's outline in the image: taking it
    would follow it for good (it stays in view, so the patient is never missed)."""
    f = Follower()
    f.follow(person(0.5, 0.5, 0.3, 0.8))
    assert not f.matches(person(0.52, 0.45, 0.3 / 4.5, 0.8 / 4.5))  # area / 20, centred inside
    assert f.matches(person(0.52, 0.6, 0.3 / 2.5, 0.8 / 2.5))  # area / 6: the same person re-found


def test_broken_outlines_match_nobody_and_unseen_landmarks_are_left_out():
    f = Follower()
    f.follow(PATIENT)
    xy, vis = landmarks(0.5, 0.55, 0.2, 0.8)
    flat = xy.copy()
    flat[:, 1] = 0.5  # all on one line: no area
    assert not f.matches(outline(flat, vis))
    holed = xy.copy()
    holed[5] = np.nan
    assert f.matches(outline(holed, vis))


def test_someone_missing_is_forgotten_after_a_while():
    f = Follower()
    f.follow(PATIENT)
    f.missed(1000.0)
    f.missed(2000.0)  # still missing since 1.0 s
    f.expire(1000.0 + FORGET_S * 1000 - 1)
    assert f.following and not f.matches(BYSTANDER)
    f.expire(1000.0 + FORGET_S * 1000 + 1)
    assert not f.following and f.matches(BYSTANDER)


def test_finding_them_again_clears_the_missing_time():
    f = Follower()
    f.follow(PATIENT)
    f.missed(1000.0)
    f.follow(PATIENT)
    f.missed(3500.0)
    f.expire(1000.0 + FORGET_S * 1000 + 1)  # 3 s after the first miss, 0.5 s after the second
    assert f.following


@pytest.mark.parametrize("vis_legs", [0.0, 0.9])
def test_outline_uses_the_well_seen_landmarks(vis_legs):
    from formcheck.media.follow import outline

    xy = np.array([[0.5, 0.1]] * 23 + [[0.5, 0.9]] * 10, dtype=float)
    xy[:23, 0] = np.linspace(0.4, 0.6, 23)
    vis = np.array([1.0] * 23 + [vis_legs] * 10)
    lo, hi = outline(xy, vis)
    assert hi[1] == pytest.approx(0.9 if vis_legs > 0.5 else 0.1)
