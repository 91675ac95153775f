"""What the trainer's voice costs (issue 19): synthesis, the frame loop's share, replay's sound track.

    python bench/voice_cost.py [--runs 3] [--clip samples/squat_side.mp4]

Prints: eSpeak NG's time per phrase (first time and cached); the planner + schedule per frame on
the frames' clock (what replay and --voice-to add to each frame) and the DevicePlayer's hand-over
(what live's frame loop waits: a queue put); adding the sound track to a finished annotated.mp4;
and whole replays with and without the voice, alternating, as medians and their ratio (the
machine is shared: single runs mislead).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from formcheck.core.results import FrameResult, Rep, Status
from formcheck.media.audio_track import add_audio_track
from formcheck.speech.narrator import Narrator
from formcheck.speech.planner import SetLines
from formcheck.speech.player import DevicePlayer
from formcheck.speech.schedule import Kind, Utterance
from formcheck.speech.timeline import Timeline
from formcheck.speech.tts import Tts


class NullStream:
    def __init__(self, rate, callback):
        pass

    def start(self):
        pass

    def stop(self):
        pass

    def close(self):
        pass


def _frames(n: int) -> list[FrameResult]:
    out = []
    for i in range(n):
        t = i / 30
        reps = int(t // 2.5)
        new = Rep(reps, t - 2, t, t - 1, None, {}, ()) if reps and int((t - 1 / 30) // 2.5) < reps else None
        out.append(FrameResult(t * 1000, None, Status.MOVING, reps, 10, None, new_rep=new))
    return out


def synthesis() -> None:
    t0 = time.perf_counter()
    tts = Tts()
    print(f"engine loaded in {1000 * (time.perf_counter() - t0):.1f} ms (rate {tts.rate} Hz)")
    for text in ("en", "femten", "Skub knæene ud over tæerne", "Sættet er slut: 7 af 10 gentagelser."):
        t0 = time.perf_counter()
        pcm = tts.pcm(text, "da")
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        tts.pcm(text, "da")
        cached = time.perf_counter() - t0
        print(f"  {text!r}: {len(pcm) / tts.rate:.2f} s of speech, synthesised in {1000 * first:.1f} ms, "
              f"cached {1e6 * cached:.0f} us")


def per_frame() -> None:
    frames = _frames(9000)  # 5 minutes at 30 frames/s
    tts = Tts()
    narrator = Narrator(Timeline(tts, "da"), SetLines("Knæbøjning", "reps", 10, "da"))
    t0 = time.perf_counter()
    for r in frames:
        narrator.frame(r)
    timeline_us = 1e6 * (time.perf_counter() - t0) / len(frames)
    player = DevicePlayer(tts, "da", NullStream)
    narrator = Narrator(player, SetLines("Knæbøjning", "reps", 10, "da"))
    t0 = time.perf_counter()
    for r in frames:
        narrator.frame(r)
    device_us = 1e6 * (time.perf_counter() - t0) / len(frames)
    player.close()
    print(f"per frame: {timeline_us:.0f} us on the frames' clock (replay, --voice-to), "
          f"{device_us:.0f} us handing over to the player thread (live)")


def replays(clip: Path, runs: int) -> None:
    times: dict[str, list[float]] = {"--voice": [], "--no-voice": []}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs):
            for flag in ("--voice", "--no-voice"):  # alternating
                out = Path(tmp) / f"{flag}{i}"
                t0 = time.perf_counter()
                subprocess.run([sys.executable, "-m", "formcheck.cli.main", "replay", str(clip), "-e", "squat",
                                "--out", str(out), "--no-history", "--no-progress", flag],
                               check=True, capture_output=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT / "src"),
                                                                             "PATH": "/usr/bin:/bin"})
                times[flag].append(time.perf_counter() - t0)
        video = Path(tmp) / "--no-voice0" / "annotated.mp4"  # the sound track alone, on a silent video
        timeline = Timeline(Tts(), "da")
        for i in range(30 * 14):
            t = i / 30
            timeline.offer([Utterance(t, "to", Kind.COUNT)] if i % 75 == 0 else [], t, frozenset())
        timeline.close()
        t0 = time.perf_counter()
        add_audio_track(video, timeline, 17.0)
        print(f"adding the sound track to {clip.name}'s annotated video: {time.perf_counter() - t0:.2f} s")
    on, off = statistics.median(times["--voice"]), statistics.median(times["--no-voice"])
    print(f"replay {clip.name}: {on:.2f} s with the voice, {off:.2f} s without (medians of {runs} alternating "
          f"runs), ratio {on / off:.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--clip", type=Path, default=ROOT / "samples" / "squat_side.mp4")
    args = ap.parse_args()
    synthesis()
    per_frame()
    if args.runs:
        replays(args.clip, args.runs)


if __name__ == "__main__":
    main()
