"""The service's packages, found by walking their folders: what makes a feature's folder enough.

The migrations find each package's `migrations/` and `models` here, the `oqu` command each
package's `cli` module. The packages are named, not imported: the core imports neither auth
nor the features.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path

# The service's top-level packages.
SERVICE_PACKAGES = ("auth", "quiz_service")
SKIPPED = {"__pycache__", "templates", "static", "migrations"}


def package_folders() -> Iterator[tuple[str, Path]]:
    """Every package of the service as (dotted name, folder), parents before children."""
    for root in SERVICE_PACKAGES:
        spec = find_spec(root)
        for location in (spec.submodule_search_locations or []) if spec else []:
            yield from _walk(root, Path(location))


def _walk(name: str, folder: Path) -> Iterator[tuple[str, Path]]:
    yield name, folder
    for child in sorted(folder.iterdir()):
        if child.is_dir() and child.name not in SKIPPED and (child / "__init__.py").is_file():
            yield from _walk(f"{name}.{child.name}", child)


def modules_named(leaf: str) -> list[str]:
    """The dotted names of every package's module `leaf` (`models`, `cli`), parents first."""
    return [f"{name}.{leaf}" for name, folder in package_folders() if (folder / f"{leaf}.py").is_file()]
