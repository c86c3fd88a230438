"""The blueprints a run can use: built-in, then the project's own, then given paths."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from blueprintgen import loader, resources, schema
from blueprintgen.blueprint import Blueprint, Source
from blueprintgen.errors import BlueprintgenError, GraphError, ProblemsFound


@dataclass
class Catalog:
    """Blueprints by name, the templates folders to search, and what overrides what."""

    blueprints: dict[str, Blueprint]
    template_dirs: list[Path]
    overridden: dict[str, Blueprint] = field(default_factory=dict)

    def find(self, reference: str) -> tuple[Blueprint, dict[str, Any]] | None:
        """The blueprint a name refers to, with placeholder values read from the name."""
        if reference in self.blueprints:
            return self.blueprints[reference], {}
        for blueprint in self.blueprints.values():
            if blueprint.is_family:
                match = blueprint.name_pattern().match(reference)
                if match:
                    return blueprint, dict(match.groupdict())
        return None

    def clashing_outputs(self, selected: Iterable[Blueprint] | None = None) -> list[BlueprintgenError]:
        """Pairs of blueprints that generate the same literal path, neither under a ``condition``.

        A literal path (no placeholder) is the same file for every instance, so the two
        can never be generated into one project: whichever comes second is refused then.
        ``validate`` reports it now. With ``selected``, only pairs with a selected member.
        """
        import posixpath

        from blueprintgen.blueprint import placeholders_in

        chosen = None if selected is None else {id(blueprint) for blueprint in selected}
        first: dict[str, tuple[Blueprint, int]] = {}
        problems: list[BlueprintgenError] = []
        for blueprint in sorted(self.blueprints.values(), key=lambda b: (b.name, str(b.path))):
            if blueprint.condition:
                continue
            for output in blueprint.outputs:
                if output.condition or placeholders_in(output.path):
                    continue
                path = posixpath.normpath(output.path.replace("\\", "/"))
                other, _ = first.setdefault(path, (blueprint, output.index))
                if other is blueprint:
                    continue
                if chosen is not None and id(blueprint) not in chosen and id(other) not in chosen:
                    continue
                problems.append(
                    GraphError(
                        f"{blueprint.name} and {other.name} ({other.path}) both generate {path!r}, "
                        "neither under a condition: they can never be generated into one project",
                        **blueprint.where(f"/relationships/generates/{output.index}"),
                        blueprint=blueprint.name,
                        hint="give one of them a condition, or a path of its own",
                    )
                )
        return problems

    def get(self, name: str) -> Blueprint:
        """A blueprint by name, or a clear error with the closest names."""
        found = self.find(name)
        if found is None:
            from difflib import get_close_matches

            close = get_close_matches(name, list(self.blueprints), n=3)
            hint = f"did you mean {', '.join(close)}?" if close else "see `blueprintgen list`"
            raise GraphError(f"no blueprint named {name!r}", hint=hint)
        return found[0]


def _collect(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(loader.discover(path))
        elif path.exists():
            files.append(path)
        else:
            raise BlueprintgenError("no such file or folder", path=path)
    return files


def load(
    project_dir: Path | None = None,
    extra_paths: Iterable[Path] = (),
    *,
    include_builtin: bool = True,
) -> Catalog:
    """Load, validate and index every blueprint; all problems are reported at once."""
    builtin_dir = resources.blueprints_dir().resolve()
    layers: list[tuple[Source, list[Path]]] = []
    template_dirs: list[Path] = []
    extra_files = _collect(Path(p) for p in extra_paths)
    if extra_files:
        layers.append((Source.PATH, extra_files))
        for file in extra_files:
            for parent in file.resolve().parents:
                if (parent / "templates").is_dir() and parent / "templates" not in template_dirs:
                    template_dirs.append(parent / "templates")
                    break
    if project_dir is not None:
        local = project_dir / "blueprints"
        if local.is_dir() and local.resolve() != builtin_dir:
            layers.append((Source.PROJECT, loader.discover(local)))
        if (project_dir / "templates").is_dir() and (
            project_dir / "templates"
        ).resolve() != resources.templates_dir().resolve():
            template_dirs.append(project_dir / "templates")
    if include_builtin:
        layers.append((Source.BUILTIN, loader.discover(builtin_dir)))
    template_dirs.append(resources.templates_dir())

    documents: list[loader.Document] = []
    problems: list[BlueprintgenError] = []
    seen_files: set[Path] = set()
    for source, files in layers:
        for file in files:
            if file.resolve() in seen_files:
                continue
            seen_files.add(file.resolve())
            try:
                documents.append(loader.load(file, source))
            except BlueprintgenError as error:
                problems.append(error)
    try:
        built = schema.build(documents)
    except ProblemsFound as found:
        problems.extend(found.problems)
        built = []
    if problems:
        raise ProblemsFound(problems)

    catalog = Catalog(blueprints={}, template_dirs=template_dirs)
    first_of: dict[tuple[Source, str], Blueprint] = {}
    for blueprint in built:
        key = (blueprint.source, blueprint.name)
        if key in first_of:
            other = first_of[key]
            problems.append(
                GraphError(
                    f"duplicate blueprint name {blueprint.name!r}: also defined in {other.path}",
                    path=blueprint.path,
                    pointer="/metadata/name",
                )
            )
            continue
        first_of[key] = blueprint
        existing = catalog.blueprints.get(blueprint.name)
        if existing is None:
            catalog.blueprints[blueprint.name] = blueprint
        else:
            catalog.overridden[blueprint.name] = blueprint
    if problems:
        raise ProblemsFound(problems)
    return catalog
