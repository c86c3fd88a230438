"""Every write to a project is a transaction: all of it lands, or none of it does.

A write (:func:`write`, which ``writer.write_all`` calls) runs in six steps:

1. **Lock.** :func:`locked` (lock.py) takes an exclusive ``fcntl.flock`` on
   ``.blueprintgen/lock`` and writes the holder's pid and command line into it, so that a
   second run can name it.
2. **Journal.** ``.blueprintgen/journal.json`` records every file the run will create,
   replace or remove, the temporary name beside it that holds its new content, the backup
   name beside it that will hold its old one, and the folders the run creates. It is
   written to a side name, fsynced and renamed into place: it exists whole or not at all.
3. **Stage.** Every new content goes to its temporary name, fsynced, with the mode the
   target will have (the umask's for a new file, the old one's for a replaced file). Every
   file to be replaced gets its backup as a hard link (nothing is copied; where a file
   system has no hard links, the file is renamed to its backup instead).
4. **Swap.** Temporaries are renamed over their targets, removed files renamed to their
   backups: project files first, the state (``.blueprintgen/*`` and ``blueprintgen.yaml``)
   last, so the state never describes files that are not there.
5. **Commit.** The journal is renamed to ``.blueprintgen/journal.committed``. This one
   rename is the moment the run has happened.
6. **Clean up.** Backups are removed, folders that removals emptied are pruned, the
   committed journal is removed, the lock is released (and its file removed).

Any exception, KeyboardInterrupt or SIGTERM before step 5 rolls back (SIGINT and SIGTERM
raise for the duration of the write; the previous handlers are restored after it): backups
are renamed back over their targets, created files and temporaries removed, created
folders that are empty again removed, and the journal removed; the write then raises
:class:`WriteError` (naming the target, never a temporary) or :class:`Interrupted` (exit
130, or 143 for SIGTERM), saying whether the rollback was complete. A signal that comes
once the commit has begun waits, and is delivered when the lock is released.

Every step of a rollback checks what is on disk rather than what the run remembers,
which is why the same rollback serves a run that was killed: after SIGKILL or power loss, :func:`recover` finds the
journal and rolls back (or, after step 5, finishes the clean-up). It is idempotent, may
itself be interrupted and run again, and handles a kill that came while the journal was
being written (nothing had been touched yet). It returns a :class:`Recovery` whose
``message`` says what it did.

Wiring. Every command that writes wraps its whole run, from before it reads the project
until after it writes, in :func:`begin`::

    with transaction.begin(root) as recovered:
        if recovered:
            report(recovered.message)   # an earlier run was interrupted; say what was undone
        ...read blueprintgen.yaml and the manifest, plan, writer.write_all(root, writes)...

A command that only reads may call :func:`pending` (no lock, no write) to find out
whether a killed run left the project half-written, and then :func:`recover` or say so.

``begin`` takes the lock (waiting up to ``timeout`` seconds, default
``$BLUEPRINTGEN_LOCK_TIMEOUT`` or 5, then failing with a :class:`ProjectError` naming the
other process) and runs :func:`recover`. The lock is re-entrant within a thread, so
``write_all`` inside it does not wait for itself; ``write_all`` outside it takes the lock
for the write alone (and refuses to write over a rolled-back interrupted run, whose
half-written files the caller's plan would have been made from).

The lock's own calls (mkdir of ``.blueprintgen``, the lock file) are not journaled: a
failure to take the lock writes nothing, and a lock file left by a killed run is simply
taken over by the next one.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import signal
import stat
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import FrameType
from typing import Any, Literal

from blueprintgen.errors import BlueprintgenError, Interrupted, ProjectError, WriteError, os_error_hint
from blueprintgen.lock import LOCK, LOCK_TIMEOUT_ENV, command_line, locked, timestamp
from blueprintgen.project import PROJECT_FILE, STATE_DIR

__all__ = [
    "COMMITTED",
    "JOURNAL",
    "LOCK",
    "LOCK_TIMEOUT_ENV",
    "RESERVED",
    "FileSystem",
    "Recovery",
    "begin",
    "is_state",
    "locked",
    "pending",
    "recover",
    "write",
]

JOURNAL = f"{STATE_DIR}/journal.json"
COMMITTED = f"{STATE_DIR}/journal.committed"
JOURNAL_PART = f"{STATE_DIR}/journal.json.part"
RESERVED = frozenset({JOURNAL, COMMITTED, JOURNAL_PART, LOCK})
"""Paths of the transaction machinery; no write may name them."""

_FLUSH_BATCH = 128  # files open at once while staging: well below any limit on open files
_TEMPORARY_PREFIX = ".blueprintgen-"

# Hard links are refused by some file systems (FAT, some network and FUSE mounts): there a
# file is renamed to its backup instead, which is as atomic but leaves it absent until the
# swap puts its new content in place.
_NO_HARD_LINKS = {errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS}
# What rmdir says of a folder that simply is not empty (or is gone): not a failure.
_FOLDER_IN_USE = {errno.ENOTEMPTY, errno.EEXIST, errno.ENOENT}


def is_state(relative: str) -> bool:
    """Whether ``relative`` is part of the project's state, which a write commits last."""
    return relative == PROJECT_FILE or relative.startswith(f"{STATE_DIR}/")


