"""What an assistant reads before calling the tools: schemas, the field grammar,
blueprints and their templates (resources), and prompts that use them."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from mcp.server.mcpserver.exceptions import ResourceError

from blueprintgen.errors import BlueprintgenError
from blueprintgen.mcp_server.folder import ServedFolder

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

    from blueprintgen.catalog import Catalog

P = ParamSpec("P")
R = TypeVar("R")

SCHEMA_MIME = "application/schema+json"

FIELD_EXAMPLES = """\
Examples, each a list for the `fields` argument of plan_add_resource / add_resource:

- a customer: ["name:str", "email:email:unique", "age:int?", "vip:bool=false"]
- a product: ["title:str:unique", "description:text?", "price:decimal=9.99", "sku:str:index"]
- an order, referring to a customer added before it:
  ["customer:ref:customer", "status:enum[open,paid,shipped]=open", "placed_at:datetime", "note:text?"]
- a tree (a reference to the resource itself must be optional):
  ["name:str", "parent:ref:category?:set_null"]

A spec file (spec_file, YAML or JSON) holds several resources at once; references may point
to resources of the same file, which are then added first:

resources:
  author:
    fields: [name:str, email:email:unique]
  post:
    plural: posts
    methods: [create, list, read]
    fields: [title:str, body:text, author:ref:author]
"""


def field_grammar() -> str:
    """The field-spec grammar of `add resource --field`, with examples for the tools."""
    from blueprintgen.fieldgrammar import FIELD_SPEC_TEXT

    return f"{FIELD_SPEC_TEXT}\n\n{FIELD_EXAMPLES}"


def reports_errors(func: Callable[P, R]) -> Callable[P, R]:
    """A blueprintgen error becomes a resource error carrying the CLI's message."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except BlueprintgenError as error:
            raise ResourceError(error.format()) from None

    return wrapper


def register(server: MCPServer, folder: ServedFolder) -> None:
    """Add the resources and prompts to ``server``."""
    from blueprintgen import resources

    schemas = resources.schema_path().parent

    @server.resource(
        "blueprintgen://schemas/blueprint.schema.json",
        name="blueprint-schema",
        description="The JSON Schema (draft 2020-12) every blueprint file is checked against.",
        mime_type=SCHEMA_MIME,
    )
    def blueprint_schema() -> str:
        return (schemas / "blueprint.schema.json").read_text(encoding="utf-8")

    @server.resource(
        "blueprintgen://schemas/field.schema.json",
        name="field-schema",
        description="The JSON Schema of one resource field, as field specs parse into.",
        mime_type=SCHEMA_MIME,
    )
    def field_schema() -> str:
        return (schemas / "field.schema.json").read_text(encoding="utf-8")

    @server.resource(
        "blueprintgen://schemas/project.schema.json",
        name="project-schema",
        description="The JSON Schema of a project's blueprintgen.yaml.",
        mime_type=SCHEMA_MIME,
    )
    def project_schema() -> str:
        return (schemas / "project.schema.json").read_text(encoding="utf-8")

    @server.resource(
        "blueprintgen://field-grammar",
        name="field-grammar",
        description="The field-spec grammar (NAME:TYPE[?][:MODIFIER...][=DEFAULT]) with examples.",
        mime_type="text/plain",
    )
    def grammar() -> str:
        return field_grammar()

    def load_catalog() -> Catalog:
        from blueprintgen import catalog
        from blueprintgen.project import project_dir

        return catalog.load(project_dir(folder.start(".")))

    @server.resource(
        "blueprintgen://blueprints/{name}",
        name="blueprint",
        description="A blueprint's JSON file, as written (see list_blueprints for the names).",
        mime_type="application/json",
    )
    @reports_errors
    def blueprint_json(name: str) -> str:
        from blueprintgen.operations.blueprints import named

        return named(load_catalog(), name).text

    @server.resource(
        "blueprintgen://templates/{+path}",
        name="template",
        description="A template file, by its path in the templates folders (the project's templates/ "
        "first, then the built-in ones); show_blueprint gives each output's template.",
        mime_type="text/plain",
    )
    @reports_errors
    def template(path: str) -> str:
        found = load_catalog()
        for templates in found.template_dirs:
            base = templates.resolve()
            candidate = (base / path).resolve()
            if candidate.is_relative_to(base) and candidate.is_file():
                return candidate.read_text(encoding="utf-8")
        raise BlueprintgenError(f"no template {path!r} in {', '.join(str(d) for d in found.template_dirs)}")

    @server.prompt(
        name="resource_spec",
        description="Turn a description of data into resources the add_resource tool accepts.",
    )
    def resource_spec(description: str) -> str:
        return (
            "Turn the data described below into blueprintgen resources for the project this server "
            "works in.\n\n"
            "1. Call describe_project (drift false) for the resources that exist: a new field may "
            "refer to them with NAME:ref:RESOURCE.\n"
            "2. Choose one singular snake_case name per resource, and its fields as field specs "
            "following this grammar:\n\n"
            f"{field_grammar()}\n"
            "3. Call plan_add_resource once per resource, referenced resources first (or write one "
            "spec file and pass spec_file); show me each plan's files and fix any error it returns "
            "(the message says what is wrong and how to write it).\n"
            "4. Only when I agree, call add_resource with the same arguments.\n\n"
            f"The data:\n{description}"
        )

    @server.prompt(
        name="upgrade_project",
        description="Bring the project up to the installed blueprints, keeping your edits.",
    )
    def upgrade_project(project: str = ".") -> str:
        return (
            f"Bring the blueprintgen project at {project!r} up to date.\n\n"
            "1. Call validate; list the problems by file, with their hints.\n"
            "2. Call plan_upgrade and summarise the plan: what is created, updated, merged with my "
            "edits, removed, and every conflict with its hunks.\n"
            "3. For each conflict, propose an edit of my file that keeps my change and takes the new "
            "output, and make it only when I agree; then plan again.\n"
            "4. When the plan has no conflicts and I agree, call upgrade; then validate again."
        )
