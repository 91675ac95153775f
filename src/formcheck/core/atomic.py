"""Atomic file writes: a reader (or a crash) never sees a half-written report or track."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path
from typing import IO, Iterator


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open a temporary file beside ``path``; on success fsync and rename it over ``path``.

    On an exception the temporary file is removed and ``path`` is left as it was.
    """
    path = Path(path)
    binary = "b" in mode
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder (give a file name)", str(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    except OSError as exc:  # name the file asked for, not the temporary one
        raise type(exc)(exc.errno, exc.strerror, str(path)) from None
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file normal permissions
        with os.fdopen(fd, mode, encoding=None if binary else encoding) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.errno and exc.filename in (None, tmp):
            # writing it failed (a full disk says no file name): name the file asked for
            raise type(exc)(exc.errno, exc.strerror, str(path)) from None
        raise


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """Both exist and are one file (by any path: links, ../, a folder given two ways)."""
    try:
        return os.path.exists(a) and os.path.exists(b) and os.path.samefile(a, b)
    except OSError:
        return False


def refuse_overwriting(target: str | os.PathLike, *inputs: str | os.PathLike | None) -> None:
    """Raise FileExistsError when writing ``target`` would replace one of the command's own
    ``inputs`` (the same file by any path), e.g. ``history --csv`` given the history database."""
    for i in inputs:
        if i is not None and same_file(target, i):
            raise FileExistsError(errno.EEXIST, "that is what this command reads; refusing to overwrite it "
                                                "(choose another output)", str(target))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    with atomic_open(path, "w") as fh:
        fh.write(text)
