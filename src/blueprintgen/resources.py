"""Where the built-in blueprints, templates and schema live (wheel or source checkout)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


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
    """A writable folder for ``kind`` under the cache root (per Python version), or None.

    Only for the caches not yet moved onto :mod:`blueprintgen.cache`, which new code uses
    instead (it owns the off switch, ``BLUEPRINTGEN_NO_CACHE``, and the cache root).
    """
    from blueprintgen import cache

    if not cache.enabled():
        return None
    folder = cache.root() / kind / f"py{sys.version_info.major}{sys.version_info.minor}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder if os.access(folder, os.W_OK) else None
