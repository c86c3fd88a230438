"""The template sandbox: Jinja's SandboxedEnvironment with limits, and a loader that stays home.

Jinja's own sandbox stops templates reaching Python's internals; it does not stop them
taking all the time or memory there is. Every way a template can spend either goes
through a guard here, so a runaway template ends in a message naming it:

- loops: every ``{% for %}`` iterates through :meth:`GuardedEnvironment.counted`
  (inserted when the template is parsed), and every call goes through
  :meth:`GuardedEnvironment.call`; both spend from one budget of steps per render, and
  check the render's wall-clock deadline;
- nesting: macro calls and recursive loops nest at most :attr:`Limits.depth` deep;
- size: ``*``, ``**``, ``+``, ``%`` and ``~`` refuse results beyond the size of a file
  (checked before Python builds them, so ``'a' * 3000000000`` never takes 3 GB), as do
  the string methods and filters that pad or replace; integers stay printable;
- text of containers: a list or dict built from itself (``{% set l = [l, l] %}`` in a loop)
  stays small in memory while its text doubles each time; before such a value is printed,
  joined, formatted or handed to a filter, its text is measured in a walk that stops at the
  size of a file;
- output: each rendered file, and a run's files together, have a size cap (the renderer
  counts them as they are produced).

Templates are read by :class:`RootedLoader`: a template that resolves (symlinks
followed) outside its template folder is refused, and one that is not UTF-8 is named
with the place of its first bad byte.
"""

from __future__ import annotations

import os
import posixpath
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, TemplateNotFound, nodes
from jinja2.loaders import split_template_path
from jinja2.runtime import LoopContext, Macro
from jinja2.sandbox import SandboxedEnvironment
from jinja2.visitor import NodeTransformer

GUARDS_VERSION = 3
"""Part of the compiled-template cache's key: templates compiled before the guards, or with
other guards, are compiled again."""


@dataclass(frozen=True)
class Limits:
    """What rendering may use. Generated files are tens of kilobytes; these are far above."""

    file_chars: int = 4_000_000
    """Characters one rendered file, or any one value a template builds, may have."""
    run_chars: int = 64_000_000
    """Characters all files of one run may have together."""
    steps: int = 2_000_000
    """Loop iterations plus calls one template render (or condition) may make."""
    depth: int = 40
    """How deeply macro calls and recursive loops may nest."""
    seconds: float = 20.0
    """Wall-clock time one template render may take."""
    int_bits: int = 14_000
    """Bits an integer may have: about the 4,300 decimal digits Python still prints."""


class LimitExceeded(Exception):
    """A template went past a limit; ``message`` says which, ``hint`` what to look for."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class RefusedTemplate(Exception):
    """A template file the loader will not use: outside its folder, or not UTF-8."""

    def __init__(
        self, message: str, *, path: str, line: int | None = None, column: int | None = None, hint: str
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.hint = hint


class Budget:
    """What one render has left to spend: steps, nesting, time."""

    _CLOCK_EVERY = 1024
    """Steps between two looks at the clock (a look costs more than a step)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.steps_left = limits.steps
        self.depth = 0
        self.deadline = time.monotonic() + limits.seconds

    def step(self) -> None:
        """Spend one step; past the budget or the deadline, stop the render."""
        self.steps_left -= 1
        if self.steps_left % self._CLOCK_EVERY:
            return
        if self.steps_left < 0:
            raise LimitExceeded(
                f"the template made more than {self.limits.steps:,} loop iterations and calls",
                "look for nested loops over large ranges, or a loop that does not end",
            )
        if time.monotonic() > self.deadline:
            raise LimitExceeded(
                f"the template rendered for more than {self.limits.seconds:g} seconds",
                "look for nested loops over large ranges, or a loop that does not end",
            )


def _too_big(limits: Limits, what: str, size: int) -> LimitExceeded:
    return LimitExceeded(
        f"{what} would be {size:,} characters long, more than a generated file may hold "
        f"({limits.file_chars:,})",
        "look for a repetition (`*`, padding, replace) with a large count",
    )


# Numbers in a %-format or {}-format field: widths and precisions, which pad the output.
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(\d*)(?:\.(\d+))?[a-zA-Z%]")
_NESTED_SPEC = re.compile(r"\{[^{}]*:[^{}]*\{")
_BRACE_SPEC = re.compile(r"\{[^{}]*:[^{}]*?(\d+)(?:\.(\d+))?[^{}]*\}")


def _check_format(limits: Limits, template: str) -> None:
    """Refuse a format string that pads a field wider than a file (``'%999999999d'``)."""
    for pattern in (_PERCENT_SPEC, _BRACE_SPEC):
        for match in pattern.finditer(template):
            for number in match.groups():
                if number and len(number) > 6 and int(number) > limits.file_chars:
                    raise _too_big(limits, "a formatted field", int(number))


