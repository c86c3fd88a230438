"""The manifest: what blueprintgen last wrote into a project, and from what."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blueprintgen.errors import LoadError

STATE_DIR = ".blueprintgen"
MANIFEST = f"{STATE_DIR}/manifest.json"
BASE_DIR = f"{STATE_DIR}/base"
SCHEMA_VERSION = 1


def digest(text: str) -> str:
    """The content hash recorded for a file."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class FileRecord:
    """One generated file: which instance wrote it and the hash of what was written."""

    instance: str
    sha256: str
    template: str = ""
    deleted: bool = False

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        data: dict[str, Any] = {"instance": self.instance, "sha256": self.sha256, "template": self.template}
        if self.deleted:
            data["deleted"] = True
        return data


@dataclass
class InstanceRecord:
    """A blueprint instance: name, version and the parameters it was rendered with."""

    blueprint: str
    version: str
    params: dict[str, Any]
    source: str = "built-in"

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "blueprint": self.blueprint,
            "version": self.version,
            "source": self.source,
            "params": self.params,
        }


@dataclass
class Manifest:
    """Everything blueprintgen owns in a project. The base copies live in BASE_DIR."""

    files: dict[str, FileRecord] = field(default_factory=dict)
    instances: dict[str, InstanceRecord] = field(default_factory=dict)
    formatter: dict[str, str] = field(default_factory=dict)
    generator: str = ""

    def to_json(self) -> str:
        """Stable, diff-friendly JSON: one line per instance and per file.

        Built from compact per-entry dumps (json's C encoder) rather than ``indent=``,
        which falls back to the pure-Python encoder and costs more than writing the files.
        """

        def section(entries: dict[str, dict[str, Any]]) -> str:
            if not entries:
                return "{}"
            lines = [f"    {json.dumps(key)}: {json.dumps(entries[key])}" for key in sorted(entries)]
            return "{\n" + ",\n".join(lines) + "\n  }"

        generator = {"name": "blueprintgen", "version": self.generator}
        return (
            "{\n"
            f'  "schema": {SCHEMA_VERSION},\n'
            f'  "generator": {json.dumps(generator)},\n'
            f'  "formatter": {json.dumps(self.formatter)},\n'
            f'  "instances": {section({k: v.as_dict() for k, v in self.instances.items()})},\n'
            f'  "files": {section({k: v.as_dict() for k, v in self.files.items()})}\n'
            "}\n"
        )

    @classmethod
    def read(cls, project: Path) -> Manifest:
        """The project's manifest, or an empty one when it has none."""
        path = project / MANIFEST
        if not path.is_file():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                files={key: FileRecord(**value) for key, value in data.get("files", {}).items()},
                instances={key: InstanceRecord(**value) for key, value in data.get("instances", {}).items()},
                formatter=dict(data.get("formatter", {})),
                generator=data.get("generator", {}).get("version", ""),
            )
        except (json.JSONDecodeError, TypeError, AttributeError, UnicodeDecodeError) as error:
            raise LoadError(
                f"the manifest is damaged ({error}); restore it from version control",
                path=path,
            ) from None


def base_path(path: str) -> str:
    """Where the base copy of a generated file is kept."""
    return f"{BASE_DIR}/{path}"
