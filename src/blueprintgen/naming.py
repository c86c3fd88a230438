"""Name conversions and checks for resources, fields and identifiers.

Pure functions over strings: case styles (``snake``, ``pascal``, ``camel``,
``kebab``), English plurals (``plural``, ``singular``) and the checks that keep
a user-chosen name from breaking the generated Python or SQL
(``check_identifier``, ``check_resource_name``, ``check_package_name``).
"""

from __future__ import annotations

import builtins
import functools
import keyword
import re
import sys
from collections.abc import Callable

__all__ = [
    "PROJECT_IMPORTS",
    "PYTHON_SOFT_KEYWORDS",
    "SQL_RESERVED",
    "STDLIB_MODULES",
    "InvalidNameError",
    "camel",
    "check_identifier",
    "check_package_name",
    "check_resource_name",
    "is_python_keyword",
    "kebab",
    "pascal",
    "plural",
    "singular",
    "snake",
    "split_words",
]

MAX_IDENTIFIER_LENGTH = 40
"""Longest accepted name: leaves room for ``ix_<table>_<column>`` within PostgreSQL's 63."""

PYTHON_SOFT_KEYWORDS = frozenset({"_", "case", "match", "type"})
"""Soft keywords of Python 3.10–3.13 (``type`` became one in 3.12)."""

PYTHON_BUILTINS = frozenset(name for name in dir(builtins) if not name.startswith("_") and name[0].islower())

SQL_RESERVED = frozenset(
    # Words PostgreSQL (reserved and type/function-name keywords) or SQLite refuse
    # as an unquoted table name, found by trying ``CREATE TABLE <word>`` on both.
    """
    add all alter analyse analyze and any array as asc asymmetric authorization
    autoincrement between binary both case cast check collate collation column
    commit concurrently constraint create cross current_catalog current_date
    current_role current_schema current_time current_timestamp current_user default
    deferrable delete desc distinct do drop else end escape except exists false
    fetch for foreign freeze from full grant group having if ilike in index
    initially inner insert intersect into is isnull join lateral leading left like
    limit localtime localtimestamp natural not nothing notnull null offset on only
    or order outer overlaps placing primary references returning right select
    session_user set similar some symmetric table tablesample then to trailing
    transaction true union unique update user using values variadic verbose when
    where window with
    """.split()
)

PROJECT_IMPORTS = frozenset(
    # Top-level modules a generated project imports, itself or through its dependencies
    # (runtime, the test extra, and blueprintgen with its own in the dev extra): a package
    # of the same name would shadow one of them. A test keeps this in step with the
    # generated pyproject.toml.
    """
    aiosqlite alembic annotated_types anyio app argon2 arrow asyncpg attr attrs blueprintgen
    certifi cffi charset_normalizer click conftest dateutil dns dotenv email_validator
    fastapi fqdn graphql greenlet h11 harfile httpcore httptools httpx httpx2 httpcore2
    httpx_sse hypothesis hypothesis_graphql idna iniconfig isoduration jinja2 jsonpointer
    jsonschema jsonschema_rs jsonschema_specifications jwt lark limits mako markdown_it
    markupsafe mcp mdurl merge3 multipart mypy networkx packaging pluggy pre_commit pwdlib
    pydantic pydantic_core pydantic_settings pygments pyrate_limiter pytest pytest_asyncio
    python_multipart redis referencing requests rfc3339_validator rfc3986_validator
    rfc3987_syntax rich rpds ruff schemathesis sentry_sdk shellingham six slowapi sniffio
    sortedcontainers sqlalchemy sse_starlette starlette structlog tests typer
    typing_extensions typing_inspection uri_template urllib3 uvicorn uvloop watchfiles
    webcolors websockets werkzeug wrapt yaml
    """.split()
)
"""Besides the standard library (:data:`STDLIB_MODULES`)."""

