"""``formcheck patients`` (who has sets in the history) and ``formcheck pain-lock list|clear``
(the exercises locked today after a pain stop, and lifting a lock: records.pain_locks)."""

from __future__ import annotations

import argparse
import getpass
import sys

from formcheck.cli.common import CliError, add_patient_option, printable
from formcheck.core.lang import count_of
from formcheck.core.patient import DEFAULT_PATIENT
from formcheck.records.history import db_path, load_sets, local_time
from formcheck.records.pain_locks import load_clears, locks_today, record_clear
from formcheck.records.patients import summarise
from formcheck.spec.exercise import available_ids
from formcheck.spec.files import UnknownName

DATA_DIR_HELP = "history folder (default: the user data folder, or $FORMCHECK_DATA_DIR)"
YES = ("y", "yes", "j", "ja")  # (a Danish physiotherapist may answer in Danish)
MAX_NAME = 64


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("patients", help="list the patients in the history: sets, days trained, last set")
    p.add_argument("--data-dir", help=DATA_DIR_HELP)
    p.set_defaults(func=cmd_patients)

    lock = sub.add_parser("pain-lock", help="the exercises locked today after a pain stop; lift a lock")
    lsub = lock.add_subparsers(dest="pain_lock_command", required=True)
    ls = lsub.add_parser("list", help="the locks in force today, and the locks lifted (who, when)")
    add_patient_option(ls, default=None, what="only this patient's (default: every patient's)")
    ls.add_argument("--data-dir", help=DATA_DIR_HELP)
    ls.set_defaults(func=cmd_lock_list)
    cl = lsub.add_parser("clear", help="lift today's pain lock on an exercise (e.g. p pressed by mistake); "
                                       "asks to confirm, records who and when")
    cl.add_argument("--exercise", "-e", required=True, help="exercise id, e.g. squat")
    add_patient_option(cl, what="whose lock")
    cl.add_argument("--by", type=_name, help="who lifts it, for the record (default: the computer's user name)")
    cl.add_argument("--note", type=_name, help="why, for the record (e.g. 'p pressed by mistake')")
    cl.add_argument("--yes", "-y", action="store_true", help="do not ask to confirm (for scripts)")
    cl.add_argument("--data-dir", help=DATA_DIR_HELP)
    cl.set_defaults(func=cmd_lock_clear)


def _name(text: str) -> str:
    """argparse type of --by and --note: one printable line."""
    if not text.strip() or not text.isprintable() or len(text) > 200:
        raise argparse.ArgumentTypeError(f"must be one line of printable text (up to 200 characters), got {printable(text)!r}")
    return text.strip()


def _when(iso: str) -> str:
    return local_time(iso).strftime("%Y-%m-%d %H:%M")


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def cmd_patients(args: argparse.Namespace) -> int:
    people = summarise(load_sets(args.data_dir, with_report=False))
    if not people:
        print(f"no sets recorded yet (history: {db_path(args.data_dir)})")
        return 0
    rows = [("patient", "sets", "days", "last set", "pain stops")]
    rows += [(p.patient, str(p.sets), str(p.days), f"{_when(p.last_time)} {p.last_exercise}", str(p.pain_stops))
             for p in people]
    print(_table(rows))
    print(f"{count_of(len(people), 'patient')} in {db_path(args.data_dir)}")
    return 0


def cmd_lock_list(args: argparse.Namespace) -> int:
    sets = load_sets(args.data_dir, with_report=False, patient=args.patient)
    clears = load_clears(args.data_dir, args.patient)
    locks = locks_today(sets, clears)
    if locks:
        rows = [("patient", "exercise", "stopped for pain")]
        rows += [(lk.patient, lk.exercise, _when(lk.since)) for lk in locks]
        print(_table(rows))
    else:
        print("no exercise is locked today" + (f" for patient {args.patient}" if args.patient else ""))
    if clears:
        print("locks lifted:")
        rows = [("when", "patient", "exercise", "by", "note")]
        rows += [(_when(c.time), c.patient, c.exercise, printable(c.cleared_by), printable(c.note or "")) for c in clears]
        print(_table(rows))
    return 0


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name known (e.g. a container without one)
        return "unknown"


def cmd_lock_clear(args: argparse.Namespace) -> int:
    exercise, patient = args.exercise, args.patient
    sets = load_sets(args.data_dir, exercise, with_report=False, patient=patient)
    known = available_ids()
    if not sets and known and exercise not in known:  # (a trial copy's own id is known by its sets)
        raise UnknownName(f"unknown exercise {exercise!r}; available: {', '.join(known)}")
    lock = next(iter(locks_today(sets, load_clears(args.data_dir, patient))), None)
    whose = "" if patient == DEFAULT_PATIENT else f" of patient {patient}"
    if lock is None:
        raise CliError(f"{exercise}{whose} is not locked today: nothing to clear (see 'formcheck pain-lock list')")
    by = args.by or _user()
    if not args.yes and not _confirmed(f"Lift today's pain lock on {exercise}{whose} (stopped for pain at "
                                       f"{local_time(lock.since):%H:%M})? The patient may then do it again today. [y/N] "):
        print("not lifted")
        return 1
    clear = record_clear(args.data_dir, patient, exercise, by, args.note)
    print(f"lifted the pain lock on {exercise}{whose}, by {printable(by)} at {_when(clear.time)} "
          f"(recorded in {db_path(args.data_dir)})")
    return 0


def _confirmed(question: str) -> bool:
    """Asks on the terminal; no answer (end of input) is no."""
    print(question, end="", flush=True)
    answer = sys.stdin.readline()
    if not answer.endswith("\n"):
        print()
    return answer.strip().lower() in YES