class FileSystem:
    """Every system call by which a transaction changes the disk, one method each.

    The one place they happen, so that a test can fail any one of them (the k-th call of
    a write, for every k) and check that the project is left as it was.
    """

    def open_new(self, path: Path, mode: int) -> int:
        return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)

    def fchmod(self, descriptor: int, mode: int) -> None:
        os.fchmod(descriptor, mode)

    def write(self, descriptor: int, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]

    def start_writeback(self, descriptor: int) -> None:
        """Ask the disk to start writing the file now (Linux), so that the fsyncs that follow
        find a batch of files written together instead of waiting for each in turn."""
        if hasattr(os, "posix_fadvise"):
            os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)

    def fsync(self, descriptor: int) -> None:
        os.fsync(descriptor)

    def close(self, descriptor: int) -> None:
        os.close(descriptor)

    def link(self, source: Path, destination: Path) -> None:
        os.link(source, destination, follow_symlinks=False)

    def replace(self, source: Path, destination: Path) -> None:
        os.replace(source, destination)

    def unlink(self, path: Path) -> None:
        path.unlink()

    def mkdir(self, path: Path) -> None:
        path.mkdir()

    def rmdir(self, path: Path) -> None:
        path.rmdir()

    def sync_folder(self, path: Path) -> None:
        """Make renames, links and removals in ``path`` durable (its entries are data too)."""
        descriptor = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


FS = FileSystem()


# --- the journal ---------------------------------------------------------------------


Action = Literal["create", "replace", "remove"]


@dataclass(frozen=True)
class Entry:
    """One file of a transaction; every path is relative to the project, in POSIX form."""

    path: str
    action: Action
    temporary: str | None  # holds the new content; None for a removal
    backup: str | None  # holds the old content once staged; None for a creation


@dataclass(frozen=True)
class Journal:
    """What a run is about to do, written before it does any of it."""

    id: str
    pid: int
    command: str
    started: str
    folders: tuple[str, ...]  # created by the run, each after its parent
    entries: tuple[Entry, ...]

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": 1,
                "id": self.id,
                "pid": self.pid,
                "command": self.command,
                "started": self.started,
                "folders": list(self.folders),
                "entries": [entry.__dict__ for entry in self.entries],
            },
            indent=1,
        )

    @classmethod
    def from_json(cls, text: str, where: str) -> Journal:
        """The journal in ``text``; a journal that is damaged or points outside the project is refused."""
        try:
            data = json.loads(text)
            entries = tuple(
                Entry(
                    path=_checked(item["path"]),
                    action=_action(item["action"]),
                    temporary=None if item["temporary"] is None else _checked(item["temporary"]),
                    backup=None if item["backup"] is None else _checked(item["backup"]),
                )
                for item in data["entries"]
            )
            return cls(
                id=str(data["id"]),
                pid=int(data["pid"]),
                command=str(data["command"]),
                started=str(data["started"]),
                folders=tuple(_checked(folder) for folder in data["folders"]),
                entries=entries,
            )
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
            raise ProjectError(
                f"the journal of an interrupted run cannot be read ({error})",
                path=where,
                hint=f"restore the project from version control, then delete {where}",
            ) from None


