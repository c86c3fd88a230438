"""Stage 4: render every instance's templates in dependency order (sandboxed Jinja2)."""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from blueprintgen import naming
from blueprintgen.errors import BlueprintgenError, ProblemsFound, TemplateError, line_of

if TYPE_CHECKING:
    from jinja2 import Template

    from blueprintgen.blueprint import Blueprint
    from blueprintgen.instances import Instance, PlannedOutput
    from blueprintgen.sandbox import GuardedEnvironment, Limits
    from blueprintgen.views import ResourceView, SchemaChangeView

EMBEDDED = "<embedded_code>"


@dataclass(frozen=True)
class RenderedFile:
    """One generated file's text and where it came from."""

    path: str
    content: str
    instance: Instance
    template: str


def _pyrepr(value: Any) -> str:
    return repr(value)


FILTERS: dict[str, Any] = {
    "snake": naming.snake,
    "pascal": naming.pascal,
    "camel": naming.camel,
    "kebab": naming.kebab,
    "plural": naming.plural,
    "singular": naming.singular,
    "pyrepr": _pyrepr,
}
"""The filters every template may use, besides Jinja's own."""


def view_globals() -> dict[str, Any]:
    """The functions templates get their views from (see :mod:`blueprintgen.views`).

    ``resource_view()`` builds the view of the resource the template's parameters
    describe (``resource``, ``plural``, ``fields``, ``methods``, ``package``, ...);
    keyword arguments override them, e.g. ``resource_view(fields=migration_fields)``.
    ``schema_change_view()`` reads ``plural``, ``old_fields`` and ``new_fields`` (and
    whether the table has its sort indexes before and after: ``old_sort_indexes``,
    ``new_sort_indexes``; whether it is soft-deleted: ``old_soft_delete``, ``new_soft_delete``).
    The views are imported on the first call: a run without resources never loads them.
    """
    from jinja2 import pass_context

    def values(context: Any, names: tuple[str, ...]) -> dict[str, Any]:
        return {name: context[name] for name in names if name in context}

    @pass_context
    def resource_view(context: Any, **given: Any) -> ResourceView:
        from blueprintgen import views

        return views.resource_view(values(context, (*views.PARAMETERS, "blueprint")), **given)

    @pass_context
    def schema_change_view(context: Any, **given: Any) -> SchemaChangeView:
        from blueprintgen import views

        names = (
            "plural",
            "old_fields",
            "new_fields",
            "old_sort_indexes",
            "new_sort_indexes",
            "owned",
            "old_soft_delete",
            "new_soft_delete",
            "old_search_indexes",
            "new_search_indexes",
        )
        return views.schema_change_view(values(context, names), **given)

    return {"resource_view": resource_view, "schema_change_view": schema_change_view}


