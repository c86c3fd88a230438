"""Import every module of a package so new files are picked up without registration."""

import importlib
import pkgutil
from collections.abc import Iterable
from types import ModuleType


def import_submodules(
    package_name: str, package_path: Iterable[str]
) -> list[ModuleType]:
    """Import the direct submodules of a package, sorted by name."""
    names = sorted(
        info.name
        for info in pkgutil.iter_modules(package_path)
        if not info.name.startswith("_")
    )
    return [importlib.import_module(f"{package_name}.{name}") for name in names]
