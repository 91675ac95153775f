"""A batch's videos from folders, files and manifests, every mistake found before any replay."""

from __future__ import annotations

from pathlib import Path

import pytest

from formcheck.batch.jobs import (
    BatchError,
    Defaults,
    collect_jobs,
    default_batch_dir,
    videos_in,
)


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\0")
    return path


def test_a_folder_gives_its_videos_at_every_level_but_hidden_files_and_replays_outputs(tmp_path):
    clips = tmp_path / "clips"
    keep = [touch(clips / "anna" / "mon.mp4"), touch(clips / "anna" / "tue.MOV"), touch(clips / "bo.webm")]
    touch(clips / ".hidden.mp4")
    touch(clips / ".cache" / "x.mp4")
    touch(clips / "bo_formcheck" / "annotated.mp4")  # a single replay's outputs beside its video
    touch(clips / "notes.txt")
    assert videos_in(clips) == sorted(keep)


def test_a_folders_outputs_mirror_its_tree_and_leave_out_the_batch_folder_inside_it(tmp_path):
    clips = tmp_path / "clips"
    touch(clips / "anna" / "mon.mp4")
    touch(clips / "bo" / "mon.mp4")
    out = clips / "results"
    touch(out / "anna" / "mon" / "annotated.mp4")  # an earlier batch's, inside the input folder
    jobs = collect_jobs([clips], out, Defaults(exercise="squat"))
    assert [j.name for j in jobs] == ["anna/mon", "bo/mon"]
    assert [j.out_dir for j in jobs] == [out.resolve() / "anna" / "mon", out.resolve() / "bo" / "mon"]
    assert all(j.video.is_absolute() and j.exercise == "squat" for j in jobs)


def test_files_with_one_name_get_folders_of_their_own(tmp_path):
    a, b, c = touch(tmp_path / "x" / "set.mp4"), touch(tmp_path / "y" / "set.mp4"), touch(tmp_path / "y" / "SET.mov")
    jobs = collect_jobs([a, b, c], tmp_path / "out", Defaults(exercise="squat"))
    assert [j.name for j in jobs] == ["set", "set_2", "SET_3"]


def test_a_csv_manifest_gives_each_video_its_exercise_target_profile_and_patient(tmp_path):
    touch(tmp_path / "v" / "a.mp4")
    touch(tmp_path / "v" / "b.mp4")
    profile = tmp_path / "anna.toml"
    profile.write_text('name = "Anna"\n')
    m = tmp_path / "week.csv"
    m.write_text("\ufeffVideo;Exercise;Target;Profile;Patient\nv/a.mp4;squat;12;anna.toml;Anna\n;;;;\nv/b.mp4;;;;Bo\n")
    jobs = collect_jobs([m], tmp_path / "out", Defaults(exercise="pelvic_lift", target=5))
    assert [(j.name, j.exercise, j.target, j.patient) for j in jobs] == [
        ("a", "squat", 12, "Anna"), ("b", "pelvic_lift", 5, "Bo")]
    assert jobs[0].profile == profile.resolve() and jobs[1].profile is None
    assert jobs[0].video == (tmp_path / "v" / "a.mp4").resolve()  # read from the manifest's folder


def test_a_toml_manifest(tmp_path):
    touch(tmp_path / "a.mp4")
    m = tmp_path / "week.toml"
    m.write_text('[[video]]\nvideo = "a.mp4"\nexercise = "heel_raise"\ntarget = 8\n')
    (job,) = collect_jobs([m], tmp_path / "out", Defaults())
    assert (job.exercise, job.target, job.name) == ("heel_raise", 8, "a")


def test_every_mistake_of_a_manifest_is_listed_before_anything_runs(tmp_path):
    touch(tmp_path / "a.mp4")
    m = tmp_path / "week.csv"
    m.write_text("video,exercise,target\na.mp4,squat,lots\nmissing.mp4,squat,3\na.mp4,sqaut,3\na.mp4,,2\n")
    with pytest.raises(BatchError) as err:
        collect_jobs([m], tmp_path / "out", Defaults())
    lines = str(err.value).splitlines()
    assert len(lines) == 4, lines
    assert "line 2: target must be a whole number from 1 to 100, got 'lots'" in lines[0]
    assert "line 3: video not found" in lines[1]
    assert "line 4: unknown exercise 'sqaut'" in lines[2]
    assert "line 5: no exercise" in lines[3]


