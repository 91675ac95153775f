"""``formcheck history`` (a table or CSV of every set) and ``formcheck report`` (one HTML page
for the physiotherapist, drawn by ``html_report.py``)."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from formcheck.cli.common import CliError, UsageError, add_patient_option
from formcheck.core.atomic import atomic_write_text, refuse_overwriting
from formcheck.core.lang import count_of
from formcheck.core.patient import DEFAULT_PATIENT
from formcheck.records.history import (
    COLUMNS,
    JSON_COLUMNS,
    db_path,
    load_sets,
    local_time,
)
from formcheck.records.patients import patient_ids
from formcheck.records.rows import result_text, top_faults
from formcheck.spec.exercise import available_ids, in_exercises_dir

DATA_DIR_HELP = "history folder (default: the user data folder, or $FORMCHECK_DATA_DIR)"


def register(sub: argparse._SubParsersAction) -> None:
    h = sub.add_parser("history", help="list the recorded sets, or export them as CSV")
    h.add_argument("--exercise", "-e", help="only this exercise id")
    h.add_argument("--since", help="only sets from this date on (YYYY-MM-DD)")
    add_patient_option(h, default=None, what="only this patient's sets (default: every patient's)")
    h.add_argument("--csv", metavar="FILE", help="export every column as CSV to FILE ('-' for standard output)")
    h.add_argument("--repair", nargs="*", metavar="FOLDER",
                   help="make the history and the output folders agree: a FOLDER (or its direct subfolders) "
                        "holding a finished set's report.json the history lacks gets its row; a set whose "
                        "output folder is gone is marked (kept); one line per fix")
    h.add_argument("--data-dir", help=DATA_DIR_HELP)
    h.set_defaults(func=cmd_history)

    r = sub.add_parser("report", help="write an HTML progress report for the physiotherapist")
    r.add_argument("--out", "-o", default="formcheck-report.html", help="HTML file (default: formcheck-report.html)")
    r.add_argument("--since", help="only sets from this date on (YYYY-MM-DD)")
    r.add_argument("--lang", choices=("da", "en"), default="da", help="the page's language (default: da)")
    r.add_argument("--detail-days", type=_days, default=1, metavar="N",
                   help="show the sets of the last N days trained repetition by repetition, with a picture "
                        "of each from its annotated video (default: 1; 0: none)")
    add_patient_option(r, default=None, what="the patient the report is for (default: the only patient in the "
                                             "history; with several, say which)")
    r.add_argument("--data-dir", help=DATA_DIR_HELP)
    r.set_defaults(func=cmd_report)


# ----- shared helpers ----------------------------------------------------------------------------
def _since_utc(text: str | None) -> str | None:
    """A local calendar date as the UTC instant of its midnight, comparable with stored times."""
    if not text:
        return None
    try:
        d = date.fromisoformat(text)
    except ValueError:
        raise CliError(f"--since: not a date: {text!r} (use YYYY-MM-DD)") from None
    local_midnight = datetime(d.year, d.month, d.day).astimezone()
    return local_midnight.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _days(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n < 0:
        raise argparse.ArgumentTypeError(f"not a number of days: {text!r}")
    return n


# ----- formcheck history -------------------------------------------------------------------------
def cmd_history(args: argparse.Namespace) -> int:
    if args.repair is not None:
        return _repair(args)
    # with the reports: a hold set's sides still short are counted from its holds (result_text)
    sets = load_sets(args.data_dir, args.exercise, since=_since_utc(args.since), with_report=True,
                     patient=args.patient)
    if args.csv:
        return _write_csv(sets, args.csv, db_path(args.data_dir))
    if not sets:
        if args.exercise:
            known = available_ids()
            if known and args.exercise not in known:  # a typo, not an empty history
                print(f"formcheck: error: {args.exercise!r} is not an exercise id; the ids are: {', '.join(known)}",
                      file=sys.stderr)
                return 2  # a mistake on the command line, as argparse's
        what = (f" of {args.exercise}" if args.exercise else "") + (f" for patient {args.patient}" if args.patient else "")
        print(f"no sets{what} recorded yet (history: {db_path(args.data_dir)})" + _other_patients(args))
        return 0
    several = args.patient is None and len(patient_ids(sets)) > 1  # (one patient's list needs no column)
    rows = [("date", *(("patient",) if several else ()), "exercise", "result", "partials", "top faults", "pain", "mode")]
    for s in sets:
        pain = ("STOPPED" + (f": {s['pain_note']}" if s["pain_note"] else "")) if s["pain_stop"] else ""
        mode = s["mode"] + (f" ({s['program']})" if s.get("program") else "") + (
            " (outputs gone)" if s.get("out_gone") else "") + _trial_file(s)  # (history --repair found them gone)
        rows.append((local_time(s["time"]).strftime("%Y-%m-%d %H:%M"), *((s["patient"],) if several else ()),
                     s["exercise"], result_text(s), str(s["partials"]), top_faults(s["fault_counts"]) or "-", pain, mode))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    days = len({local_time(s["time"]).date() for s in sets})
    pains = sum(1 for s in sets if s["pain_stop"])
    print(f"{count_of(len(sets), 'set')} on {count_of(days, 'day')}" + (f", {pains} stopped for pain" if pains else ""))
    return 0


def _other_patients(args: argparse.Namespace) -> str:
    """For a patient with no sets (a typo?): the patients the history has."""
    if not args.patient:
        return ""
    known = patient_ids(load_sets(args.data_dir, with_report=False))
    return f"; the patients with sets are: {', '.join(known)}" if known else ""


def _trial_file(row: dict[str, Any]) -> str:
    """A set run with an exercise file other than the exercises folder's own: which one."""
    report = row.get("report")
    path = getattr(report, "exercise_file", None)
    if not path or in_exercises_dir(Path(path)):
        return ""
    return f" (file {Path(path).name})"