def _checked(relative: object) -> str:
    if not isinstance(relative, str) or not relative:
        raise ValueError(f"{relative!r} is not a path")
    path = PurePosixPath(relative)
    if path.is_absolute() or ".." in path.parts or "\0" in relative:
        raise ValueError(f"{relative!r} is outside the project")
    return relative


def _action(value: object) -> Action:
    if value == "create":
        return "create"
    if value == "replace":
        return "replace"
    if value == "remove":
        return "remove"
    raise ValueError(f"unknown action {value!r}")


# --- signals -------------------------------------------------------------------------


class _Terminated(BaseException):
    """SIGTERM arrived while a write was under way."""


class _Signals:
    """SIGINT and SIGTERM raise, so that ``finally`` clauses run and the lock is released
    (SIGTERM's default kills at once, leaving the lock file behind). While a write rolls
    back or commits, or a recovery runs, they wait: to the end of the recovery, or, for a
    write, until it is over, when they go to the handlers that were there before."""

    def __init__(self) -> None:
        self.previous: dict[int, Any] = {}
        self.deferring = False
        self.pending: int | None = None

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.deferring:
            self.pending = signum
            return
        _raise_for(signum)

    def __enter__(self) -> _Signals:
        if threading.current_thread() is not threading.main_thread():
            return self  # signals are handled in the main thread only
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous = signal.getsignal(signum)
            if previous is signal.SIG_IGN or previous is None:
                continue  # ignored on purpose (nohup), or set outside Python: leave it
            self.previous[signum] = previous
            signal.signal(signum, self._handle)
        _guards.append(self)
        return self

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        if self in _guards:
            _guards.remove(self)
        for signum, previous in self.previous.items():
            signal.signal(signum, previous)
        if self.pending is not None and error is None:  # else the write raises Interrupted
            signal.raise_signal(self.pending)  # the write is complete: now it does what it would have

    def defer(self) -> None:
        """From now on a signal waits until the write is over (it is rolling back or committed)."""
        self.deferring = True


_guards: list[_Signals] = []  # of the main thread, innermost last


