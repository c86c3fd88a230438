"""Everything the CLI shows: errors, plans, diffs. The only place that prints or exits."""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from enum import Enum
from typing import TYPE_CHECKING, Literal, ParamSpec, TypeVar

import typer

from blueprintgen.errors import BlueprintgenError, ExitCode, NotApplied

if TYPE_CHECKING:
    from rich.console import Console

    from blueprintgen.plan import Action, FileChange

P = ParamSpec("P")
R = TypeVar("R")

# Help as rich panels on a terminal; as plain text where nobody looks at colours (pipes,
# CI logs, pre-commit). typer's rich help imports rich.markdown, markdown-it and pygments:
# about 110 ms before the first line, more than the rest of the start-up.
HELP_MARKUP: Literal["rich"] | None = "rich" if sys.stdout.isatty() else None


def examples(*commands: str) -> str:
    """A command's "Examples" epilog, one command a line, kept as written by both help modes
    (click rewraps a paragraph unless it starts with ``\\b``; rich reads ``[`` as markup, and
    ``:name:`` as an emoji when it names one: keep such words out of examples)."""
    if HELP_MARKUP == "rich":
        lines = [command.replace("[", "\\[") for command in commands]
        return "[bold]Examples[/]\n" + "\n".join(f"  {line}" for line in lines)
    return "\b\nExamples:\n" + "\n".join(f"  {command}" for command in commands)


@functools.cache
def _styles() -> dict[Action, str]:
    """The colour of each planned action."""
    from blueprintgen.plan import Action

    return {
        Action.CREATE: "green",
        Action.UPDATE: "yellow",
        Action.OVERWRITE: "bold red",
        Action.CONFLICT: "bold red",
        Action.MERGE: "cyan",
        Action.UNCHANGED: "dim",
        Action.KEEP: "blue",
        Action.DELETED: "magenta",
        Action.MARKERS: "bold red",
    }


@functools.cache
def console() -> Console:
    """Standard output."""
    from rich.console import Console

    # emoji=False: user text such as the field spec `when:date:x` is printed as written.
    return Console(highlight=False, soft_wrap=True, emoji=False)


def working(message: str) -> AbstractContextManager[object]:
    """A spinner while long work runs, on a terminal only (a log has no use for one)."""
    shown = console()
    return shown.status(message) if shown.is_terminal else contextlib.nullcontext()


@functools.cache
def error_console() -> Console:
    """Standard error."""
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def show_error(error: BlueprintgenError) -> None:
    """Print one error (or each of a collection) as plain paragraphs on stderr."""
    from rich.markup import escape

    from blueprintgen.errors import ProblemsFound

    problems = error.problems if isinstance(error, ProblemsFound) else [error]
    for problem in problems:
        error_console().print(f"[bold red]error:[/] {escape(literal(problem.format()))}")
    if len(problems) > 1:
        error_console().print(f"[red]{len(problems)} problems found[/]")


def literal(text: str, limit: int = 400) -> str:
    """``text`` with each line longer than ``limit`` characters cut in the middle: a value of
    100 KB in an error is shown by its start and end, not echoed whole."""
    keep = (limit - 1) // 2
    return "\n".join(
        line if len(line) <= limit else f"{line[:keep]}…{line[-keep:]}" for line in text.split("\n")
    )


def reports_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn BlueprintgenError into a message and its exit code (see ``ExitCode``): no traceback
    for bad input; Ctrl-C, at a prompt too, exits 130."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except NotApplied as error:
            from rich.markup import escape

            error_console().print(f"[yellow]not applied:[/] {escape(error.format())}")
            raise typer.Exit(error.exit_code) from None
        except BlueprintgenError as error:
            show_error(error)
            raise typer.Exit(error.exit_code) from None
        except (KeyboardInterrupt, typer.Abort):  # typer's prompt turns Ctrl-C into Abort
            error_console().print("[red]interrupted; nothing more was written[/]")
            raise typer.Exit(ExitCode.INTERRUPTED) from None

    return wrapper