def _measure(value: Any) -> int | None:
    return len(value) if isinstance(value, str | list | tuple) else None


_CONTAINERS = (list, tuple, dict, set, frozenset)


def check_text_size(limits: Limits, value: Any) -> None:
    """Refuse a container whose text (``str(value)``) would be bigger than a file.

    The walk counts at least two characters per element it visits and stops as soon as the
    count passes the limit, so it ends after at most ``file_chars / 2`` visits however often
    the value refers to its own parts.
    """
    if not isinstance(value, _CONTAINERS):
        return
    cap = limits.file_chars
    size = 0
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            size += len(item) + 2
        elif isinstance(item, dict):
            size += 2 + 2 * len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, _CONTAINERS):
            size += 2 + 2 * len(item)
            stack.extend(item)
        else:
            size += 2
        if size > cap:
            raise LimitExceeded(
                f"the text of a list or mapping would be more than {cap:,} characters long, "
                "more than a generated file may hold",
                "look for a list or mapping built from itself, such as `{% set l = [l, l] %}` in a loop",
            )


def _check_texts(limits: Limits, values: Iterable[Any]) -> None:
    for value in values:
        check_text_size(limits, value)


def check_binop(limits: Limits, operator: str, left: Any, right: Any) -> None:
    """Refuse an operation whose result would be bigger than a file, before it is built."""
    if operator == "*":
        for sequence, count in ((left, right), (right, left)):
            size = _measure(sequence)
            if size is not None and isinstance(count, int) and size * count > limits.file_chars:
                raise _too_big(limits, "the repetition", size * count)
        if isinstance(left, int) and isinstance(right, int):
            bits = left.bit_length() + right.bit_length()
            if bits > limits.int_bits:
                raise _int_too_big(limits, bits)
    elif operator == "**":
        if isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
            bits = (abs(left).bit_length() - 1) * right
            if bits > limits.int_bits:
                raise _int_too_big(limits, bits)
    elif operator == "+":
        sizes = (_measure(left), _measure(right))
        if sizes[0] is not None and sizes[1] is not None and sizes[0] + sizes[1] > limits.file_chars:
            raise _too_big(limits, "the sum", sizes[0] + sizes[1])
    elif operator == "%" and isinstance(left, str):
        _check_format(limits, left)
        check_text_size(limits, right)


def _int_too_big(limits: Limits, bits: int) -> LimitExceeded:
    return LimitExceeded(
        f"the result would be an integer of about {bits:,} bits, more than the {limits.int_bits:,} "
        "a template may compute",
        "look for `**` or `*` with large numbers",
    )


_PADDING = frozenset({"center", "ljust", "rjust", "zfill", "indent", "expandtabs"})
"""String methods and filters whose integer argument is a width (or tab size) to pad to."""


