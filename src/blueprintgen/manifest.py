"""The manifest: what blueprintgen last wrote into a project, and from what."""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blueprintgen.errors import LoadError

STATE_DIR = ".blueprintgen"
MANIFEST = f"{STATE_DIR}/manifest.json"
BASES = f"{STATE_DIR}/base.json"
LEGACY_BASE_DIR = f"{STATE_DIR}/base"
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
    """Everything blueprintgen owns in a project. The base copies live in BASES."""

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


class BaseCopies:
    """What blueprintgen last generated for each file: the common ancestor of a 3-way merge.

    Kept in one file, ``.blueprintgen/base.json``, each generated file's lines one JSON
    string per line, so that git shows and merges it like the files themselves. One
    file rather than a copy per generated file: creating files is most of what
    writing a project costs. Projects from before keep a ``.blueprintgen/base/`` folder
    of copies; it is read, and folded into base.json on the next write.
    """

    def __init__(self, texts: dict[str, str] | None = None, legacy: dict[str, str] | None = None) -> None:
        self.texts = dict(texts or {})
        self.legacy = dict(legacy or {})

    def get(self, path: str) -> str | None:
        """The base copy of ``path``, or None."""
        text = self.texts.get(path)
        return text if text is not None else self.legacy.get(path)

    def __contains__(self, path: object) -> bool:
        return path in self.texts or path in self.legacy

    @classmethod
    def read(cls, project: Path) -> BaseCopies:
        """The project's base copies (none for a new project)."""
        path = project / BASES
        texts: dict[str, str] = {}
        if path.is_file():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                texts = {name: "".join(lines) for name, lines in data.items()}
            except (json.JSONDecodeError, TypeError, AttributeError, UnicodeDecodeError) as error:
                raise LoadError(
                    f"the base copies are damaged ({error}); restore them from version control",
                    path=path,
                ) from None
        legacy: dict[str, str] = {}
        folder = project / LEGACY_BASE_DIR
        if folder.is_dir():
            for copy in sorted(folder.rglob("*")):
                if copy.is_file():
                    with contextlib.suppress(UnicodeDecodeError):
                        legacy[copy.relative_to(folder).as_posix()] = copy.read_text(encoding="utf-8")
        return cls(texts, legacy)


def bases_json(texts: dict[str, str]) -> str:
    """base.json's text: files in path order, one JSON string per line of each (exact bytes)."""
    from json.encoder import encode_basestring as quote  # the C encoder, one call a line

    entries = []
    for path in sorted(texts):
        lines = texts[path].splitlines(keepends=True)
        body = "[\n" + ",\n".join(f"    {quote(line)}" for line in lines) + "\n  ]" if lines else "[]"
        entries.append(f"  {quote(path)}: {body}")
    return "{\n" + ",\n".join(entries) + "\n}\n" if entries else "{}\n"