class Listing(Enum):
    """Which files a plan lists, one line each, before its summary line."""

    EVERY_FILE = "every file"
    """``--verbose``: unchanged files too."""
    CHANGES = "changes"
    """Each file that changes (the default)."""
    SURPRISES = "surprises"
    """Only files that replace, keep or clash with one already there: a new project's
    default, where every other file is a plain ``create`` and the counts say enough."""
    NONE = "none"
    """``--quiet``: the summary line only, printed by the caller with the outcome."""

    def shows(self, change: FileChange) -> bool:
        """Whether ``change`` gets a line of its own."""
        from blueprintgen.plan import Action

        if self is Listing.EVERY_FILE:
            return True
        if self is Listing.CHANGES:
            return not change.action.is_quiet
        if self is Listing.SURPRISES:
            return change.action not in (Action.CREATE, Action.UNCHANGED)
        return False


def plan_summary(changes: list[FileChange]) -> str:
    """How many files each action touches: ``2 create, 1 update`` (or ``no files``)."""
    counts: dict[str, int] = {}
    for change in changes:
        counts[change.action.value] = counts.get(change.action.value, 0) + 1
    return ", ".join(f"{count} {action}" for action, count in sorted(counts.items())) or "no files"


def show_plan(changes: list[FileChange], *, diff: bool, listing: Listing = Listing.CHANGES) -> None:
    """The planned changes, one aligned line each (those ``listing`` shows), the summary line
    (unless ``listing`` is NONE) and, with ``diff``, coloured unified diffs."""
    from rich.text import Text

    visible = [c for c in changes if listing.shows(c)]
    if visible:
        # One Text rather than a rich Table: a project's plan has hundreds of rows,
        # and laying out a Table costs more than the rest of the run's output.
        action_width = max(len("action"), *(len(c.action.value) for c in visible))
        path_width = max(len("file"), *(len(c.path) for c in visible))
        text = Text()
        header = f"{'action':<{action_width}} " + (
            f"{'file':<{path_width}} note" if any(c.reason for c in visible) else "file"
        )
        text.append(header + "\n", style="bold")
        for change in visible:
            text.append(
                f"{change.action.value:<{action_width}}", style=_styles().get(change.action, "default")
            )
            text.append(f" {change.path}")
            if change.reason:
                text.append(" " * (path_width - len(change.path)) + f" {change.reason}", style="dim")
            text.append("\n")
        console().print(text, end="", soft_wrap=True)
    if listing is not Listing.NONE:
        console().print(f"[bold]plan:[/] {plan_summary(changes)}")
    if diff:
        show_diffs(changes)


def show_diffs(changes: list[FileChange]) -> None:
    """Coloured unified diffs of every change that writes or conflicts."""
    for change in changes:
        if change.action.shows_diff:
            print_diff(change.diff())


def print_diff(diff: str) -> None:
    """One unified diff, coloured: headers bold, additions green, removals red, hunks cyan."""
    from rich.text import Text

    text = Text()
    for line in diff.splitlines():
        if line.startswith(("+++", "---")):
            style = "bold"
        elif line.startswith(("+", "-", "@@")):
            style = {"+": "green", "-": "red", "@": "cyan"}[line[0]]
        else:
            style = ""
        text.append(line + "\n", style=style)
    console().print(text, end="")


def at_terminal() -> bool:
    """Whether a person can answer a question (standard input is a terminal)."""
    return sys.stdin.isatty()


def confirm(question: str, *, yes: bool) -> bool:
    """Ask only when a person is at the terminal; otherwise proceed."""
    if yes or not at_terminal():
        return True
    return typer.confirm(question, default=True)


def plural(count: int, noun: str) -> str:
    """``1 file`` / ``2 files``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def success(message: str) -> None:
    """A green line."""
    from rich.markup import escape

    console().print(f"[green]✓[/] {escape(message)}")


def warn(message: str) -> None:
    """A yellow line on stderr."""
    from rich.markup import escape

    error_console().print(f"[yellow]warning:[/] {escape(message)}")