def _raise_for(signum: int) -> None:
    if signum == signal.SIGTERM:
        raise _Terminated
    raise KeyboardInterrupt


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Signals wait while the body runs (under a guard of this thread), then act."""
    main = threading.current_thread() is threading.main_thread()
    guard = _guards[-1] if _guards and main else None
    if guard is None or guard.deferring:
        yield
        return
    guard.deferring = True
    try:
        yield
    finally:
        guard.deferring = False
    if guard.pending is not None:
        signum, guard.pending = guard.pending, None
        _raise_for(signum)


# --- the write -----------------------------------------------------------------------


@dataclass
class _Step:
    """The target the run is working on, so that an error names it (never a temporary)."""

    path: str = JOURNAL
    verb: str = "writing"


def write(root: Path, changes: Sequence[tuple[str, bytes | None]]) -> None:
    """Write every ``(relative path, content)`` (None removes the file), or none of them.

    ``changes`` are swapped into place in their order: the caller puts the state last.
    Their paths must already be checked to stay inside the project. Raises
    :class:`WriteError` (an OS error, naming the target) or :class:`Interrupted` (SIGINT or
    SIGTERM) after rolling back, with a message that says whether the rollback is complete.
    """
    try:
        with _Signals() as signals, locked(root):  # the lock is released before a signal acts
            earlier = _recover_locked(root)
            if earlier is not None and (earlier.restored or earlier.removed):
                raise ProjectError(
                    f"{earlier.message} This command had read the project while that run's files "
                    "were on disk, so it wrote nothing",
                    path=STATE_DIR,
                    hint="run this command again",
                )
            journal, contents, modes = _plan(root, changes)
            if journal.entries:
                _run(root, journal, contents, modes, signals)
    except _Terminated:  # before the write began (during it, _run says what it undid)
        raise _terminated("before this command wrote any of its files") from None


def _terminated(when: str) -> Interrupted:
    from blueprintgen.errors import ExitCode

    error = Interrupted(f"terminated (SIGTERM) {when}")
    error.exit_code = ExitCode.TERMINATED
    return error


def _plan(
    root: Path, changes: Sequence[tuple[str, bytes | None]]
) -> tuple[Journal, dict[str, bytes], dict[str, int]]:
    """The journal of a write, the new contents and the modes to keep, from what is on disk now."""
    run_id = os.urandom(4).hex()  # with the index, unique beside every target
    entries: list[Entry] = []
    folders: dict[str, None] = {}  # an ordered set: each folder after its parent
    existing_folders: set[str] = set()
    contents: dict[str, bytes] = {}
    modes: dict[str, int] = {}
    for index, (relative, content) in enumerate(changes):
        status = _status(root, relative)
        if status is not None and stat.S_ISDIR(status.st_mode):
            raise WriteError(
                "is a folder, so no file can be written there; nothing was written", path=relative
            )
        if content is None and status is None:
            continue  # removing what is not there
        folder = PurePosixPath(relative).parent
        name = f"{_TEMPORARY_PREFIX}{run_id}-{index}"
        action: Action
        if content is None:
            action = "remove"
        elif status is None:
            action = "create"
            contents[relative] = content
            for parent in reversed(PurePosixPath(relative).parents[:-1]):
                key = parent.as_posix()
                if key in folders or key in existing_folders:
                    continue
                # Followed: a folder may be a link to one inside the project (the writer checked).
                parent_status = _status(root, key, follow=True)
                if parent_status is None:
                    folders[key] = None
                elif stat.S_ISDIR(parent_status.st_mode):
                    existing_folders.add(key)
                else:
                    raise _blocked(relative, key)
        else:
            action = "replace"
            contents[relative] = content
            modes[relative] = stat.S_IMODE(status.st_mode)
        entries.append(
            Entry(
                relative,
                action,
                temporary=None if content is None else (folder / f"{name}.new").as_posix(),
                backup=None if status is None else (folder / f"{name}.old").as_posix(),
            )
        )
    journal = Journal(
        id=run_id,
        pid=os.getpid(),
        command=command_line(),
        started=timestamp(),
        folders=tuple(folders),
        entries=tuple(entries),
    )
    return journal, contents, modes


def _status(root: Path, relative: str, *, follow: bool = False) -> os.stat_result | None:
    try:
        return (root / relative).stat(follow_symlinks=follow)
    except FileNotFoundError:
        return None
    except NotADirectoryError:
        parents = [p.as_posix() for p in reversed(PurePosixPath(relative).parents[:-1])]
        blocker = next((p for p in parents if (root / p).exists() and not (root / p).is_dir()), None)
        raise _blocked(relative, blocker) from None
    except OSError as error:
        raise WriteError(
            f"cannot be read ({error.strerror or error}); nothing was written",
            path=relative,
            hint=os_error_hint(error),
        ) from None


def _blocked(relative: str, blocker: str | None) -> WriteError:
    what = f"{blocker} is a file, not a folder" if blocker else "a folder on its path is a file"
    return WriteError(f"cannot be written because {what}; nothing was written", path=relative)


def _run(
    root: Path, journal: Journal, contents: dict[str, bytes], modes: dict[str, int], signals: _Signals
) -> None:
    step = _Step()
    try:
        _write_journal(root, journal)
        _stage(root, journal, contents, modes, step)
        _sync(root, journal, step)
        _swap(root, journal, step)
        _sync(root, journal, step)
        step.path, step.verb = JOURNAL, "committing"
        signals.defer()
        FS.replace(root / JOURNAL, root / COMMITTED)
    except BaseException as error:
        signals.defer()
        _, _, failures = _roll_back(root, journal)
        replacement = _failure(error, step, failures, kept=_exists(root / JOURNAL))
        if replacement is None:
            raise
        raise replacement from None
    failures = _finish(root, journal)
    if failures:
        path, failure = failures[0]
        raise WriteError(
            f"every file was written, but cleaning up failed ({failure.strerror or failure}); {COMMITTED} "
            "is kept, and the next blueprintgen command in this project finishes the clean-up",
            path=path,
            hint=os_error_hint(failure),
        )


def _write_journal(root: Path, journal: Journal) -> None:
    _write_file(root / JOURNAL_PART, journal.to_json().encode(), None)
    FS.replace(root / JOURNAL_PART, root / JOURNAL)
    FS.sync_folder(root / STATE_DIR)


def _write_file(path: Path, data: bytes, mode: int | None) -> None:
    """A new file, fsynced: with ``mode``, or, for None, as the umask makes it."""
    descriptor = _write_unflushed(path, data, mode)
    try:
        FS.fsync(descriptor)
    except BaseException:
        with contextlib.suppress(OSError):
            os.close(descriptor)
        raise
    FS.close(descriptor)


def _write_unflushed(path: Path, data: bytes, mode: int | None) -> int:
    """A new file with ``data``, still open and not yet flushed: its descriptor."""
    descriptor = FS.open_new(path, 0o666 if mode is None else 0o600)
    try:
        if mode is not None:
            FS.fchmod(descriptor, mode)  # not subject to the umask, unlike open's mode
        FS.write(descriptor, data)
    except BaseException:
        with contextlib.suppress(OSError):
            os.close(descriptor)
        raise
    return descriptor


def _stage(
    root: Path, journal: Journal, contents: dict[str, bytes], modes: dict[str, int], step: _Step
) -> None:
    needed_by = _needed_by(journal)
    for folder in journal.folders:
        step.path, step.verb = needed_by[folder], f"creating its folder {folder}"
        FS.mkdir(root / folder)
    for start in range(0, len(journal.entries), _FLUSH_BATCH):
        _stage_batch(root, journal.entries[start : start + _FLUSH_BATCH], contents, modes, step)


def _stage_batch(
    root: Path, entries: Sequence[Entry], contents: dict[str, bytes], modes: dict[str, int], step: _Step
) -> None:
    """Write a batch of temporaries and back-ups, then flush the temporaries together.

    An fsync straight after each write waits for the disk once per file; a batch written
    back at once costs little more than writing it (a third of the time for a new project).
    """
    unflushed: list[tuple[str, int]] = []
    try:
        for entry in entries:
            step.path, step.verb = entry.path, "writing"
            if entry.temporary is not None:
                descriptor = _write_unflushed(
                    root / entry.temporary, contents[entry.path], modes.get(entry.path)
                )
                unflushed.append((entry.path, descriptor))
            if entry.action == "replace" and entry.backup is not None:
                _back_up(root / entry.path, root / entry.backup)
        for path, descriptor in unflushed:
            step.path = path
            FS.start_writeback(descriptor)
        while unflushed:
            step.path, descriptor = unflushed[0]
            FS.fsync(descriptor)
            del unflushed[0]
            FS.close(descriptor)
    except BaseException:
        for _, descriptor in unflushed:
            with contextlib.suppress(OSError):
                os.close(descriptor)
        raise


def _back_up(target: Path, backup: Path) -> None:
    try:
        FS.link(target, backup)
    except OSError as error:
        if error.errno not in _NO_HARD_LINKS:
            raise
        FS.replace(target, backup)


def _swap(root: Path, journal: Journal, step: _Step) -> None:
    for entry in journal.entries:
        step.path = entry.path
        if entry.action == "remove":
            step.verb = "removing"
            if entry.backup is not None:
                FS.replace(root / entry.path, root / entry.backup)
        elif entry.temporary is not None:
            step.verb = "writing"
            FS.replace(root / entry.temporary, root / entry.path)


def _touched_folders(journal: Journal) -> dict[str, str]:
    """Every folder whose entries a run changes, with a target in it to name in an error."""
    folders: dict[str, str] = {}
    for entry in journal.entries:
        folders.setdefault(PurePosixPath(entry.path).parent.as_posix(), entry.path)
    needed_by = _needed_by(journal)
    for folder in journal.folders:
        folders.setdefault(PurePosixPath(folder).parent.as_posix(), needed_by[folder])
    return folders


def _needed_by(journal: Journal) -> dict[str, str]:
    """The first target in each folder of a run, to name when creating the folder fails."""
    needed_by: dict[str, str] = {}
    for entry in journal.entries:
        for parent in PurePosixPath(entry.path).parents[:-1]:
            needed_by.setdefault(parent.as_posix(), entry.path)
    return needed_by


def _sync(root: Path, journal: Journal, step: _Step) -> None:
    """Make the run's folder entries durable (each file was fsynced as it was written).

    Not one syncfs(2) for all: it would also wait for every other process's unwritten data
    on the same disk, however much there is.
    """
    for folder, target in _touched_folders(journal).items():
        step.path, step.verb = target, "saving to disk"
        FS.sync_folder(root / folder)


def _exists(path: Path) -> bool:
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    return True


def _same_file(first: Path, second: Path) -> bool:
    try:
        one, other = os.lstat(first), os.lstat(second)
    except (FileNotFoundError, NotADirectoryError):
        return False
    return (one.st_dev, one.st_ino) == (other.st_dev, other.st_ino)


def _put_back(root: Path, entry: Entry) -> Literal["restored", "removed"] | None:
    """Put one target back as it was before the run; say what that took."""
    target = root / entry.path
    if entry.backup is not None and _exists(root / entry.backup):
        if _same_file(root / entry.backup, target):
            # Still the hard link of a target not swapped yet (and rename() of one link
            # onto another of the same file does nothing): drop the link.
            _unlink_if_there(root / entry.backup)
            return None
        FS.replace(root / entry.backup, target)
        return "restored"
    if entry.action == "create" and _exists(target):
        _unlink_if_there(target)
        return "removed"
    return None


def _unlink_if_there(path: Path) -> None:
    try:
        if _exists(path):
            FS.unlink(path)
    except FileNotFoundError:
        pass


def _roll_back(root: Path, journal: Journal) -> tuple[list[str], list[str], list[tuple[str, OSError]]]:
    """Undo a run from what is on disk: (restored, removed, failures). Idempotent.

    A backup on disk means its target's old content is there to put back; a created file
    is removed; temporaries go; created folders go when empty. The journal goes last, and
    only when nothing failed, so that a rollback cut short is finished by the next one.
    """
    restored: list[str] = []
    removed: list[str] = []
    failures: list[tuple[str, OSError]] = []
    for entry in reversed(journal.entries):
        try:
            undone = _put_back(root, entry)
        except OSError as error:
            failures.append((entry.path, error))
            undone = None
        if undone == "restored":
            restored.append(entry.path)
        elif undone == "removed":
            removed.append(entry.path)
        try:
            if entry.temporary is not None:
                _unlink_if_there(root / entry.temporary)
        except OSError as error:
            failures.append((entry.path, error))
    for folder in reversed(journal.folders):
        try:
            FS.rmdir(root / folder)
        except OSError as error:
            if error.errno not in _FOLDER_IN_USE:
                failures.append((folder, error))
    failures.extend(_sync_quietly(root, journal))
    if not failures:
        try:
            for name in (JOURNAL, JOURNAL_PART):
                if _exists(root / name):
                    FS.unlink(root / name)
        except FileNotFoundError:
            pass
        except OSError as error:
            failures.append((JOURNAL, error))
        else:
            _sync_after_journal(root)
    return restored, removed, failures


def _finish(root: Path, journal: Journal) -> list[tuple[str, OSError]]:
    """Clean up after a committed run: backups, emptied folders, the journal. Idempotent."""
    failures: list[tuple[str, OSError]] = []
    for entry in journal.entries:
        for leftover in (entry.backup, entry.temporary):
            try:
                if leftover is not None and _exists(root / leftover):
                    FS.unlink(root / leftover)
            except FileNotFoundError:
                continue
            except OSError as error:
                failures.append((entry.path, error))
    for entry in journal.entries:
        if entry.action != "remove":
            continue
        folder = PurePosixPath(entry.path).parent
        while folder.parts:
            try:
                FS.rmdir(root / folder)
            except OSError as error:
                if error.errno not in _FOLDER_IN_USE:
                    failures.append((entry.path, error))
                break
            folder = folder.parent
    failures.extend(_sync_quietly(root, journal))
    if not failures:
        try:
            FS.unlink(root / COMMITTED)
        except FileNotFoundError:
            pass
        except OSError as error:
            failures.append((COMMITTED, error))
        else:
            _sync_after_journal(root)
    return failures


def _sync_after_journal(root: Path) -> None:
    """Make a journal's removal durable, as far as the disk lets us.

    A failure changes nothing that matters: should the journal come back after a power
    loss, recovering from it again finds everything done (rolling back and finishing are
    idempotent), and the next run's own journal makes the folder durable anyway.
    """
    with contextlib.suppress(OSError):
        FS.sync_folder(root / STATE_DIR)


def _sync_quietly(root: Path, journal: Journal) -> list[tuple[str, OSError]]:
    """As :func:`_sync`, for a rollback or clean-up: failures returned, not raised."""
    failures: list[tuple[str, OSError]] = []
    for folder, target in _touched_folders(journal).items():
        try:
            FS.sync_folder(root / folder)
        except FileNotFoundError:
            continue  # a created folder, removed again
        except OSError as error:
            failures.append((target, error))
    return failures


def _failure(
    error: BaseException, step: _Step, failures: list[tuple[str, OSError]], *, kept: bool
) -> BlueprintgenError | None:
    """The error to raise for ``error`` after a rollback, saying truly how the project was left."""
    if not failures:
        outcome = "every file is as it was before this command"
    else:
        path, failure = failures[0]
        outcome = (
            f"rolling back failed too ({path}: {failure.strerror or failure}), so the project is half-written"
        )
        outcome += (
            f"; {JOURNAL} is kept, and the next blueprintgen command in this project finishes the rollback"
            if kept
            else ""
        )
    if isinstance(error, OSError):
        return WriteError(
            f"{step.verb} failed ({error.strerror or error}); {outcome}",
            path=step.path,
            hint=os_error_hint(error),
        )
    if isinstance(error, KeyboardInterrupt):
        return Interrupted(f"interrupted while writing; {outcome}")
    if isinstance(error, _Terminated):
        return _terminated(f"while writing; {outcome}")
    return None  # a bug or an error of our own: raised as it is, after the rollback


# --- recovery ------------------------------------------------------------------------


@dataclass(frozen=True)
class Recovery:
    """What :func:`recover` did about a run that was killed."""

    outcome: Literal["rolled back", "completed", "discarded"]
    pid: int | None = None
    command: str | None = None
    started: str | None = None
    restored: tuple[str, ...] = ()  # files put back as they were before that run
    removed: tuple[str, ...] = ()  # files that run had created, removed

    @property
    def message(self) -> str:
        """One sentence for the user, saying what was found and what was done."""
        who = f" (process {self.pid}: {self.command}, started {self.started})" if self.pid else ""
        if self.outcome == "rolled back" and (self.restored or self.removed):
            return (
                f"an earlier blueprintgen run{who} was interrupted while writing; it has been rolled "
                f"back ({_count(self.restored, 'file')} restored, {_count(self.removed, 'file')} it had "
                "created removed), so the project is as it was before that run."
            )
        if self.outcome == "rolled back":
            return (
                f"an earlier blueprintgen run{who} was interrupted before it had changed any file; "
                "its temporary files have been removed, so the project is as it was before that run."
            )
        if self.outcome == "completed":
            return (
                f"an earlier blueprintgen run{who} was interrupted after it had written every file; "
                "its leftover backup copies have been removed."
            )
        return (
            "an earlier blueprintgen run was interrupted before it had changed anything; "
            "its unfinished journal has been removed."
        )


def _count(items: Sequence[str], noun: str) -> str:
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


def pending(root: Path) -> bool:
    """Whether a killed run left a journal in ``root`` (cheap; takes no lock, changes nothing).

    For a command that only reads: a half-written project would mislead it, and it may
    not be allowed to write the lock; it can say so, or call :func:`recover`.
    """
    return any(_exists(root / name) for name in (JOURNAL, COMMITTED, JOURNAL_PART))


def recover(root: Path) -> Recovery | None:
    """Roll back (or finish) a run that was killed in ``root``; None when there was none.

    Takes the project lock when there is a journal (a run that is still alive holds it,
    and is waited for), and nothing at all when there is none. Idempotent; if it is itself
    interrupted, running it again finishes the work.
    """
    if not pending(root):
        return None
    with locked(root):
        return _recover_locked(root)


@contextlib.contextmanager
def begin(root: Path, *, timeout: float | None = None) -> Iterator[Recovery | None]:
    """The start of every writing command: take the project lock, recover from a killed run.

    Hold it from before the project is read until after it is written; yields what
    :func:`recover` did (None when there was nothing to recover), for the command to report.
    Meanwhile SIGTERM raises, so that the lock is released, and ends in :class:`Interrupted`
    (exit 143): a write under way has rolled back by then, and any other is complete.
    """
    try:
        with _Signals(), locked(root, timeout=timeout):
            yield _recover_locked(root)
    except _Terminated:
        raise _terminated("with no file half-written") from None


def _recover_locked(root: Path) -> Recovery | None:
    if not pending(root):
        return None
    with _signals_held():  # a recovery cut short is finished by the next, but a whole one reads better
        return _recover_found(root)


def _recover_found(root: Path) -> Recovery | None:
    result: Recovery | None = None
    if _exists(root / COMMITTED):
        journal = _load(root, COMMITTED)
        failures = _finish(root, journal)
        if failures:
            raise _recovery_failed(failures, COMMITTED)
        result = Recovery("completed", journal.pid, journal.command, journal.started)
    if _exists(root / JOURNAL):
        journal = _load(root, JOURNAL)
        restored, removed, failures = _roll_back(root, journal)
        if failures:
            raise _recovery_failed(failures, JOURNAL)
        result = Recovery(
            "rolled back", journal.pid, journal.command, journal.started, tuple(restored), tuple(removed)
        )
    if _exists(root / JOURNAL_PART):  # killed while writing the journal: nothing else was touched
        try:
            FS.unlink(root / JOURNAL_PART)
        except FileNotFoundError:
            pass
        except OSError as error:
            raise _recovery_failed([(JOURNAL_PART, error)], JOURNAL_PART) from None
        result = result or Recovery("discarded")
    return result


def _load(root: Path, name: str) -> Journal:
    try:
        text = (root / name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ProjectError(
            f"the journal of an interrupted run cannot be read ({error})",
            path=name,
            hint=f"restore the project from version control, then delete {name}",
        ) from None
    return Journal.from_json(text, name)


def _recovery_failed(failures: list[tuple[str, OSError]], journal: str) -> WriteError:
    path, error = failures[0]
    return WriteError(
        f"recovering from an interrupted blueprintgen run failed ({error.strerror or error}); "
        f"{journal} is kept: once the cause is fixed, the next blueprintgen command finishes the recovery",
        path=path,
        hint=os_error_hint(error),
    )
