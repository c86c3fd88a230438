"""Project operations: what each command does, as functions of plain values.

A writing operation reads the project and the blueprints, checks what it was asked
for, and runs the pipeline up to the plan: it returns a ``Plan`` (or a subclass carrying
what the user is told about it) and writes nothing; ``plan.apply()`` writes it. The CLI
parses options, calls one operation, prints the plan and, once confirmed, applies it;
tests and other front ends call the same functions.

- ``create_project``: a new project (name rules, empty folder, first git commit)
- ``add_resources``: add resources, or change existing ones (``replace``), in ``resources``
- ``upgrade_project``: re-render the whole project; ``project_drift``: how its files stand
- ``generate_blueprint``: one blueprint and what it depends on
- ``check``: blueprints and, in a project, drift; ``blueprint_graph``: the dependency graph
"""

from blueprintgen.operations.blueprints import (
    blueprint_graph,
    coerce_sets,
    generate_blueprint,
    sample_request,
    sample_resolution,
)
from blueprintgen.operations.check import BlueprintResult, CheckReport, check
from blueprintgen.operations.create import NewProjectPlan, create_project, package_name
from blueprintgen.operations.plans import Applied, Plan, WriteOptions
from blueprintgen.operations.resources import ResourceChangeRefused, ResourcePlan, add_resources
from blueprintgen.operations.upgrade import UpgradePlan, project_drift, upgrade_project

__all__ = [
    "Applied",
    "BlueprintResult",
    "CheckReport",
    "NewProjectPlan",
    "Plan",
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
    "package_name",
    "project_drift",
    "sample_request",
    "sample_resolution",
    "upgrade_project",
]