STDLIB_MODULES = sys.stdlib_module_names | {"test"}
"""The standard library's modules: ``sys.stdlib_module_names`` leaves out ``test``, the
regression-test package most Pythons install (``import test`` then finds the stdlib's)."""

_IDENTIFIER = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_SEPARATORS = re.compile(r"[\s\-_.]+")
_ACRONYM_BOUNDARY = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL_BOUNDARY = re.compile(r"([a-z0-9])([A-Z])")
_CAMEL_LAST_WORD = re.compile(r"(?:(?<=[a-z0-9])[A-Z]|(?<=[A-Z])[A-Z](?=[a-z]))[a-z0-9]*$")


class InvalidNameError(ValueError):
    """A user-chosen name cannot be used as it would break the generated code."""

    def __init__(self, message: str, *, name: str, what: str = "name", hint: str | None = None) -> None:
        self.name = name
        self.what = what
        self.hint = hint
        """What to do instead, where there is something better to say than the message."""
        super().__init__(message)


# --- case styles -----------------------------------------------------------------


def split_words(text: str) -> list[str]:
    """Split ``BlogPost``, ``blogPost``, ``blog_post``, ``blog-post`` into lowercase words."""
    text = _ACRONYM_BOUNDARY.sub(r"\1_\2", text.strip())
    text = _CAMEL_BOUNDARY.sub(r"\1_\2", text)
    return [word.lower() for word in _SEPARATORS.split(text) if word]


@functools.lru_cache(maxsize=4096)
def snake(text: str) -> str:
    """``BlogPost`` → ``blog_post``."""
    return "_".join(split_words(text))


@functools.lru_cache(maxsize=4096)
def kebab(text: str) -> str:
    """``BlogPost`` → ``blog-post``."""
    return "-".join(split_words(text))


@functools.lru_cache(maxsize=4096)
def pascal(text: str) -> str:
    """``blog_post`` → ``BlogPost``."""
    return "".join(word[:1].upper() + word[1:] for word in split_words(text))


def camel(text: str) -> str:
    """``blog_post`` → ``blogPost``."""
    result = pascal(text)
    return result[:1].lower() + result[1:]


# --- plurals ---------------------------------------------------------------------

_UNCOUNTABLE = frozenset(
    """
    aircraft analytics bison cattle data deer equipment evidence feedback firmware
    fish furniture hardware homework information knowledge luggage media metadata
    moose music news offspring police research rice salmon series sheep software
    species staff traffic trout
    """.split()
)

_IRREGULAR = {
    "alumnus": "alumni",
    "analysis": "analyses",
    "appendix": "appendices",
    "axis": "axes",
    "basis": "bases",
    "cactus": "cacti",
    "calf": "calves",
    "child": "children",
    "crisis": "crises",
    "criterion": "criteria",
    "datum": "data",
    "diagnosis": "diagnoses",
    "echo": "echoes",
    "elf": "elves",
    "emphasis": "emphases",
    "foot": "feet",
    "fungus": "fungi",
    "goose": "geese",
    "half": "halves",
    "hero": "heroes",
    "hypothesis": "hypotheses",
    "index": "indexes",
    "knife": "knives",
    "leaf": "leaves",
    "life": "lives",
    "loaf": "loaves",
    "man": "men",
    "matrix": "matrices",
    "medium": "media",
    "mouse": "mice",
    "nucleus": "nuclei",
    "ox": "oxen",
    "parenthesis": "parentheses",
    "person": "people",
    "phenomenon": "phenomena",
    "potato": "potatoes",
    "quiz": "quizzes",
    "radius": "radii",
    "self": "selves",
    "shelf": "shelves",
    "stimulus": "stimuli",
    "synopsis": "synopses",
    "synthesis": "syntheses",
    "thesis": "theses",
    "thief": "thieves",
    "tomato": "tomatoes",
    "tooth": "teeth",
    "veto": "vetoes",
    "vertex": "vertices",
    "wife": "wives",
    "wolf": "wolves",
    "woman": "women",
}
_IRREGULAR_SINGULAR = {many: one for one, many in _IRREGULAR.items()}
_IRREGULAR_SINGULAR["bases"] = "base"  # far more common in code than "basis"

