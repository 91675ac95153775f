"""Video decoding, and drawing + encoding of the annotated video, in worker processes.

Why processes, not threads: MediaPipe's Python API (1.2) hands every native call to a
dispatcher thread and back, so each frame needs several hand-offs of the GIL, and PyAV holds
the GIL for parts of decoding and encoding. Measured on this 2-core machine (lite, 720p), a
decoding *thread* beside the pose model slowed it by 10-20 %; decoding and encoding in other
*processes* did not measurably. So replay runs three processes:

    decoder process --frame--> main (pose model + rules) --frame + result--> encoder process

Pixels never go through a pipe: frames live in a ring of slots in one shared buffer (an
anonymous memory file, gone when the last process closes it, so a crash leaves nothing behind).
A slot is free -> written by the decoder -> read by the pose model -> drawn on and encoded (or
released by the main process when no video is written) -> free again. Free slots are single
bytes in a pipe (writes that small are atomic, so main and encoder can both give slots back);
only slot numbers, times and the small ``FrameResult`` (a few kB pickled) travel as messages,
and the ring bounds memory whatever the video's length. The ring and the subprocess plumbing
are in worker_proc.py.

Workers are plain ``python -m formcheck.sets.workers`` subprocesses rather than
``multiprocessing.Process``: the spawn start method re-runs the caller's ``__main__``, which
breaks any script that calls ``replay()`` without a ``__main__`` guard. A worker reports any
error as one line (``VideoError`` in the main process); it ignores Ctrl-C (the main process
decides) and, if the main process dies, finds its pipes closed, drops any half-written file and
exits.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import sys
import threading
from collections.abc import Iterator
from dataclasses import asdict
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np

from formcheck.core.results import FrameResult, OverlaySetup, SessionSummary
from formcheck.media.video import Frame, VideoError, VideoReader
from formcheck.media.video_writer import VideoWriter, fit
from formcheck.sets.worker_proc import (
    JOIN_S,
    STOP,
    Ring,
    SlotFrame,
    Worker,
    available,
    leave_first_core,
    lower_priority,
    one_line,
    ring_slots,
)

__all__ = ["DecoderProcess", "EncoderProcess", "SlotFrame", "available", "leave_first_core"]


# ---- decoder ------------------------------------------------------------------------------------

class DecoderProcess:
    """Frames of a video, decoded in a worker process into a shared ring (see module doc).

    Iterate once; call ``release(frame)`` when a frame's pixels are no longer needed (unless
    :class:`EncoderProcess` takes the slot over). ``truncated``/``error`` are set when the
    iteration ends, as for :class:`VideoReader`.

    The worker needs ~0.25 s of CPU to start (Python, NumPy, PyAV) and did not hand over its
    first frame until 0.15-0.25 s after the pose model was ready. So the first ``HEAD_FRAMES``
    are decoded in this process, on a thread, into slots kept back for them, while the pose model
    loads (``_Head``); the worker skips them.
    """

    def __init__(self, path: Path, size: tuple[int, int], head: int | None = None) -> None:
        w, h = size
        self.shape = (h, w, 3)
        self.n_slots = ring_slots(self.shape)
        self.ring = Ring(self.shape, self.n_slots)
        n_head = min(HEAD_FRAMES if head is None else head, self.n_slots // 2)
        self.free_r, self.free_w = os.pipe()
        os.write(self.free_w, bytes(range(n_head, self.n_slots)))  # the worker's; the first ones the head's
        self.truncated = False
        self.error: str | None = None
        self.notes: list[str] = []
        msg_r, msg_w = os.pipe()
        self._worker = Worker(
            "decoder",
            {"video": str(path), "shape": self.shape, "n": self.n_slots, "ring": self.ring.fd,
             "free": self.free_r, "out": msg_w, "skip": n_head},
            [self.ring.fd, self.free_r, msg_w],
        )
        os.close(msg_w)  # so a dead worker reads as EOF here
        self._conn = Connection(msg_r, writable=False)
        self._done = False
        self._head = _Head(path, self.ring, n_head) if n_head else None

    def __iter__(self) -> Iterator[SlotFrame]:
        if self._head is not None:
            yield from self._head
        while True:
            try:
                msg = self._worker.receive(self._conn)
            except VideoError:
                self._done = True
                raise
            if msg[0] == "end":
                _, self.truncated, self.error, self.notes = msg
                self._done = True
                return
            _, k, t_ms, index = msg
            yield SlotFrame(image=self.ring.frames[k], t_ms=t_ms, index=index, slot=k)

    def release(self, frame: SlotFrame) -> None:
        os.write(self.free_w, bytes((frame.slot,)))

    def close(self) -> None:
        """Stop the worker (early or at the end), wait for it, free the ring."""
        try:
            if self._head is not None:
                self._head.close()
        finally:  # (a Ctrl-C while the head's thread finishes its frame still stops the worker)
            if not self._done:
                try:
                    os.write(self.free_w, bytes((STOP,)) * (self.n_slots + 1))
                except OSError:
                    pass
            self._worker.stop()
            self._conn.close()
            for fd in (self.free_r, self.free_w):
                os.close(fd)
            self.ring.close()


HEAD_FRAMES = 6  # decoded by the main process while the worker starts (at most half the ring)


class _Head:
    """The video's first ``n`` frames, decoded on a thread of the main process into ring slots
    ``0..n-1`` (iterate once). The worker decodes them too, and skips them: the same file and
    decoder give the same frames, times and indices. A video that ends (or breaks) within them
    ends (or breaks, ``truncated``) there in the worker as well, which reports it."""

    def __init__(self, path: Path, ring: Ring, n: int) -> None:
        self._queue: queue.Queue[tuple[int, float, int] | BaseException | None] = queue.Queue()
        self._ring, self._n = ring, n
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._decode, args=(path,), name="formcheck-head", daemon=True)
        self._thread.start()

    def _decode(self, path: Path) -> None:
        try:
            with VideoReader(path, threads=False) as reader:
                for k, frame in zip(range(self._n), reader):
                    if self._stop.is_set():
                        break
                    self._ring.frames[k][...] = frame.image
                    self._queue.put((k, frame.t_ms, frame.index))
        except BaseException as exc:  # noqa: BLE001 - raised where the frames are read
            self._queue.put(exc)
        finally:
            self._queue.put(None)

    def __iter__(self) -> Iterator[SlotFrame]:
        while (item := self._queue.get()) is not None:
            if isinstance(item, VideoError):
                raise item
            if isinstance(item, Exception):  # one line, as the worker reports its failures
                raise VideoError(one_line(item)) from item
            if isinstance(item, BaseException):
                raise item
            k, t_ms, index = item
            yield SlotFrame(image=self._ring.frames[k], t_ms=t_ms, index=index, slot=k)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


def _decode(args: dict[str, Any]) -> None:
    """Worker: decode the video into free ring slots, announce each, then ("end", truncated, error, notes)."""
    shape = tuple(args["shape"])
    ring = Ring(shape, args["n"], fd=args["ring"])
    conn = Connection(args["out"], readable=False)
    skip = args.get("skip", 0)  # the first frames, which the main process decoded itself
    try:
        sent = False
        with VideoReader(args["video"], threads=False) as reader:  # one core is ~5x fast enough
            for i, frame in enumerate(reader):
                if i < skip:
                    continue
                got = os.read(args["free"], 1)
                if not got or got[0] == STOP:  # the main process stopped early
                    return
                k = got[0]
                ring.frames[k][...] = frame.image
                if not sent:  # the pose model waits for the first frame: only then give way
                    lower_priority()
                    sent = True
                conn.send(("frame", k, frame.t_ms, frame.index))
            conn.send(("end", reader.truncated, reader.error, reader.notes))
    except OSError:  # the main process is gone
        return
    except Exception as exc:  # noqa: BLE001 - reported to the main process as one line
        conn.send(("error", one_line(exc)))


# ---- encoder ------------------------------------------------------------------------------------

class EncoderProcess:
    """The annotated-video sink: draws and encodes frames of a :class:`DecoderProcess` ring in a
    worker process, which gives each slot back when done; the video is ``size`` (width, height), the
    frames scaled to it before the overlay is drawn. Same contract as
    ``pipeline.AnnotatedVideoSink``: ``close()`` finishes the file (atomically, as
    :class:`VideoWriter`), ``abort()`` drops it."""

    def __init__(self, out: Path, size: tuple[int, int], fps: float, overlay: OverlaySetup,
                 decoder: DecoderProcess) -> None:
        in_r, in_w = os.pipe()
        out_r, out_w = os.pipe()
        self._worker = Worker(
            "encoder",
            {"video": str(out), "size": size, "fps": fps, "overlay": asdict(overlay), "shape": decoder.shape,
             "n": decoder.n_slots, "ring": decoder.ring.fd, "free": decoder.free_w, "in": in_r, "out": out_w},
            [decoder.ring.fd, decoder.free_w, in_r, out_w],
        )
        os.close(in_r)
        os.close(out_w)
        self._partial = VideoWriter.partial_path(out)
        self._send_conn = Connection(in_w, readable=False)
        self._recv_conn = Connection(out_r, writable=False)
        self._ready = False
        self._closing = False  # "close" sent
        self._finished = False

    def _reply(self) -> tuple:
        try:
            return self._worker.receive(self._recv_conn)
        except VideoError:
            self._finished = True
            raise

    def _send(self, msg: tuple) -> None:
        try:
            self._send_conn.send(msg)
        except OSError:  # the worker has gone: say why if it told us before going
            self._finished = True
            self._check_messages()
            raise self._worker.died() from None

    def _expect(self, expected: str) -> None:
        msg = self._reply()
        if msg[0] != expected:
            raise VideoError(f"video encoder answered {msg[0]!r}, expected {expected!r}")

    def _check_messages(self) -> None:
        """Read what the worker said so far without waiting: "ready", or an error (raised)."""
        while self._recv_conn.poll():
            if self._reply()[0] == "ready":
                self._ready = True

    def __call__(self, frame: Frame, result: FrameResult) -> None:
        self._check_messages()  # frames queue in the pipe while the worker starts; no waiting
        assert isinstance(frame, SlotFrame)
        self._send(("frame", frame.slot, frame.t_ms, result))

    def finish(self, summary: SessionSummary | None = None) -> None:
        """Start finishing the video, after the end card when given the set's ``summary``: the
        worker draws and encodes it while this process goes on (replay encodes the voice
        meanwhile); ``close`` waits for the file."""
        if not self._finished and not self._closing:
            self._send(("close", summary))
            self._closing = True

    def close(self, summary: SessionSummary | None = None) -> None:
        """Finish the video (in place, atomically), after the end card when given the set's
        ``summary`` (here or to ``finish``); raises VideoError if the worker failed."""
        if self._finished:
            return
        try:
            self.finish(summary)
            if not self._ready:
                self._expect("ready")
            self._expect("closed")
            self._finished = True
        finally:
            if self._finished:
                self._shutdown()

    def abort(self) -> None:
        """Drop the video: the worker removes its partial file, or this does if it died."""
        if not self._finished:
            self._finished = True
            try:
                self._send_conn.send(("abort",))
                while self._recv_conn.poll(JOIN_S) and self._recv_conn.recv()[0] not in ("aborted", "closed"):
                    pass
            except (OSError, EOFError):
                pass
        self._shutdown()
        self._partial.unlink(missing_ok=True)

    def _shutdown(self) -> None:
        for conn in (self._send_conn, self._recv_conn):
            if not conn.closed:
                conn.close()
        self._worker.stop()


def _encode(args: dict[str, Any]) -> None:
    """Worker: draw the overlay on each announced slot, encode it, give the slot back.

    In: ("frame", slot, t_ms, result), ("close", summary or None), ("abort",). The last picture
    is kept (a copy, undrawn) for the end card that ``close`` adds. Out: ("ready",) once the file is
    open; ("closed",) or ("aborted",) at the end; ("error", line) at the first failure, after
    which frames are only given back until the main process says close or abort.
    """
    # only the encoder draws: the decoder process (same module) loads no overlay (OpenCV's
    # drawing, the fonts); neither loads the engine nor the exercise files
    from formcheck.overlay import Overlay
    from formcheck.sets.end_card import write_end_card

    ring = Ring(tuple(args["shape"]), args["n"], fd=args["ring"])
    inbox = Connection(args["in"], writable=False)
    outbox = Connection(args["out"], readable=False)
    free = args["free"]
    writer: VideoWriter | None = None
    try:
        overlay = Overlay.from_setup(OverlaySetup(**args["overlay"]))
        size = tuple(args["size"])
        writer = VideoWriter(args["video"], size, args["fps"])
    except Exception as exc:  # noqa: BLE001
        outbox.send(("error", one_line(exc)))
        return
    outbox.send(("ready",))
    # only now: the ring's first slots wait for this process's start (the pose model stalls once
    # they are all taken), which at a lower priority took longer on a busy machine
    lower_priority()
    failed = False
    last: tuple[np.ndarray, float] | None = None
    try:
        while True:
            msg = inbox.recv()
            if msg[0] == "frame":
                _, k, t_ms, result = msg
                try:
                    if not failed:
                        image = fit(ring.frames[k], size)  # drawn in the slot when not scaled
                        last = (image.copy(), t_ms)  # the picture, undrawn, for the end card
                        overlay.annotate(image, result)
                        writer.write(image, t_ms)
                except Exception as exc:  # noqa: BLE001
                    failed = True
                    writer.abort()
                    outbox.send(("error", one_line(exc)))
                finally:
                    os.write(free, bytes((k,)))
            elif msg[0] == "close" and not failed:
                write_end_card(writer, overlay, last, msg[1], args["fps"])
                writer.close()
                outbox.send(("closed",))
                return
            else:  # abort, or close after a failure
                writer.abort()
                outbox.send(("aborted",))
                return
    except (OSError, EOFError):  # the main process is gone: leave no partial file
        writer.abort()
    except Exception as exc:  # noqa: BLE001 (e.g. the final flush failed)
        writer.abort()
        outbox.send(("error", one_line(exc)))


def _worker_main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C
    leave_first_core()
    role, args = argv[0], json.loads(argv[1])
    {"decoder": _decode, "encoder": _encode}[role](args)
    return 0


if __name__ == "__main__":
    code = _worker_main(sys.argv[1:])
    # the work is done and its file closed: skip the interpreter's teardown (~50 ms of freeing
    # modules), which the main process would otherwise wait for at the end of every replay
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
