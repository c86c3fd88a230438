"""One exception hierarchy: every error knows where it happened and words its own message."""

from __future__ import annotations

import errno
from enum import IntEnum
from pathlib import Path
from typing import Any


class ExitCode(IntEnum):
    """What blueprintgen's exit status means: the one table, as the README gives it."""

    DONE = 0
    """The command did what it was asked (or found nothing to do)."""
    PROBLEMS = 1
    """Problems found: in blueprints, the project or its files (validation, conflicts, drift)."""
    USAGE = 2
    """The command line is wrong: an argument, option, name or field spec."""
    NOT_APPLIED = 3
    """A plan was shown and not applied: declined at the prompt, or ``--yes`` needed off a terminal."""
    INTERRUPTED = 130
    """Ctrl-C (128 + SIGINT, as a shell reports it); a write under way was rolled back."""
    TERMINATED = 143
    """SIGTERM (128 + SIGTERM); a write under way was rolled back."""


def line_of(text: str | None, number: int | None) -> str | None:
    """Line ``number`` (from 1) of ``text`` for a message, or None when there is no such line.

    Lines are counted by newline characters, as the JSON decoder, Jinja and ruff count
    them (``str.splitlines`` also splits on form feeds and Unicode separators, and
    drops the empty line after a final newline, where an error at the end points).
    """
    if not text or not number or number < 1:
        return None
    lines = text.split("\n")
    if number > len(lines):
        return None
    line = lines[number - 1].rstrip("\r")
    return line if line.strip() else None


def position_of(error: Exception, text: str) -> dict[str, Any]:
    """Line, column and quoted line of a JSON or YAML parse error, as keyword arguments
    for an error of this module (empty where the parser gave no position)."""
    line = getattr(error, "lineno", None)
    column = getattr(error, "colno", None)
    mark = getattr(error, "problem_mark", None)  # PyYAML
    if mark is not None:
        line, column = mark.line + 1, mark.column + 1
    if line is None:
        return {}
    return {"line": line, "column": column, "source_line": line_of(text, line)}


class BlueprintgenError(Exception):
    """A problem the user can fix; the CLI prints it and exits with ``exit_code``."""

    exit_code: int = ExitCode.PROBLEMS

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        pointer: str | None = None,
        line: int | None = None,
        column: int | None = None,
        blueprint: str | None = None,
        source_line: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.pointer = pointer
        self.line = line
        self.column = column
        self.blueprint = blueprint
        self.source_line = source_line
        self.hint = hint
        super().__init__(self.format())

    @property
    def location(self) -> str:
        """Where the problem is: ``file:line:column at /json/pointer (blueprint x)``."""
        parts: list[str] = []
        if self.path:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            parts.append(where)
        if self.pointer is not None:
            parts.append(f"at {self.pointer or '/'}")
        if self.blueprint:
            parts.append(f"(blueprint {self.blueprint})")
        return " ".join(parts)

    def format(self) -> str:
        """The one-paragraph message shown to the user."""
        text = f"{self.location}: {self.message}" if self.location else self.message
        if self.source_line:
            text += f"\n    {self.source_line.strip()}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class UsageError(BlueprintgenError):
    """The command line itself is wrong."""

    exit_code = ExitCode.USAGE


class LoadError(BlueprintgenError):
    """A blueprint or project file cannot be read or parsed."""


class SchemaError(BlueprintgenError):
    """A blueprint does not match the blueprint schema."""


class ParameterError(BlueprintgenError):
    """A parameter value is missing or of the wrong type."""


class GraphError(BlueprintgenError):
    """The blueprints' relationships cannot be resolved (cycle, missing, clash)."""


class TemplateError(BlueprintgenError):
    """A template does not compile or does not render."""


class FormatError(BlueprintgenError):
    """The formatter rejected generated code."""


class UnsafePathError(BlueprintgenError):
    """A generated path would leave the project."""


class ConflictError(BlueprintgenError):
    """Files the user edited would be overwritten."""


class ProjectError(BlueprintgenError):
    """The target project is missing, or not in a state this command can work on."""


class ProblemsFound(BlueprintgenError):
    """Several problems, collected and reported at once."""

    def __init__(self, problems: list[BlueprintgenError], summary: str = "") -> None:
        self.problems = problems
        count = len(problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(summary or f"{count} {noun} found")

    def format(self) -> str:
        """Every problem, one paragraph each."""
        return "\n".join(problem.format() for problem in self.problems)


class NotApplied(BlueprintgenError):
    """A plan was shown but not applied: the user declined, or ``--yes`` is needed to apply it."""

    exit_code = ExitCode.NOT_APPLIED


def as_usage_error(error: BlueprintgenError) -> BlueprintgenError:
    """``error``, exiting as a usage error: what it is about came from the command line
    (a ``--field`` or ``--set``, a blueprint name), not from a file."""
    error.exit_code = ExitCode.USAGE
    return error


class WriteError(BlueprintgenError):
    """Writing the project failed; the message names the target and says what was rolled back."""


class Interrupted(BlueprintgenError):
    """A signal stopped a write; the message says how the project was left."""

    exit_code = ExitCode.INTERRUPTED


_OS_ERROR_HINTS = {
    errno.ENOSPC: "free some space on the disk that holds the project",
    errno.EDQUOT: "free some space within your disk quota",
    errno.EROFS: "the project is on a read-only file system",
    errno.EACCES: "check that you may write to the project's folders",
    errno.EPERM: "check that you may write to the project's folders",
    errno.ENAMETOOLONG: "shorten the name (255 bytes at most per path component)",
}


def os_error_hint(error: OSError) -> str | None:
    """What to do about an OS error while writing a project, where there is something to say."""
    return _OS_ERROR_HINTS.get(error.errno or 0)
