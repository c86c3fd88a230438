"""Where the built-in blueprints, templates and schema live (wheel or source checkout)."""

from __future__ import annotations

import os
import sys
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_root() -> Path:
    """The folder holding blueprints/, templates/ and schemas/."""
    installed = _PACKAGE / "_data"
    if (installed / "schemas").is_dir():
        return installed
    return _PACKAGE.parent.parent


def blueprints_dir() -> Path:
    """Built-in blueprints."""
    return data_root() / "blueprints"


def templates_dir() -> Path:
    """Built-in templates."""
    return data_root() / "templates"


def schema_path() -> Path:
    """The blueprint JSON Schema."""
    return data_root() / "schemas" / "blueprint.schema.json"


def cache_dir(kind: str) -> Path | None:
    """A writable folder under the user's cache for ``kind`` (per Python version), or None.

    ``$XDG_CACHE_HOME/blueprintgen/<kind>/pyXY``; ``BLUEPRINTGEN_NO_CACHE=1`` turns every
    cache off. Caches only ever save time: deleting them changes no result.
    """
    if os.environ.get("BLUEPRINTGEN_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    folder = Path(base) / "blueprintgen" / kind / f"py{sys.version_info.major}{sys.version_info.minor}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None


def keep_in_cache(path: Path, text: str) -> bool:
    """Replace a cache file at once (readers never see half of it); False when it cannot be
    written, which only makes the next run slower."""
    scratch = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        scratch.write_text(text, encoding="utf-8")
        os.replace(scratch, path)
    except OSError:
        scratch.unlink(missing_ok=True)
        return False
    return True
