"""Project operations: what each command does, as functions of plain values.

A writing operation reads the project and the blueprints, checks what it was asked
for, and runs the pipeline up to the plan: it returns a ``Plan`` (or a subclass carrying
what the user is told about it) and writes nothing; ``plan.apply()`` writes it. The CLI
parses options, calls one operation, prints the plan and, once confirmed, applies it;
tests and other front ends call the same functions.

- ``create_project``: a new project (name rules, empty folder, first git commit)
- ``add_resources``: add resources, or change existing ones (``replace``), in ``resources``
- ``remove_resource``: remove one, its table dropped by a new migration, in ``remove``
- ``list_resources``: the project's resources as its project file records them, in ``listing``
- ``upgrade_project``: re-render the whole project; ``project_drift``: how its files stand
- ``generate_blueprint``: one blueprint and what it depends on
- ``check``: blueprints and, in a project, drift; ``blueprint_graph``: the dependency graph

Each name is imported from its module on first use: a command pays only for its own
operation (``validate`` runs in every pre-commit).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from blueprintgen.operations.blueprints import (
        blueprint_graph,
        coerce_sets,
        generate_blueprint,
        sample_request,
        sample_resolution,
    )
    from blueprintgen.operations.checks import BlueprintResult, CheckReport, check
    from blueprintgen.operations.create import NewProjectPlan, create_project, package_name
    from blueprintgen.operations.listing import Inventory, list_resources
    from blueprintgen.operations.plans import Applied, Plan, WriteOptions
    from blueprintgen.operations.remove import RemovalPlan, remove_resource
    from blueprintgen.operations.resources import ResourceChangeRefused, ResourcePlan, add_resources
    from blueprintgen.operations.upgrade import UpgradePlan, project_drift, upgrade_project

# Where each public name lives: imported from there on first use (see __getattr__).
_MODULE_OF = {
    "Applied": "plans",
    "BlueprintResult": "checks",
    "CheckReport": "checks",
    "Inventory": "listing",
    "NewProjectPlan": "create",
    "Plan": "plans",
    "RemovalPlan": "remove",
    "ResourceChangeRefused": "resources",
    "ResourcePlan": "resources",
    "UpgradePlan": "upgrade",
    "WriteOptions": "plans",
    "add_resources": "resources",
    "blueprint_graph": "blueprints",
    "check": "checks",
    "coerce_sets": "blueprints",
    "create_project": "create",
    "generate_blueprint": "blueprints",
    "list_resources": "listing",
    "package_name": "create",
    "project_drift": "upgrade",
    "remove_resource": "remove",
    "sample_request": "blueprints",
    "sample_resolution": "blueprints",
    "upgrade_project": "upgrade",
}

__all__ = [
    "Applied",
    "BlueprintResult",
    "CheckReport",
    "Inventory",
    "NewProjectPlan",
    "Plan",
    "RemovalPlan",
    "ResourceChangeRefused",
    "ResourcePlan",
    "UpgradePlan",
    "WriteOptions",
    "add_resources",
    "blueprint_graph",
    "check",
    "coerce_sets",
    "create_project",
    "generate_blueprint",
    "list_resources",
    "package_name",
    "project_drift",
    "remove_resource",
    "sample_request",
    "sample_resolution",
    "upgrade_project",
]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # found directly from now on
    return value
