"""The project lock: one writer at a time, and a waiter is told who the writer is.

An exclusive ``fcntl.flock`` on ``.blueprintgen/lock``, re-entrant within a thread. The
holder writes its pid and command line into the file, so that a second run that gives up
waiting can name it, and removes the file when it lets go (and ``.blueprintgen`` too, if
taking the lock created it and it is empty again). A lock file left by a killed holder is
taken over: the kernel released its lock when it died.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from blueprintgen.errors import BlueprintgenError, ProjectError, UsageError, WriteError, os_error_hint
from blueprintgen.project import STATE_DIR

LOCK = f"{STATE_DIR}/lock"
LOCK_TIMEOUT_ENV = "BLUEPRINTGEN_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 5.0
_POLL = 0.05


@dataclass
class _HeldLock:
    descriptor: int
    path: Path
    state_dir: Path
    created_state_dir: bool


_held: dict[tuple[Path, int, int], _HeldLock] = {}


def _lock_timeout(timeout: float | None) -> float:
    if timeout is not None:
        return timeout
    value = os.environ.get(LOCK_TIMEOUT_ENV)
    if not value:
        return DEFAULT_LOCK_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:  # also refuses NaN
        raise UsageError(
            f"{LOCK_TIMEOUT_ENV}={value!r} is not a number of seconds",
            hint=f"set it to how long to wait for another run, e.g. {LOCK_TIMEOUT_ENV}=30",
        )
    return seconds


@contextlib.contextmanager
def locked(root: Path, *, timeout: float | None = None) -> Iterator[None]:
    """Hold the project's exclusive lock; re-entrant within a thread.

    Waits up to ``timeout`` seconds (default ``$BLUEPRINTGEN_LOCK_TIMEOUT``, else 5) for
    another holder, then raises a :class:`ProjectError` naming its pid and command.
    """
    key = _key(root)
    if key in _held:
        yield
        return
    lock = _acquire(key[0], _lock_timeout(timeout))
    _held[key] = lock
    try:
        yield
    finally:
        del _held[key]
        _release(lock)


def _key(root: Path) -> tuple[Path, int, int]:
    return (root.resolve(), os.getpid(), threading.get_ident())


def _acquire(root: Path, timeout: float) -> _HeldLock:
    import fcntl

    state_dir = root / STATE_DIR
    path = root / LOCK
    deadline = time.monotonic() + timeout
    while True:
        created = False
        try:
            state_dir.mkdir()
            created = True
        except FileExistsError:
            pass
        except OSError as error:
            raise _lock_error(root, error) from None
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        except FileNotFoundError:  # the holder removed the folder as it finished: again
            continue
        except OSError as error:
            raise _lock_error(root, error) from None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            if time.monotonic() >= deadline:
                raise _busy(path, timeout) from None
            time.sleep(_POLL)
            continue
        except BaseException:
            os.close(descriptor)
            raise
        # The previous holder removes the file before it lets go: a lock on a file that
        # is no longer at ``path`` excludes nobody, so open the new one.
        try:
            current = path.stat()
            mine = os.fstat(descriptor)
            same = (current.st_dev, current.st_ino) == (mine.st_dev, mine.st_ino)
        except FileNotFoundError:
            same = False
        if not same:
            os.close(descriptor)
            continue
        try:
            # What a killed holder left: if it had created .blueprintgen, so have we.
            created = created or bool(_holder(descriptor).get("created_state_dir"))
            _record_holder(descriptor, created)
        except BaseException:
            os.close(descriptor)
            raise
        return _HeldLock(descriptor, path, state_dir, created)


def _record_holder(descriptor: int, created_state_dir: bool) -> None:
    """Who holds the lock, for a waiter's message; a full disk leaves it unsaid, not unlocked."""
    record = {"pid": os.getpid(), "command": command_line(), "since": timestamp()}
    data = json.dumps({**record, "created_state_dir": created_state_dir}).encode()
    with contextlib.suppress(OSError):
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, data, 0)


def _release(lock: _HeldLock) -> None:
    # Remove the file while still holding it, so a waiter that locked the old file sees
    # it gone and opens a new one; then the folder, if this lock created it and it is
    # empty again (a write that rolled back, in a folder that was not a project before).
    with contextlib.suppress(OSError):
        lock.path.unlink()
    if lock.created_state_dir:
        with contextlib.suppress(OSError):
            lock.state_dir.rmdir()
    os.close(lock.descriptor)


def _holder(descriptor: int) -> dict[str, Any]:
    try:
        data = json.loads(os.pread(descriptor, 4096, 0) or b"{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _busy(path: Path, timeout: float) -> ProjectError:
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        holder: dict[str, Any] = {}
    else:
        try:
            holder = _holder(descriptor)
        finally:
            os.close(descriptor)
    if "pid" in holder:
        who = f"process {holder['pid']} ({holder.get('command', 'unknown command')}, since {holder.get('since', '?')})"
    else:
        who = "another process"
    return ProjectError(
        f"another blueprintgen run is writing this project: {who}; gave up after waiting {timeout:g} s",
        path=LOCK,
        hint=f"let it finish, then run this command again ({LOCK_TIMEOUT_ENV}=SECONDS waits longer)",
    )


def _lock_error(root: Path, error: OSError) -> BlueprintgenError:
    if isinstance(error, FileNotFoundError):
        return ProjectError("the project folder does not exist", path=root)
    return WriteError(
        f"cannot take the project lock ({error.strerror or error}); nothing was written",
        path=LOCK,
        hint=os_error_hint(error),
    )


def command_line() -> str:
    """This process's command line, shortened, to name it to another."""
    words = [Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python", *sys.argv[1:]]
    text = " ".join(words)
    return text if len(text) <= 200 else text[:199] + "…"


def timestamp() -> str:
    """Now, in local time with its offset, for a record a person may read."""
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")
