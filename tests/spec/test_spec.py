"""Exercise files are parsed strictly: errors name the file, the key and what is allowed."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from formcheck.spec.exercise import (
    available_ids,
    exercises_dir,
    load_exercise,
    load_exercise_file,
)
from formcheck.spec.files import SpecError

SQUAT = exercises_dir() / "squat.toml"


def write_variant(tmp_path: Path, edit) -> Path:
    data = tomllib.loads(SQUAT.read_text())
    edit(data)
    out = tmp_path / "squat.toml"
    out.write_text(_dump(data))
    return out


def _dump(obj, prefix="") -> str:
    """A tiny TOML writer for the test (tables, arrays of tables, scalars, lists)."""
    import json

    lines, tables = [], []
    for k, v in obj.items():
        if isinstance(v, dict):
            tables.append((k, v))
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            tables.append((k, v))
        else:
            toml = ("inf" if v > 0 else "-inf") if isinstance(v, float) and abs(v) == float("inf") else None
            lines.append(f"{k} = {toml or json.dumps(v, ensure_ascii=False)}")
    for k, v in tables:
        name = f"{prefix}{k}"
        if isinstance(v, dict):
            lines.append(f"[{name}]")
            lines.append(_dump(v, name + "."))
        else:
            for item in v:
                lines.append(f"[[{name}]]")
                lines.append(_dump(item, name + "."))
    return "\n".join(lines) + "\n"


def test_all_bundled_exercises_load():
    ids = available_ids()
    assert "squat" in ids
    for i in ids:
        spec = load_exercise(i)
        assert spec.id == i
        assert spec.name.da and spec.name.en


def test_round_trip_of_the_test_writer(tmp_path):
    assert load_exercise_file(write_variant(tmp_path, lambda d: None)).id == "squat"


@pytest.mark.parametrize(
    "edit,needle",
    [
        (lambda d: d.__setitem__("colour", "red"), "colour: unknown key"),
        (lambda d: d["count"].__setitem__("rest", "low"), "count.rest"),
        (lambda d: d["count"].__setitem__("rest", 60), "rest < enter <= full"),
        (lambda d: d["count"].__setitem__("signal", "elbow_magic"), "unknown signal 'elbow_magic'; allowed:"),
        (lambda d: d.__setitem__("kind", "dance"), "kind: Input should be 'reps' or 'hold'"),
        (lambda d: d.__setitem__("target", 0), "target"),
        (lambda d: d["rules"][0].__setitem__("limt", 3), "[[rules]] 'back_rounded' (number 1).limt: unknown key"),
        (lambda d: d["rules"][0].__setitem__("views", ["top"]), "[[rules]] 'back_rounded' (number 1).views"),
        (lambda d: d["rules"][0].__setitem__("models", ["heavy"]), "[[rules]] 'back_rounded' (number 1).models"),
        (lambda d: d["rules"][0].__setitem__("models", []), "[[rules]] 'back_rounded' (number 1).models"),
        (lambda d: d.__setitem__("views", "side"), 'views: should be a list in [ ], e.g. ["a", "b"] (got \'side\')'),
        (lambda d: d.__setitem__("model", "huge"), "model: Input should be 'lite' or 'full'"),
        (lambda d: d.pop("count"), "needs a [count] table"),
        (lambda d: d.__setitem__("id", "squat2"), "must match the file name"),
        # strict types: a number in quotes, or yes/no for true/false, is a mistake to point out
        (lambda d: d.__setitem__("target", "10"), "target: Input should be a valid integer"),
        (lambda d: d["count"].__setitem__("full", "70"), "count.full: Input should be a valid number"),
        (lambda d: d["count"].__setitem__("relative", "yes"), "count.relative: Input should be a valid boolean"),
        (lambda d: d["rules"][0].__setitem__("min_duration_s", True), "[[rules]] 'back_rounded' (number 1).min_duration_s"),
        (lambda d: d["count"].__setitem__("full", float("inf")), "count.full: Input should be a finite number"),
        (lambda d: d["rules"][0].__setitem__("during", "hold"), "[[rules]] 'back_rounded' (number 1): during: 'hold' cannot happen in a reps exercise"),
        (lambda d: d["rules"][0].__setitem__("limit", float("-inf")), "[[rules]] 'back_rounded' (number 1).limit: Input should be a finite number"),
        # a per-view count merged with [count] must be a valid count too
        (lambda d: d["count_views"]["front"].__setitem__("rest", 0.5),
         "count_views.front (with the other values from [count]): need rest < enter <= full"),
        # a height in the picture means something only against the start position
        (lambda d: d["count_views"]["front"].__setitem__("relative", False),
         "count_views.front (with the other values from [count]): signal 'hip_height_start' is a height in the picture"),
        (lambda d: d["rules"][0].__setitem__("id", "tracking_lost"), "(number 1): id: 'tracking_lost' is an id formcheck itself uses"),
        (lambda d: d["count"].__setitem__("shallow_fault", "too_short"), "count.shallow_fault: 'too_short' is an id formcheck"),
        (lambda d: d["count"].__setitem__("shallow_fault", "heels_lifting"), "count.shallow_fault: 'heels_lifting' is also a form rule's id"),
        # one fault id, two different cues: a report could not say which was meant
        (lambda d: d["rules"][1].__setitem__("id", "back_rounded") or d["rules"][1].__setitem__("severity", 1),
         "id: an earlier rule has this id with another cue or severity"),
        (lambda d: d["instructions"].__setitem__("fr", ["Bonjour"]), "instructions.fr: unknown language; allowed: da, en"),
        # a typo past what the signal can measure: the repetition could never count
        (lambda d: d["count"].__setitem__("full", 700), "full = 700 is more than knee_flexion can measure: at most 180 deg"),
        (lambda d: d["rules"][0].__setitem__("limit", 5500), "limit = 5500 is more than trunk_lean can measure"),
        (lambda d: d["rules"][0].__setitem__("confirm", {"signal": "ankle_lyft", "limit": 0.2}), "unknown signal 'ankle_lyft'"),
        (lambda d: d["rules"][-1].__setitem__("confirm", {"signal": "ankle_lift", "limit": 0.2}),
         "'confirm' is for max and min rules only"),
        (lambda d: d["count_views"]["front"].__setitem__("full", 20), "full = 20 is more than hip_height_start can measure"),
    ],
)
def test_loader_errors_name_file_key_and_allowed(tmp_path, edit, needle):
    path = write_variant(tmp_path, edit)
    with pytest.raises(SpecError) as err:
        load_exercise_file(path)
    msg = str(err.value)
    assert str(path) in msg
    assert needle in msg


def test_not_toml_is_one_clear_error(tmp_path):
    p = tmp_path / "squat.toml"
    p.write_text("id = \n")
    with pytest.raises(SpecError, match="not valid TOML"):
        load_exercise_file(p)


def test_a_file_that_is_not_utf8_is_one_clear_error(tmp_path):
    p = tmp_path / "squat.toml"
    p.write_bytes(b'id = "squat"\n\xff\xfe = 1\n')
    with pytest.raises(SpecError, match=r"squat.toml: not valid TOML: not UTF-8 text \(byte 13\); save it as UTF-8"):
        load_exercise_file(p)


def test_unknown_exercise_lists_available():
    with pytest.raises(SpecError, match="unknown exercise 'jumping_jacks'; available: .*squat"):
        load_exercise("jumping_jacks")
    with pytest.raises(SpecError, match="unknown exercise '../exercises/squat'"):  # an id, not a path
        load_exercise("../exercises/squat")


def test_a_rule_measured_on_one_pose_model_is_left_out_with_another(tmp_path):
    def only_full(d):
        d["rules"][0]["models"] = ["full"]
    spec = load_exercise_file(write_variant(tmp_path, only_full))
    assert spec.for_model("full").rules == spec.rules
    for other in ("lite", "/somewhere/custom.task"):
        assert spec.for_model(other).rules == spec.rules[1:]
    assert load_exercise("squat").for_model("lite") == load_exercise("squat")  # no rule is model-bound


def test_the_calf_stretch_asks_for_the_full_model_for_its_back_heel():
    from formcheck.media.estimator import choose_model

    spec = load_exercise("calf_stretch")
    assert spec.model == "full"
    assert "back_heel_lifted" in [r.id for r in spec.for_model("full").rules]
    assert "back_heel_lifted" not in [r.id for r in spec.for_model("lite").rules]
    assert choose_model(None, spec.model) == "full"  # replay and live, unless told otherwise
    assert choose_model("lite", spec.model) == "lite"
    assert choose_model(None, load_exercise("squat").model) == "lite"


def test_a_file_saved_with_a_byte_order_mark_loads(tmp_path):
    """Some Windows editors start UTF-8 files with a byte-order mark: that is not an error."""
    path = tmp_path / "squat.toml"
    path.write_bytes(b"\xef\xbb\xbf" + (exercises_dir() / "squat.toml").read_bytes())
    assert load_exercise_file(path).name.da == "Knæbøjning"