def _repair(args: argparse.Namespace) -> int:
    from formcheck.records.repair import (
        repair,  # (only here: listing the history needs none of it)
    )

    fixes = repair([Path(p) for p in args.repair], args.data_dir)
    for line in fixes:
        print(line)
    print(f"{len(fixes)} fix(es) in {db_path(args.data_dir)}" if fixes else
          f"nothing to repair (history: {db_path(args.data_dir)})")
    return 0


def _stored(row: dict[str, Any], column: str) -> Any:
    """A JSON column's value as stored (the report as an earlier version wrote it, too)."""
    return row.get("stored_report") if column == "report" else row.get(column)


def _write_csv(sets: list[dict[str, Any]], dest: str, db: Path) -> int:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for s in sets:
        w.writerow([json.dumps(_stored(s, c), ensure_ascii=False) if c in JSON_COLUMNS
                    else int(s[c]) if c == "pain_stop" else ("" if s.get(c) is None else s.get(c)) for c in COLUMNS])
    if dest == "-":
        sys.stdout.write(buf.getvalue())
        return 0

    refuse_overwriting(dest, db)
    atomic_write_text(dest, buf.getvalue())
    print(f"wrote {count_of(len(sets), 'set')} to {dest}", file=sys.stderr)
    return 0


# ----- formcheck report --------------------------------------------------------------------------
def cmd_report(args: argparse.Namespace) -> int:
    # the page's module only here: `formcheck history`, in this module too, draws nothing
    from formcheck.records.html_report import render_html

    patient = args.patient or _only_patient(args)
    sets = load_sets(args.data_dir, since=_since_utc(args.since), with_report=True, patient=patient)
    page = render_html(sets, since=args.since, source=str(db_path(args.data_dir)), lang=args.lang,
                       detail_days=args.detail_days, patient=patient)
    out = Path(args.out)
    if out.is_dir():
        out = out / "formcheck-report.html"
    refuse_overwriting(out, db_path(args.data_dir))
    atomic_write_text(out, page)
    print(f"wrote {out} ({count_of(len(sets), 'set')}" + ("" if sets else f" in {db_path(args.data_dir)}")
          + f" for patient {patient})" + ("" if sets else _other_patients(args)))
    return 0


def _only_patient(args: argparse.Namespace) -> str:
    """The report's patient when none is named: the only one in the history (none yet: the
    default patient). A history of several is a mistake on the command line: a report is one
    patient's."""
    known = patient_ids(load_sets(args.data_dir, with_report=False))
    if len(known) > 1:
        raise UsageError(f"the history holds the sets of {len(known)} patients ({', '.join(known)}): "
                         "a report is one patient's, choose one with --patient ID", "report")
    return known[0] if known else DEFAULT_PATIENT