# Singular words that end like a plural: ``singular`` leaves them alone.
_SINGULAR_ENDING_IN_S = frozenset(
    """
    alias atlas bias canvas chaos corpus cosmos ethos gas iris kudos lens pathos
    plus tennis
    """.split()
)
# ``-ies`` / ``-ches`` / ``-uses`` plurals of words that only add ``s``.
_ADD_S_ONLY = frozenset(
    """
    abuse avalanche brownie cache calorie cliche cookie excuse freebie fuse genie
    goalie headache hoodie lie magpie misuse movie moustache mustache newbie niche
    pie prairie psyche quiche refuse reuse rookie selfie smoothie tie use zombie
    """.split()
)


def _match_case(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _on_last_word(text: str, change: Callable[[str], str]) -> str:
    cut = max(text.rfind(sep) for sep in "_- ") + 1
    match = _CAMEL_LAST_WORD.search(text, cut)
    start = match.start() if match else cut
    last = text[start:]
    if not last:
        return text
    return text[:start] + _match_case(last, change(last.lower()))


def _plural_word(word: str) -> str:
    if word in _UNCOUNTABLE or word in _IRREGULAR_SINGULAR:
        return word
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith("sis"):
        return word[:-3] + "ses"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def _singular_word(word: str) -> str:
    if word in _UNCOUNTABLE or word in _SINGULAR_ENDING_IN_S or word in _IRREGULAR:
        return word
    if word in _IRREGULAR_SINGULAR:
        return _IRREGULAR_SINGULAR[word]
    stem = word[:-1]
    if not word.endswith("s") or word.endswith(("ss", "us", "is")) or len(word) < 3:
        return word
    if stem in _ADD_S_ONLY:
        return stem
    if word[:-2] in _SINGULAR_ENDING_IN_S:
        return word[:-2]
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zzes")):
        return word[:-2]
    if word.endswith("uses") and not word.endswith(("ouses", "auses")):
        return word[:-2]
    return stem


@functools.lru_cache(maxsize=4096)
def plural(word: str) -> str:
    """English plural of the last word: ``category`` → ``categories``, ``blog_post`` → ``blog_posts``."""
    return _on_last_word(word, _plural_word)


def singular(word: str) -> str:
    """Inverse of :func:`plural`: ``categories`` → ``category``, ``people`` → ``person``."""
    return _on_last_word(word, _singular_word)


# --- checks ----------------------------------------------------------------------


def is_python_keyword(name: str) -> bool:
    """True for keywords and soft keywords (``class``, ``match``, ``type``, ...)."""
    return keyword.iskeyword(name) or name in PYTHON_SOFT_KEYWORDS


def check_identifier(name: str, what: str = "name", *, allow_builtins: bool = False) -> str:
    """Return the canonical snake_case form of *name*, or raise :class:`InvalidNameError`.

    ``user``, ``BlogPost``, ``blog_post``, ``blog-post`` and ``blogPost`` are all
    accepted (the last four give ``blog_post``). Refused: empty names, names that
    are not made of letters, digits, ``_`` and ``-``, leading digits or
    underscores, Python keywords and soft keywords, and (unless *allow_builtins*)
    names of Python builtins such as ``list`` or ``id``.
    """
    raw = name
    if not isinstance(name, str) or not name.strip():
        raise InvalidNameError(f"{what} must not be empty", name=str(raw), what=what)
    name = name.strip()
    if not re.fullmatch(r"[A-Za-z0-9_\-]+", name):
        bad = sorted({ch for ch in name if not (ch.isascii() and (ch.isalnum() or ch in "_-"))})
        raise InvalidNameError(
            f"{what} {raw!r} may only contain ASCII letters, digits, '_' and '-'"
            f" (found {' '.join(repr(ch) for ch in bad)})",
            name=raw,
            what=what,
        )
    if name[0].isdigit():
        raise InvalidNameError(f"{what} {raw!r} must not start with a digit", name=raw, what=what)
    if name[0] in "_-":
        raise InvalidNameError(
            f"{what} {raw!r} must start with a letter (a leading '_' makes it private)",
            name=raw,
            what=what,
        )
    canonical = snake(name)
    if not _IDENTIFIER.fullmatch(canonical):
        raise InvalidNameError(
            f"{what} {raw!r} does not make a valid snake_case name (got {canonical!r})",
            name=raw,
            what=what,
        )
    if len(canonical) > MAX_IDENTIFIER_LENGTH:
        raise InvalidNameError(
            f"{what} {raw!r} is longer than {MAX_IDENTIFIER_LENGTH} characters",
            name=raw,
            what=what,
        )
    if is_python_keyword(canonical):
        kind = "keyword" if keyword.iskeyword(canonical) else "soft keyword"
        raise InvalidNameError(
            f"{what} {raw!r} is a Python {kind}; choose another name"
            f" (for example {canonical}_name or {canonical}_kind)",
            name=raw,
            what=what,
        )
    if not allow_builtins and canonical in PYTHON_BUILTINS:
        raise InvalidNameError(
            f"{what} {raw!r} would shadow the Python builtin {canonical}(); choose a more specific name",
            name=raw,
            what=what,
        )
    return canonical


def check_resource_name(name: str, plural_name: str | None = None) -> tuple[str, str]:
    """Return ``(resource, plural)`` in snake_case, or raise :class:`InvalidNameError`.

    The plural is the table name, so it must not be an SQL reserved word, and it
    must differ from the singular (``list_data`` and ``read_data`` would be
    ambiguous, as would the variables holding one row and many).
    """
    resource = check_identifier(name, "resource name")
    if plural_name is None:
        table = plural(resource)
        one = singular(resource)
        if one != resource and plural(one) == resource:
            raise InvalidNameError(
                f"resource name {name!r} looks plural: its table would be {table!r}; name the resource"
                f" in the singular ({one!r}), or give the plural yourself (--plural, or 'plural:' in a"
                " spec file) if it is singular",
                name=name,
                what="resource name",
                hint=f"blueprintgen add resource {one}",
            )
    else:
        table = check_identifier(plural_name, f"plural of {resource!r}")
    if table == resource:
        raise InvalidNameError(
            f"resource name {resource!r} is its own plural; give a distinct plural"
            f" (for example {resource}_items or {resource}_records)",
            name=name,
            what="resource name",
        )
    if table in SQL_RESERVED:
        raise InvalidNameError(
            f"table name {table!r} (the plural of {resource!r}) is an SQL reserved word;"
            " choose another plural or resource name",
            name=table,
            what="plural",
        )
    return resource, table


def check_package_name(name: str, what: str = "project name") -> str:
    """The Python package of a project named *name*, or :class:`InvalidNameError`.

    Besides :func:`check_identifier`'s rules (builtins are fine: the package is a module of
    its own), the package must not be a module of the standard library or one the project
    imports (:data:`PROJECT_IMPORTS`): with its ``src`` folder first on ``sys.path`` it
    would shadow that module, and ``import test`` or ``import fastapi`` would find the
    project instead.
    """
    try:
        package = check_identifier(name, what, allow_builtins=True)
    except InvalidNameError as error:
        error.hint = error.hint or "use letters, digits, - or _, starting with a letter"
        raise
    if package in STDLIB_MODULES or package in PROJECT_IMPORTS:
        owner = "of the standard library" if package in STDLIB_MODULES else "that a generated project imports"
        raise InvalidNameError(
            f"{what} {name!r} gives the package {package!r}, which would shadow the module {package!r} {owner}",
            name=name,
            what=what,
            hint=f"choose a more specific name, e.g. {kebab(package)}-service or my-{kebab(package)}",
        )
    return package
