"""A batch's videos: from a folder, several files, or a manifest (CSV or TOML) naming each
video's exercise (and target, profile, patient). Everything is checked before any video is
replayed: a typo found after two hours of replays would cost those hours.

Each video's outputs go in a folder of its own inside the batch folder, named after the video
(its path below the input folder, for a folder; its file name otherwise, with ``_2``... when two
share it), so that a clinic's tree of patients' folders comes out as the same tree.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from formcheck.core.patient import check_patient_id
from formcheck.spec.exercise import TARGET_MAX, available_ids, is_exercise_path
from formcheck.spec.files import MAX_FILE_BYTES, SpecError, read_toml

VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".avi", ".mkv", ".webm"})
MANIFEST_SUFFIXES = frozenset({".csv", ".toml"})
COLUMNS = ("video", "exercise", "target", "profile", "patient")  # a manifest's, "video" required
OUT_SUFFIX = "_formcheck"  # replay's own output folders (never taken for input videos)


class BatchError(Exception):
    """A batch that cannot start (a manifest's mistakes, no videos); one line per problem."""


class BatchUsageError(BatchError):
    """A mistake on the command line (exit 2)."""

    usage_mistake = True


@dataclass(frozen=True)
class Job:
    """One video of a batch: what to replay, as what, and where its outputs go."""

    video: Path  # absolute: a cluster's nodes read it by the same path
    exercise: str
    out_dir: Path  # absolute, inside the batch folder
    name: str  # the output folder's path below the batch folder (the summary's key)
    target: int | None = None
    profile: Path | None = None
    patient: str | None = None


@dataclass(frozen=True)
class Defaults:
    """What the command line gives every video (a manifest's row may say otherwise)."""

    exercise: str | None = None
    target: int | None = None
    profile: Path | None = None
    patient: str | None = None  # --patient: whose sets (a manifest's patient column says otherwise)


def is_manifest(path: Path) -> bool:
    return path.suffix.lower() in MANIFEST_SUFFIXES and path.is_file()


def videos_in(folder: Path) -> list[Path]:
    """The videos under ``folder`` (all levels, sorted), leaving out hidden folders and files
    and replay's own output folders (their annotated.mp4 is no input)."""
    found = []
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).parts
        if any(part.startswith(".") or part.endswith(OUT_SUFFIX) for part in rel[:-1]) or rel[-1].startswith("."):
            continue
        if p.suffix.lower() in VIDEO_SUFFIXES and p.is_file():
            found.append(p)
    return found


def default_batch_dir(inputs: list[Path]) -> Path | None:
    """A new folder beside a single input folder or manifest (``<name>_formcheck[_N]``), as one
    video's outputs go beside it; None for several inputs (they need --out)."""
    if len(inputs) != 1 or not (inputs[0].is_dir() or is_manifest(inputs[0])):
        return None
    src = inputs[0].resolve()
    base = src.parent / f"{src.stem if src.is_file() else src.name}{OUT_SUFFIX}"
    cand, n = base, 2
    while cand.exists():
        cand, n = base.with_name(f"{base.name}_{n}"), n + 1
    return cand


def collect_jobs(inputs: list[Path], out_root: Path, defaults: Defaults) -> list[Job]:
    """The batch's jobs from the command line's inputs (videos, folders, manifests), checked:
    raises BatchError listing every problem, or BatchUsageError for command-line mistakes."""
    out_root = out_root.resolve()
    rows: list[tuple[Path, str, dict[str, Any]]] = []  # (video, its output name, a manifest's row)
    problems: list[str] = []
    for src in inputs:
        if src.is_dir():
            found = [v for v in videos_in(src) if not v.resolve().is_relative_to(out_root)]  # (not our outputs)
            if not found:
                problems.append(f"{src}: no videos in this folder (looked for {', '.join(sorted(VIDEO_SUFFIXES))})")
            rows += [(v, v.relative_to(src).with_suffix("").as_posix(), {}) for v in found]
        elif is_manifest(src):
            for video, row in read_manifest(src, problems):
                rows.append((video, video.stem, row))
        elif src.is_file():
            rows.append((src, src.stem, {}))
        else:
            problems.append(f"{src}: not found")
    if not rows and not problems:
        problems.append("no videos to replay")
    ids = available_ids()
    jobs = [_job(video, name, row, defaults, ids, problems) for video, name, row in rows]
    if not problems:
        _check_profiles(jobs, problems)
    if problems:
        raise BatchError("\n".join(problems))
    return _named(jobs, out_root)


def _check_profiles(jobs: list[Job], problems: list[str]) -> None:
    """Each profile read, and applied to each exercise it is given with, once: a mistake in one
    is one line now, not the same failure for every video after hours of replays."""
    from formcheck.spec.exercise import load_exercise_arg
    from formcheck.spec.profile import apply_profile, load_profile

    loaded: dict[Path, Any] = {}
    for exercise, path in sorted({(j.exercise, j.profile) for j in jobs if j.profile is not None}):
        try:
            if path not in loaded:
                loaded[path] = load_profile(path)
            if loaded[path] is not None:
                apply_profile(load_exercise_arg(exercise)[0], loaded[path])
        except SpecError as exc:
            loaded.setdefault(path, None)
            problems.append(str(exc))