@pytest.mark.parametrize("text, says", [
    ("video,exercise,when\na.mp4,squat,monday\n", "unknown column 'when'"),
    ("exercise\nsquat\n", "the first line must name the columns"),
    ("video,exercise\na.mp4,squat,extra\n", "more values than columns"),
])
def test_a_csv_manifests_shape_is_checked(tmp_path, text, says):
    touch(tmp_path / "a.mp4")
    (tmp_path / "m.csv").write_text(text)
    with pytest.raises(BatchError, match=says):
        collect_jobs([tmp_path / "m.csv"], tmp_path / "out", Defaults())


@pytest.mark.parametrize("text, says", [
    ('[[video]]\nvideo = "a.mp4"\nexercise = "squat"\ntarget = "8"\n', "target must be a whole number"),
    ('[[video]]\nvideo = "a.mp4"\nexercise = "squat"\nspeed = 2\n', "unknown column 'speed'"),
    ('videos = []\n', "unknown key 'videos'"),
    ('[[video]]\nvideo = 3\n', "video must be a text"),
])
def test_a_toml_manifests_shape_is_checked(tmp_path, text, says):
    touch(tmp_path / "a.mp4")
    (tmp_path / "m.toml").write_text(text)
    with pytest.raises(BatchError, match=says):
        collect_jobs([tmp_path / "m.toml"], tmp_path / "out", Defaults())


def test_an_empty_folder_or_a_missing_input_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(BatchError, match="no videos in this folder"):
        collect_jobs([tmp_path / "empty"], tmp_path / "out", Defaults(exercise="squat"))
    with pytest.raises(BatchError, match="not found"):
        collect_jobs([tmp_path / "nope.mp4", tmp_path / "nope2.mp4"], tmp_path / "out", Defaults(exercise="squat"))


def test_the_default_batch_folder_is_new_and_beside_a_folder_or_manifest(tmp_path):
    (tmp_path / "clips").mkdir()
    assert default_batch_dir([tmp_path / "clips"]) == tmp_path.resolve() / "clips_formcheck"
    (tmp_path / "clips_formcheck").mkdir()
    assert default_batch_dir([tmp_path / "clips"]) == tmp_path.resolve() / "clips_formcheck_2"
    (tmp_path / "week.csv").write_text("video\n")
    assert default_batch_dir([tmp_path / "week.csv"]) == tmp_path.resolve() / "week_formcheck"
    assert default_batch_dir([tmp_path / "clips", tmp_path / "week.csv"]) is None


def test_a_profile_that_does_not_fit_is_one_problem_before_anything_runs(tmp_path):
    for name in ("a.mp4", "b.mp4"):
        touch(tmp_path / name)
    bad = tmp_path / "p.toml"
    bad.write_text('name = "Anna"\n[exercises.squat.hold]\ntarget_s = 20.0\n')  # squat has no hold
    with pytest.raises(BatchError) as err:
        collect_jobs([tmp_path / "a.mp4", tmp_path / "b.mp4"], tmp_path / "out", Defaults(exercise="squat", profile=bad))
    lines = str(err.value).splitlines()
    assert len(lines) == 1 and "repetition exercise and has no [hold]" in lines[0], lines


def test_patients_and_edited_exercise_files_reach_each_job(tmp_path):
    """--patient is every video's patient unless the manifest names another; a bad id is one
    problem before any replay; an exercise file by path (an edited copy) is read from the
    manifest's folder."""
    (tmp_path / "a.mp4").write_bytes(b"x")
    (tmp_path / "b.mp4").write_bytes(b"x")
    (tmp_path / "my_squat.toml").write_text((Path(__file__).parents[2] / "exercises" / "squat.toml").read_text())
    m = tmp_path / "m.csv"
    m.write_text("video,exercise,patient\na.mp4,./my_squat.toml,p017\nb.mp4,squat,\n")
    a, b = collect_jobs([m], tmp_path / "out", Defaults(patient="p002"))
    assert (a.patient, b.patient) == ("p017", "p002")
    assert Path(a.exercise) == (tmp_path / "my_squat.toml").resolve() and b.exercise == "squat"
    m.write_text("video,exercise,patient\na.mp4,squat,bad id!\nb.mp4,./gone.toml,\n")
    with pytest.raises(BatchError) as err:
        collect_jobs([m], tmp_path / "out", Defaults())
    assert "not a patient id" in str(err.value) and "exercise file not found" in str(err.value)
