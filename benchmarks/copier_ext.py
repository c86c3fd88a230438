"""Jinja extension giving copier's environment the filters blueprintgen's templates use."""

from jinja2 import Environment
from jinja2.ext import Extension

from blueprintgen.render import FILTERS, view_globals


class BlueprintFilters(Extension):
    """The filters (snake, pascal, ..., pyrepr) and view globals (resource_view, ...) of blueprintgen."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters.update(FILTERS)
        environment.globals.update(view_globals())