class Renderer:
    """A sandboxed Jinja2 environment over the catalog's template folders, rendering under
    :class:`~blueprintgen.sandbox.Limits` (output size, steps, nesting, time)."""

    def __init__(self, template_dirs: list[Path], limits: Limits | None = None) -> None:
        self.template_dirs = template_dirs
        self.limits = limits
        self._rendered: dict[tuple[str, int, tuple[str, ...]], RenderedFile] = {}
        self._chars_rendered = 0

    @cached_property
    def env(self) -> GuardedEnvironment:
        """The environment: strict about undefined names, whitespace-friendly, guarded."""
        from jinja2 import StrictUndefined

        from blueprintgen.cache import jinja_bytecode
        from blueprintgen.sandbox import GUARDS_VERSION, GuardedEnvironment, RootedLoader

        env = GuardedEnvironment(
            loader=RootedLoader([str(d) for d in self.template_dirs]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            autoescape=False,
            bytecode_cache=jinja_bytecode(GUARDS_VERSION),
            limits=self.limits,
        )
        env.add_filters(FILTERS)
        env.globals.update(view_globals())
        return env

    def template_for(self, blueprint: Blueprint, template_name: str | None, pointer: str) -> Template:
        """Compile a template file or the embedded code, with errors that say where."""
        from jinja2 import TemplateNotFound, TemplateSyntaxError

        from blueprintgen.sandbox import Budget, RefusedTemplate

        self.env.budget = Budget(self.env.limits)  # compiling may evaluate constant filters
        name = template_name or EMBEDDED
        try:
            if template_name is None:
                return self.env.from_string(blueprint.embedded_code or "")
            return self.env.get_template(template_name)
        except TemplateNotFound as error:
            raise TemplateError(
                f"template {error.name!r} not found in {', '.join(map(str, self.template_dirs))}",
                **blueprint.where(f"{pointer}/template"),
                blueprint=blueprint.name,
            ) from None
        except RefusedTemplate as error:
            raise TemplateError(
                error.message,
                path=error.path,
                line=error.line,
                column=error.column,
                blueprint=blueprint.name,
                hint=error.hint,
            ) from None
        except TemplateSyntaxError as error:
            source = line_of(error.source, error.lineno)
            if error.filename:
                raise TemplateError(
                    f"template syntax error in {error.name}: {error.message}",
                    path=error.filename,
                    line=error.lineno,
                    blueprint=blueprint.name,
                    source_line=source,
                ) from None
            raise TemplateError(  # the line is one of embedded_code, not of the blueprint's file
                f"template syntax error in {EMBEDDED} (line {error.lineno} of embedded_code): {error.message}",
                **{**blueprint.where("/template/embedded_code"), "source_line": source},
                blueprint=blueprint.name,
            ) from None
        except Exception as error:  # Python's own limits: nesting, number size
            raise TemplateError(
                f"template {name} cannot be compiled: {_describe(error)}",
                **(
                    blueprint.where("/template/embedded_code")
                    if template_name is None
                    else blueprint.where(f"{pointer}/template")
                ),
                blueprint=blueprint.name,
                hint=getattr(error, "hint", None),
            ) from None

    def condition(self, expression: str, values: dict[str, Any], blueprint: Blueprint, pointer: str) -> bool:
        """Evaluate a condition expression against the parameters.

        Any failure (a syntax error, an undefined name, ``1/0``, an unsafe attribute, a
        limit) is a TemplateError at the condition.
        """
        from blueprintgen.sandbox import Budget

        self.env.budget = Budget(self.env.limits)
        try:
            return bool(self.env.compile_expression(expression, undefined_to_none=False)(**values))
        except Exception as error:
            raise TemplateError(
                f"condition {expression!r} cannot be evaluated: {_describe(error)}",
                **blueprint.where(pointer),
                blueprint=blueprint.name,
                hint=getattr(error, "hint", None),
            ) from None

    def render_output(self, item: PlannedOutput, context: dict[str, Any]) -> RenderedFile:
        """Render one file (once per instance); a failure names the blueprint, template and line."""
        key = (item.instance.identity, item.output.index, tuple(context.get("run_dependencies", ())))
        if key in self._rendered:
            return self._rendered[key]
        self._rendered[key] = rendered = self._render(item, context)
        return rendered

    def _render(self, item: PlannedOutput, context: dict[str, Any]) -> RenderedFile:
        blueprint = item.instance.blueprint
        pointer = f"/relationships/generates/{item.output.index}"
        template = self.template_for(blueprint, item.output.template, pointer)
        try:
            text = self._generate(template, context)
        except Exception as error:
            raise self._runtime_error(error, template, blueprint, item) from None
        self._check_text(text, template, blueprint, item)
        if item.path.endswith(".py") and blueprint.imports:
            text = merge_imports(text, blueprint.imports)
        if text and not text.endswith("\n"):
            text += "\n"
        return RenderedFile(item.path, text, item.instance, item.output.template or EMBEDDED)

    def _generate(self, template: Template, context: dict[str, Any]) -> str:
        """The template's text, produced under a fresh budget, each file and the run capped."""
        from blueprintgen.sandbox import Budget, LimitExceeded

        limits = self.env.limits
        self.env.budget = Budget(limits)
        chunks: list[str] = []
        size = 0
        for chunk in template.generate(**context):
            size += len(chunk)
            if size > limits.file_chars:
                raise LimitExceeded(
                    f"the output passed {limits.file_chars:,} characters, more than a generated file may hold",
                    "look for a loop that writes more than it should",
                )
            if self._chars_rendered + size > limits.run_chars:
                raise LimitExceeded(
                    f"this run's files passed {limits.run_chars:,} characters together",
                    "generate fewer resources in one run, or look for a template that writes too much",
                )
            chunks.append(chunk)
        self._chars_rendered += size
        return "".join(chunks)

    def _check_text(self, text: str, template: Template, blueprint: Blueprint, item: PlannedOutput) -> None:
        """Refuse output no file can hold as text: NUL, or a surrogate that is not UTF-8."""
        import re

        bad = re.search("[\x00\ud800-\udfff]", text)
        if bad is None:
            return
        line = text.count("\n", 0, bad.start()) + 1
        what = "a NUL character" if bad.group() == "\x00" else f"a lone surrogate (\\u{ord(bad.group()):04x})"
        raise TemplateError(
            f"rendering {item.output.template or EMBEDDED} for {item.path} produced {what} at line {line} "
            "of the output; a generated file is UTF-8 text",
            **(
                blueprint.where("/template/embedded_code")
                if item.output.template is None
                else {"path": template.filename}
            ),
            blueprint=item.instance.label,
        )

    def _runtime_error(
        self, error: Exception, template: Template, blueprint: Blueprint, item: PlannedOutput
    ) -> TemplateError:
        embedded = item.output.template is None
        wanted = "<template>" if embedded else template.filename
        line = None
        frame_file = wanted
        for frame in traceback.extract_tb(error.__traceback__):
            if frame.filename == wanted or frame.filename.endswith(".j2"):
                line, frame_file = frame.lineno, frame.filename
        source = blueprint.embedded_code or "" if embedded else _read(frame_file)
        lines = source.splitlines()
        source_line = lines[line - 1] if line and line <= len(lines) else None
        what = f"rendering {item.output.template or EMBEDDED} for {item.path} failed: {_describe(error)}"
        hint = getattr(error, "hint", None)
        if embedded:
            return TemplateError(
                f"{what} (line {line} of embedded_code)" if line else what,
                **{**blueprint.where("/template/embedded_code"), "source_line": source_line},
                blueprint=item.instance.label,
                hint=hint,
            )
        return TemplateError(
            what,
            path=frame_file,
            line=line,
            blueprint=item.instance.label,
            source_line=source_line,
            hint=hint,
        )


def _describe(error: BaseException) -> str:
    """An exception in a sentence: Jinja's message, or Python's with its kind when that says more."""
    from jinja2 import TemplateNotFound

    message = getattr(error, "message", None) or str(error)
    if isinstance(error, TemplateNotFound):
        return f"template {error.name!r} not found"
    if isinstance(error, RecursionError):
        return "it nests too deeply (an expression nested hundreds of levels, or a template that includes or extends itself)"
    if isinstance(error, ArithmeticError | TypeError | ValueError | LookupError) and not getattr(
        error, "message", None
    ):
        return f"{type(error).__name__}: {message}"
    return message or type(error).__name__


def _read(path: str | None) -> str:
    try:
        return Path(path).read_text(encoding="utf-8") if path else ""
    except OSError:
        return ""


def context_for(instance: Instance, run_dependencies: list[str]) -> dict[str, Any]:
    """What a template sees: its parameters plus facts about the blueprint and the run."""
    from blueprintgen import __version__

    blueprint = instance.blueprint
    return {
        **instance.params,
        "blueprint": {
            "name": instance.label,
            "version": blueprint.version,
            "category": blueprint.category,
            "description": blueprint.description,
            "dependencies": list(blueprint.dependencies),
            "test_requirements": list(blueprint.test_requirements),
            "performance_targets": dict(blueprint.performance_targets),
        },
        "run_dependencies": run_dependencies,
        # A generated project pins the generator it came from (its dev extra, CI, pre-commit).
        "blueprintgen_version": __version__,
    }


def merge_imports(text: str, imports: tuple[str, ...]) -> str:
    """Put a blueprint's import lines at the top of a module, after its docstring."""
    import ast

    lines = text.splitlines(keepends=True)
    insert_at = 0
    try:
        module = ast.parse(text)
    except SyntaxError:
        module = None
    if module is not None:
        for node in module.body:
            is_docstring = isinstance(node, ast.Expr) and isinstance(
                getattr(node, "value", None), ast.Constant
            )
            is_future = isinstance(node, ast.ImportFrom) and node.module == "__future__"
            if (is_docstring and node is module.body[0]) or is_future:
                insert_at = node.end_lineno or 0
            else:
                break
    present = {line.strip() for line in lines}
    block = [f"{line}\n" for line in imports if line.strip() not in present]
    return "".join(lines[:insert_at] + block + lines[insert_at:])


def render_all(renderer: Renderer, order: list[Instance], outputs: list[PlannedOutput]) -> list[RenderedFile]:
    """Render every output in topological order, collecting every failure."""
    run_dependencies = sorted({dep for instance in order for dep in instance.blueprint.dependencies})
    by_instance: dict[str, list[PlannedOutput]] = {}
    for item in outputs:
        by_instance.setdefault(item.instance.identity, []).append(item)
    rendered: list[RenderedFile] = []
    problems: list[BlueprintgenError] = []
    for instance in order:
        context = context_for(instance, run_dependencies)
        blueprint = instance.blueprint
        try:
            if blueprint.condition and not renderer.condition(
                blueprint.condition, context, blueprint, "/condition"
            ):
                continue
            for item in by_instance.get(instance.identity, []):
                pointer = f"/relationships/generates/{item.output.index}/condition"
                if item.output.condition and not renderer.condition(
                    item.output.condition, context, blueprint, pointer
                ):
                    continue
                rendered.append(renderer.render_output(item, context))
        except BlueprintgenError as error:
            problems.append(error)
    if problems:
        raise ProblemsFound(problems)
    return rendered
