"""The blueprint model: what a validated blueprint file means."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from blueprintgen import naming

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class Source(StrEnum):
    """Where a blueprint comes from; a later source overrides an earlier one."""

    BUILTIN = "built-in"
    PROJECT = "project"
    PATH = "path"


@dataclass(frozen=True)
class Parameter:
    """One typed input of a blueprint."""

    name: str
    type: str
    required: bool = False
    default: Any = None
    has_default: bool = False
    description: str = ""
    enum: tuple[Any, ...] | None = None
    pattern: str | None = None
    items: dict[str, Any] | None = None
    examples: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Output:
    """One file a blueprint writes: a path pattern and its template."""

    path: str
    template: str | None
    condition: str | None
    index: int


@dataclass(frozen=True)
class Blueprint:
    """A validated blueprint, with the file it came from."""

    name: str
    version: str
    category: str
    description: str
    parameters: dict[str, Parameter]
    outputs: tuple[Output, ...]
    depends_on: tuple[str, ...]
    embedded_code: str | None
    dependencies: tuple[str, ...]
    imports: tuple[str, ...]
    required_files: tuple[str, ...]
    test_requirements: tuple[str, ...]
    performance_targets: dict[str, str]
    condition: str | None
    path: Path
    source: Source
    text: str = field(repr=False, default="")
    data: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def is_family(self) -> bool:
        """Whether the name holds placeholders (one blueprint, many instances)."""
        return bool(PLACEHOLDER.search(self.name))

    def name_pattern(self) -> re.Pattern[str]:
        """A regex matching this blueprint's expanded names, capturing placeholders."""
        regex = ""
        position = 0
        for match in PLACEHOLDER.finditer(self.name):
            regex += re.escape(self.name[position : match.start()])
            regex += f"(?P<{match.group(1)}>[A-Za-z0-9_]+?)"
            position = match.end()
        regex += re.escape(self.name[position:])
        return re.compile(f"^{regex}$")

    def where(self, pointer: str) -> dict[str, Any]:
        """Error context for a place in this blueprint's file: path, pointer, line, column."""
        from blueprintgen import jsonpos

        found = jsonpos.locate(self.text, pointer) if self.text else None
        line, column = found if found else (None, None)
        lines = self.text.splitlines()
        return {
            "path": self.path,
            "pointer": pointer,
            "line": line,
            "column": column,
            "source_line": lines[line - 1] if line and line <= len(lines) else None,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any], *, path: Path, source: Source, text: str) -> Blueprint:
        """Build the model from a document that passed schema validation."""
        meta = data["metadata"]
        template = data.get("template", {})
        relations = data.get("relationships", {})
        checks = data.get("validation", {})
        parameters = {
            name: Parameter(
                name=name,
                type=spec["type"],
                required=spec.get("required", False),
                default=spec.get("default"),
                has_default="default" in spec,
                description=spec.get("description", ""),
                enum=tuple(spec["enum"]) if "enum" in spec else None,
                pattern=spec.get("pattern"),
                items=spec.get("items"),
                examples=tuple(spec.get("examples", ())),
            )
            for name, spec in data.get("parameters", {}).items()
        }
        outputs = tuple(
            Output(path=entry, template=None, condition=None, index=index)
            if isinstance(entry, str)
            else Output(
                path=entry["path"],
                template=entry.get("template"),
                condition=entry.get("condition"),
                index=index,
            )
            for index, entry in enumerate(relations.get("generates", []))
        )
        return cls(
            name=meta["name"],
            version=meta["version"],
            category=meta["category"],
            description=meta["description"],
            parameters=parameters,
            outputs=outputs,
            depends_on=tuple(relations.get("depends_on", [])),
            embedded_code=template.get("embedded_code"),
            dependencies=tuple(template.get("dependencies", [])),
            imports=tuple(template.get("imports", [])),
            required_files=tuple(checks.get("required_files", [])),
            test_requirements=tuple(checks.get("test_requirements", [])),
            performance_targets=dict(checks.get("performance_targets", {})),
            condition=data.get("condition"),
            path=path,
            source=source,
            text=text,
            data=data,
        )


def placeholder_values(params: dict[str, Any]) -> dict[str, str]:
    """Every placeholder a set of parameter values answers to.

    For a string parameter ``resource = "blog_post"``: ``{resource}`` → ``blog_post``,
    ``{Resource}`` → ``BlogPost``, ``{resource_plural}`` → ``blog_posts``,
    ``{resource_kebab}`` → ``blog-post``. A parameter named ``x_name`` also answers
    to ``{x}``/``{X}`` (so the seed's ``resource_name`` fills ``{resource}``).
    """
    values: dict[str, str] = {}

    def add(key: str, value: str) -> None:
        values.setdefault(key, value)
        values.setdefault(key[:1].upper() + key[1:], naming.pascal(value))
        values.setdefault(f"{key}_plural", naming.plural(value))
        values.setdefault(f"{key}_kebab", naming.kebab(value))

    for key, value in params.items():
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            continue
        add(key, str(value))
    for key, value in params.items():
        if key.endswith("_name") and isinstance(value, str) and len(key) > 5:
            add(key[:-5], value)
    return values


def placeholders_in(text: str) -> list[str]:
    """The placeholder names a pattern uses."""
    return PLACEHOLDER.findall(text)


def known_placeholders(parameter_names: list[str] | set[str]) -> set[str]:
    """Placeholder names that parameters with these names can fill."""
    sample = dict.fromkeys(parameter_names, "x")
    return set(placeholder_values(sample))


def expand(text: str, values: dict[str, str]) -> str:
    """Replace ``{placeholder}`` with its value; an unknown one raises KeyError."""
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)