def _job(video: Path, name: str, row: dict[str, Any], defaults: Defaults, ids: list[str],
         problems: list[str]) -> Job:
    where = row.get("_where", str(video))
    exercise = row.get("exercise") or defaults.exercise
    if exercise is None:
        problems.append(f"{where}: no exercise (give --exercise for all, or an 'exercise' column in a manifest)")
    elif is_exercise_path(exercise):  # an edited copy to try: a path, read from the manifest's folder
        path = Path(exercise)
        if not path.expanduser().is_file():
            problems.append(f"{where}: exercise file not found: {exercise}")
        exercise = str(path.expanduser().resolve())
    elif exercise not in ids:
        problems.append(f"{where}: unknown exercise {exercise!r}; available: {', '.join(ids)}")
    profile = row.get("profile") or defaults.profile
    if profile is not None and not Path(profile).is_file():
        problems.append(f"{where}: profile not found: {profile}")
    return Job(video=video.resolve(), exercise=exercise or "", out_dir=Path(), name=name,
               target=row.get("target", defaults.target), profile=Path(profile).resolve() if profile else None,
               patient=_patient(row.get("patient") or defaults.patient, where, problems))


def _patient(text: str | None, where: str, problems: list[str]) -> str | None:
    """A manifest's (or --patient's) patient id, checked now: one bad id is one line before any replay."""
    if text is None:
        return None
    try:
        return check_patient_id(str(text))
    except ValueError as exc:
        problems.append(f"{where}: {exc}")
        return None


def _named(jobs: list[Job], out_root: Path) -> list[Job]:
    """Each job's output folder: its name, made unique (``_2``, ``_3``...) where names meet."""
    taken: set[str] = set()
    named = []
    for job in jobs:
        name, n = job.name, 2
        while name.lower() in taken:  # (case-insensitive file systems too)
            name, n = f"{job.name}_{n}", n + 1
        taken.add(name.lower())
        named.append(Job(video=job.video, exercise=job.exercise, out_dir=out_root / name, name=name,
                         target=job.target, profile=job.profile, patient=job.patient))
    return named


def read_manifest(path: Path, problems: list[str]) -> list[tuple[Path, dict[str, Any]]]:
    """A manifest's rows as (video, row); relative paths are read from the manifest's folder.
    Its problems are added to ``problems``, each naming the file and the line or entry."""
    if path.suffix.lower() == ".toml":
        try:
            data = read_toml(path)
        except SpecError as exc:
            problems.append(str(exc))
            return []
        entries = data.pop("video", None)
        if data:
            problems.append(f"{path}: unknown key {', '.join(map(repr, data))} (a manifest has [[video]] tables)")
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            problems.append(f"{path}: no [[video]] tables (each with video = \"...\", exercise = \"...\")")
            return []
        raw = [(f"{path} [[video]] {i}", e) for i, e in enumerate(entries, 1)]
    else:
        raw = _csv_rows(path, problems)
    out = []
    for where, entry in raw:
        row = _check_row(where, entry, path.parent, problems, from_text=path.suffix.lower() == ".csv")
        if row is not None:
            out.append((row.pop("video"), row))
    return out


def _csv_rows(path: Path, problems: list[str]) -> list[tuple[str, dict[str, Any]]]:
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
        if len(raw) > MAX_FILE_BYTES:
            problems.append(f"{path}: too large for a manifest (more than {MAX_FILE_BYTES // 1_000_000} MB)")
            return []
        text = raw.decode("utf-8-sig")  # (a spreadsheet's byte-order mark is no error)
    except UnicodeDecodeError as exc:
        problems.append(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV")
        return []
    except OSError as exc:
        problems.append(f"{path}: cannot read: {exc.strerror}")
        return []
    dialect = ";" if text.count(";") > text.count(",") else ","  # (Danish spreadsheets write ';')
    reader = csv.DictReader(io.StringIO(text), delimiter=dialect)
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if "video" not in header:
        problems.append(f"{path}: the first line must name the columns, 'video' among them ({', '.join(COLUMNS)})")
        return []
    reader.fieldnames = header
    rows = []
    for line, rec in enumerate(reader, 2):
        if None in rec:
            problems.append(f"{path} line {line}: more values than columns")
            continue
        entry = {k: (v or "").strip() for k, v in rec.items() if (v or "").strip()}
        if entry:
            rows.append((f"{path} line {line}", entry))
    return rows


def _check_row(where: str, entry: dict[str, Any], base: Path, problems: list[str],
               from_text: bool) -> dict[str, Any] | None:
    """A manifest's row checked; ``from_text``: a CSV's, whose numbers come as text (TOML's must
    be numbers: "8" there is as much a mistake as in an exercise file)."""
    unknown = sorted(set(entry) - set(COLUMNS))
    if unknown:
        problems.append(f"{where}: unknown column {', '.join(map(repr, unknown))}; allowed: {', '.join(COLUMNS)}")
        return None
    for key in ("video", "exercise", "profile", "patient"):
        if key in entry and not (isinstance(entry[key], str) and entry[key]):
            problems.append(f"{where}: {key} must be a text")
            return None
    if "video" not in entry:
        problems.append(f"{where}: no video")
        return None
    row: dict[str, Any] = {"_where": where, **entry}
    row["video"] = video = (base / entry["video"]).expanduser()
    if not video.is_file():
        problems.append(f"{where}: video not found: {video}")
    if "profile" in entry:
        row["profile"] = base / entry["profile"]
    if "exercise" in entry and is_exercise_path(entry["exercise"]):  # an edited copy, beside the manifest
        row["exercise"] = str(base / entry["exercise"])
    if "target" in entry:
        target = _whole(entry["target"], from_text)
        if target is None or not 1 <= target <= TARGET_MAX:
            problems.append(f"{where}: target must be a whole number from 1 to {TARGET_MAX}, got {entry['target']!r}")
            return None
        row["target"] = target
    return row


def _whole(v: Any, from_text: bool) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int) or not from_text:
        return v if isinstance(v, int) else None
    try:
        return int(str(v))
    except ValueError:
        return None
