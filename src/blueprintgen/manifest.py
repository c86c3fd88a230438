"""The manifest: what blueprintgen last wrote into a project, and from what."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blueprintgen.errors import LoadError
from blueprintgen.loader import strict_loads

STATE_DIR = ".blueprintgen"
MANIFEST = f"{STATE_DIR}/manifest.json"
BASES = f"{STATE_DIR}/base.json"
LEGACY_BASE_DIR = f"{STATE_DIR}/base"
SCHEMA_VERSION = 1


def digest(text: str) -> str:
    """The content hash recorded for a file."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Manifest:
    """Everything blueprintgen owns in a project. The base copies live in BASES.

    A value: a run builds the next manifest beside the previous one, never in place.
    """

    files: Mapping[str, FileRecord] = field(default_factory=dict)
    instances: Mapping[str, InstanceRecord] = field(default_factory=dict)
    formatter: Mapping[str, str] = field(default_factory=dict)
    generator: str = ""

    def to_json(self) -> str:
        """Stable, diff-friendly JSON: one line per instance and per file.

        Built from compact per-entry dumps (json's C encoder) rather than ``indent=``,
        which falls back to the pure-Python encoder and costs more than writing the files.
        """

        def section(entries: Mapping[str, Mapping[str, Any]]) -> str:
            if not entries:
                return "{}"
            lines = [f"    {json.dumps(key)}: {json.dumps(entries[key])}" for key in sorted(entries)]
            return "{\n" + ",\n".join(lines) + "\n  }"

        generator = {"name": "blueprintgen", "version": self.generator}
        return (
            "{\n"
            f'  "schema": {SCHEMA_VERSION},\n'
            f'  "generator": {json.dumps(generator)},\n'
            f'  "formatter": {json.dumps(dict(self.formatter))},\n'
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
            data = strict_loads(path.read_text(encoding="utf-8"))
            return cls(
                files={key: FileRecord(**value) for key, value in data.get("files", {}).items()},
                instances={
                    key: _current_instance(InstanceRecord(**value))
                    for key, value in data.get("instances", {}).items()
                },
                formatter=dict(data.get("formatter", {})),
                generator=data.get("generator", {}).get("version", ""),
            )
        except (json.JSONDecodeError, TypeError, AttributeError, UnicodeDecodeError) as error:
            raise LoadError(
                f"the manifest is damaged ({error}); restore it from version control",
                path=path,
            ) from None


LEGACY_ACCOUNT_MIGRATION = "resource-migration-user"
"""The accounts' admin-slice migration, whose parameters named no resource at first:
its records get ``resource: user``, as the blueprint records it now."""


def _current_instance(record: InstanceRecord) -> InstanceRecord:
    """An instance record as the current blueprints write it (older manifests' records updated)."""
    if record.blueprint == LEGACY_ACCOUNT_MIGRATION and "resource" not in record.params:
        return InstanceRecord(
            record.blueprint, record.version, {**record.params, "resource": "user"}, record.source
        )
    return record


class BaseCopies:
    """What blueprintgen last generated for each file: the common ancestor of a 3-way merge.

    Kept in one file, ``.blueprintgen/base.json``, each generated file's lines one JSON
    string per line, so that git shows and merges it like the files themselves. One
    file rather than a copy per generated file: creating files is most of what
    writing a project costs. Entries are decoded only when asked for, and written back
    as they were read unless they changed, so a run that touches a few files of a large
    project costs little. Projects from before keep a ``.blueprintgen/base/`` folder of
    copies; it is read, and folded into base.json on the next write.
    """

    def __init__(
        self,
        texts: dict[str, str] | None = None,
        legacy: dict[str, str] | None = None,
        encoded: dict[str, str] | None = None,
    ) -> None:
        self._texts = dict(texts or {})
        self._encoded = dict(encoded or {})  # path -> its JSON array, as written
        self.legacy = dict(legacy or {})

    def get(self, path: str) -> str | None:
        """The base copy of ``path``, or None."""
        text = self._texts.get(path)
        if text is None and path in self._encoded:
            try:
                lines = strict_loads(self._encoded[path], plain_strings=False)
                text = self._texts[path] = "".join(lines)
            except (ValueError, TypeError) as error:
                raise LoadError(
                    f"the base copy of {path!r} is damaged ({error}); restore base.json from version control",
                    path=BASES,
                ) from None
        return text if text is not None else self.legacy.get(path)

    def __contains__(self, path: object) -> bool:
        return path in self._texts or path in self._encoded or path in self.legacy

    def updated(self, changes: dict[str, str | None]) -> str | None:
        """base.json's text after ``changes`` (None drops a copy), or None when it stays as is.

        The copies of the old base/ folder are folded in.
        """
        changes = {**self.legacy, **changes}
        current = set(self._texts) | set(self._encoded)
        effective = {
            path: text
            for path, text in changes.items()
            if (text is None and path in current) or text is not None
        }
        if not self.legacy and all(
            text is not None and self.get(path) == text for path, text in effective.items()
        ):
            return None
        entries: dict[str, str] = {}
        for path in current | set(effective):
            if path in effective:
                text = effective[path]
                if text is not None:
                    entries[path] = _encode_lines(text)
            else:
                entries[path] = self._encoded.get(path) or _encode_lines(self._texts[path])
        if not entries:
            return "{}\n"
        from json.encoder import encode_basestring as quote

        return "{\n" + ",\n".join(f"  {quote(path)}: {entries[path]}" for path in sorted(entries)) + "\n}\n"

    @classmethod
    def read(cls, project: Path) -> BaseCopies:
        """The project's base copies (none for a new project)."""
        path = project / BASES
        encoded: dict[str, str] = {}
        texts: dict[str, str] = {}
        if path.is_file():
            try:
                text = path.read_text(encoding="utf-8")
                found = _split_entries(text)
                if found is not None:
                    encoded = found
                else:  # not as we write it (edited, merged by hand): plain JSON
                    data = strict_loads(text, plain_strings=False)
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
        return cls(texts, legacy, encoded)


def _encode_lines(text: str) -> str:
    """One file's copy as base.json holds it: a JSON array of its lines, one per line."""
    from json.encoder import encode_basestring as quote  # the C encoder, one call a line

    lines = text.splitlines(keepends=True)
    return "[\n" + ",\n".join(f"    {quote(line)}" for line in lines) + "\n  ]" if lines else "[]"


def _split_entries(text: str) -> dict[str, str] | None:
    """base.json as written by :meth:`BaseCopies.updated`: path -> its JSON array text.

    Each entry starts at a line indented by two spaces (``  "path": [``) and ends at a
    line ``  ]``; the lines between, one JSON string each, are indented by four, so
    they cannot look like either. The boundaries are found with ``str.find``, without
    visiting every line. None when the text is laid out otherwise.
    """
    if text == "{}\n":
        return {}
    if not text.startswith("{\n") or not text.endswith("\n}\n"):
        return None
    entries: dict[str, str] = {}
    position, stop = 2, len(text) - 2
    while position < stop:
        header_end = text.find("\n", position)
        header = text[position:header_end]
        suffix = next((end for end in ('": [],', '": []', '": [') if header.endswith(end)), None)
        if not header.startswith('  "') or suffix is None:
            return None
        path = json.loads(header[2 : len(header) - len(suffix) + 1])
        if not isinstance(path, str):
            return None
        if suffix != '": [':
            entries[path] = "[]"
            position = header_end + 1
            continue
        close = text.find("\n  ]", header_end)
        if close < 0 or text[close + 4 : close + 5] not in (",", "\n"):
            return None
        entries[path] = text[header_end - 1 : close + 4]
        position = close + (6 if text[close + 4] == "," else 5)
    return entries
