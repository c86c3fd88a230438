"""Jinja extension giving copier's environment the filters blueprintgen's templates use."""

from jinja2 import Environment
from jinja2.ext import Extension

from blueprintgen.render import FILTERS


class BlueprintFilters(Extension):
    """snake, pascal, camel, kebab, plural, singular and pyrepr, as in blueprintgen."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters.update(FILTERS)
