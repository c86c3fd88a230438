"""Where the built-in blueprints, templates and schema live (wheel or source checkout)."""

from __future__ import annotations

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
