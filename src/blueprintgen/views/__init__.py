"""What the resource templates print, built in Python from the resource model.

A resource template asks for its view once (``{% set r = resource_view() %}``, a Jinja
global registered by :mod:`blueprintgen.render`) and prints its attributes: names with
their articles, module paths, method flags, field groups, each field's declarations in
every layer, the import lines a module needs, the values the generated tests use. The
knowledge of field kinds lives in :mod:`blueprintgen.resource_model`; the choices below
are the ones the generated code's layout needs (which field a test changes, which
message a conflict gives, how a long message is split into literals).

Every ``*_code`` and ``*_line`` value is Python source without a trailing newline;
several lines are joined by ``"\\n"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from blueprintgen.resource_model import Resource, fields_of
from blueprintgen.views.field import TIMESTAMP_TYPE, FieldView
from blueprintgen.views.resource import ResourceView
from blueprintgen.views.schema_change import SchemaChangeView
from blueprintgen.views.words import article, either, import_lines, response_budget_seconds, text_literal

__all__ = [
    "PARAMETERS",
    "TIMESTAMP_TYPE",
    "FieldView",
    "ResourceView",
    "SchemaChangeView",
    "article",
    "either",
    "import_lines",
    "resource_view",
    "response_budget_seconds",
    "schema_change_view",
    "text_literal",
]

PARAMETERS = (
    "package",
    "resource",
    "plural",
    "fields",
    "methods",
    "auth_required",
    "mcp_style",
    "mcp_methods",
    "owned",
    "owned_targets",
    "soft_delete",
    "soft_deleted_targets",
)
"""The blueprint parameters a resource view is built from (a template's context)."""


def resource_view(params: Mapping[str, Any], **given: Any) -> ResourceView:
    """The view of the resource a template's parameters describe; ``given`` overrides them.

    ``fields`` may be field dicts (blueprint parameters) or :class:`Field` values.
    """
    values = {**params, **given}
    blueprint = values.get("blueprint")
    targets = blueprint.get("performance_targets") if isinstance(blueprint, Mapping) else None
    return ResourceView(Resource.from_params(values), values.get("package"), targets)


def schema_change_view(params: Mapping[str, Any], **given: Any) -> SchemaChangeView:
    """The view of a schema-change migration's parameters (plural, old_fields, new_fields)."""
    values = {**params, **given}
    return SchemaChangeView(
        values["plural"],
        fields_of(values["old_fields"]),
        fields_of(values["new_fields"]),
        old_sort_indexes=bool(values.get("old_sort_indexes")),
        new_sort_indexes=bool(values.get("new_sort_indexes")),
        owned=bool(values.get("owned")),
        old_soft_delete=bool(values.get("old_soft_delete")),
        new_soft_delete=bool(values.get("new_soft_delete")),
        old_search_indexes=bool(values.get("old_search_indexes")),
        new_search_indexes=bool(values.get("new_search_indexes")),
    )
