"""The English and the source text the views put together: articles, lists, wrapped
string literals, import lines."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

_VOWEL_LETTER_CONSONANT_SOUND = ("uni", "usa", "use", "usu", "uti", "eu", "one", "ewe")
_SILENT_H = ("hour", "honest", "honor", "honour", "heir")


def article(words: str) -> str:
    """``a`` or ``an`` before ``words``: an item, an hour, but a user, a one-off."""
    vowel_sound = (
        words[0] in "aeiou" and not words.startswith(_VOWEL_LETTER_CONSONANT_SOUND)
    ) or words.startswith(_SILENT_H)
    return "an" if vowel_sound else "a"


def either(words: Sequence[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``."""
    return series(words, "or")


def series(words: Sequence[str], conjunction: str) -> str:
    if len(words) > 1:
        return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"
    return "".join(words)


def text_literal(message: str, *, f: bool = False, width: int = 56) -> str:
    """A string literal for ``message``, split at spaces into implicitly concatenated
    literals of at most ``width`` characters, one per line (each an f-string when ``f``
    and it holds a placeholder), so that long names never push a line past the limit."""
    done: list[str] = []
    current = ""
    for word in message.split(" "):
        if current and len(f"{current} {word}") > width:
            done.append(f"{current} ")
            current = word
        else:
            current = f"{current} {word}" if current else word
    return "\n".join(f'{"f" if f and "{" in part else ""}"{part}"' for part in [*done, current])


def import_lines(pairs: Iterable[tuple[str, str]]) -> str:
    """``from module import A, B`` lines, one per module, modules and names sorted.

    Sorted without regard to case, duplicates dropped; the formatter sorts imports again,
    this order keeps the unformatted text (``--formatter none``) as it has always been.
    """
    seen: dict[str, tuple[str, str]] = {}
    for module, name in pairs:
        # Case-insensitive order; ``Text`` (a column type) and ``text`` (SQL) are two names.
        seen.setdefault(f"{module}:{name}".lower() + f"\0{name}", (module, name))
    lines: list[str] = []
    last_module = None
    for module, name in (seen[key] for key in sorted(seen)):
        if module == last_module:
            lines[-1] += f", {name}"
        else:
            lines.append(f"from {module} import {name}")
            last_module = module
    return "\n".join(lines)


def deduplicated(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def response_budget_seconds(targets: Mapping[str, Any]) -> float:
    """The seconds of a blueprint's ``"< 200ms"`` (or ``"< 0.5s"``) response-time target.

    A target that is not a number gives 0, so that the timing test fails rather than
    the generation.
    """
    limit = str(targets.get("response_time", "< 200ms")).replace("<", "").replace("=", "").strip()
    try:
        return float(limit[:-2]) / 1000 if limit.endswith("ms") else float(limit.replace("s", ""))
    except ValueError:
        return 0.0


def naming_words(identifier: str) -> str:
    """``blog_post`` → ``blog post``."""
    return identifier.replace("_", " ")


def description_code(text: str) -> str:
    """``text`` as the value of a ``description=`` argument: one literal, or implicitly
    concatenated ones in parentheses (which the formatter lays one per line) when long."""
    if len(text) <= 48:
        return repr(text)
    return "(" + " ".join(text_literal(text).split("\n")) + ")"