def check_call(
    limits: Limits, name: str, subject: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    """Refuse a string method or filter call that would build more than a file holds.

    ``subject`` is the string the method is bound to, or a filter's first argument.
    """
    counts = [
        value for value in (*args, *kwargs.values()) if isinstance(value, int) and not isinstance(value, bool)
    ]
    if name == "slice":  # slice(n) makes n lists, however short the list sliced
        for count in counts:
            if count > limits.file_chars:
                raise _too_big(limits, "the result of slice", count)
    _check_texts(limits, (subject, *args, *kwargs.values()))
    if not isinstance(subject, str):
        return
    if name in _PADDING:
        for width in counts:
            size = width * (subject.count("\t") + 1 if name == "expandtabs" else 1)
            if name == "indent":
                size *= subject.count("\n") + 1
            if size > limits.file_chars:
                raise _too_big(limits, f"the result of {name}", size)
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        old, new = args[0], args[1]
        growth = len(new) - len(old)
        if growth > 0:
            count = subject.count(old) if old else len(subject) + 1
            size = len(subject) + count * growth
            if size > limits.file_chars:
                raise _too_big(limits, "the result of replace", size)
    elif name in ("format", "format_map"):
        _check_format(limits, subject)
        if _NESTED_SPEC.search(subject):  # '{0:{1}}': a width given as an argument
            for width in counts:
                if width > limits.file_chars:
                    raise _too_big(limits, "a formatted field", width)


class _InsertGuards(NodeTransformer):
    """Route every loop's items through the budget, and every ``~`` through the size check."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = nodes.Call(nodes.EnvironmentAttribute("counted"), [node.iter], [], None, None)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return nodes.Call(nodes.EnvironmentAttribute("joined"), list(node.nodes), [], None, None)


class GuardedEnvironment(SandboxedEnvironment):
    """A sandbox whose templates spend from a :class:`Budget` (``budget``, set per render)."""

    # Intercepted operators are also never folded at compile time, where ``{{ 10**100000 }}``
    # was computed (for minutes, or into gigabytes) before any render began.
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, *args: Any, limits: Limits | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits or Limits()
        self.budget = Budget(self.limits)
        self.globals.pop("lipsum", None)  # lipsum(n) writes n paragraphs in one call; no template needs it
        self.add_filters(self.filters)
        if self.finalize is None:  # every printed value passes here before it becomes text
            self.finalize = self._printable

    def _printable(self, value: Any) -> Any:
        check_text_size(self.limits, value)
        return value

    def add_filters(self, filters: dict[str, Callable[..., Any]]) -> None:
        """Add (or replace) filters, each behind the same size checks as Jinja's own."""
        self.filters.update(
            {name: _guarded_filter(name, func, self.limits) for name, func in filters.items()}
        )

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        guarded: nodes.Template = _InsertGuards().visit(tree)
        return guarded

    def counted(self, iterable: Iterable[Any]) -> Iterator[Any]:
        """A loop's items, one step of the budget each."""
        budget = self.budget
        for item in iterable:
            budget.step()
            yield item

    def joined(self, *parts: Any) -> str:
        """``a ~ b``: the parts as one string, refused beyond the size of a file."""
        _check_texts(self.limits, parts)
        texts = [str(part) for part in parts]
        size = sum(map(len, texts))
        if size > self.limits.file_chars:
            raise _too_big(self.limits, "the joined string", size)
        return "".join(texts)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        check_binop(self.limits, operator, left, right)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """Every call a template makes: one step, nesting counted, string growth bounded."""
        budget = __self.budget
        budget.step()
        # A str method, or the sandbox's wrapper of str.format (which keeps it as __wrapped__).
        bound_to = getattr(__obj, "__self__", None) or getattr(
            getattr(__obj, "__wrapped__", None), "__self__", None
        )
        if isinstance(bound_to, str):
            check_call(__self.limits, getattr(__obj, "__name__", ""), bound_to, args, kwargs)
        if not isinstance(__obj, Macro | LoopContext):
            return SandboxedEnvironment.call(__self, __context, __obj, *args, **kwargs)
        if budget.depth >= __self.limits.depth:
            raise LimitExceeded(
                f"macro calls or recursive loops nested more than {__self.limits.depth} deep",
                "look for a macro that calls itself without end",
            )
        budget.depth += 1
        try:
            return SandboxedEnvironment.call(__self, __context, __obj, *args, **kwargs)
        finally:
            budget.depth -= 1


def _guarded_filter(name: str, func: Callable[..., Any], limits: Limits) -> Callable[..., Any]:
    """``func`` behind the size checks, keeping Jinja's marks (``pass_context`` and the like)."""
    import functools

    from jinja2.utils import _PassArg

    passes_first = _PassArg.from_obj(func) is not None  # a context or environment comes first

    @functools.wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        given = args[1:] if passes_first else args
        if given:
            check_call(limits, name, given[0], tuple(given[1:]), kwargs)
        return func(*args, **kwargs)

    return guarded


class RootedLoader(FileSystemLoader):
    """Templates from a list of folders, each template inside its folder once symlinks are
    followed, and UTF-8."""

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for root in self.searchpath:
            # posixpath-style joining as Jinja's own loader does: no drive or UNC segment escapes.
            filename = posixpath.join(root, *pieces)
            if not Path(filename).is_file():
                continue
            real_root = Path(root).resolve()
            real = Path(filename).resolve()
            if not real.is_relative_to(real_root):
                raise RefusedTemplate(
                    f"template {template!r} resolves to {real}, outside its template folder {root}",
                    path=filename,
                    hint="a template, and every symlink on its way, must stay inside the templates folder",
                )
            return (
                _read(Path(filename), template),
                os.path.normpath(filename),
                _unchanged_since(Path(filename)),
            )
        raise TemplateNotFound(template)


def _read(file: Path, template: str) -> str:
    raw = file.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise RefusedTemplate(
            f"template {template!r} is not UTF-8: byte 0x{raw[error.start]:02x} cannot be decoded",
            path=str(file),
            line=line,
            column=column,
            hint="save the template as UTF-8",
        ) from None


def _unchanged_since(file: Path) -> Callable[[], bool]:
    mtime = file.stat().st_mtime

    def uptodate() -> bool:
        try:
            return file.stat().st_mtime == mtime
        except OSError:
            return False

    return uptodate
