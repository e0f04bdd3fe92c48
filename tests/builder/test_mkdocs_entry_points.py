"""A build process reads the installed packages' entry points once (MkDocs' plugins and themes,
Python-Markdown's extensions were each a reading of every package's entry points), and each
group is the same as importlib.metadata gives it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from builder.incremental import write_project
from builder.projects import ProjectSource

# Run in a process of its own: the readings happen once per process, at the first MkDocs config.
PROGRAM = """
import importlib.metadata, json, sys
readings = []
distributions = importlib.metadata.distributions
def counted(**params):
    readings.append(1)
    return distributions(**params)
importlib.metadata.distributions = counted

from builder.mkdocs_setup import quiet_mkdocs
quiet_mkdocs()
from mkdocs.config import load_config
config = load_config(config_file=sys.argv[1], site_dir=sys.argv[2])
import markdown, markdown.util, mkdocs.plugins, mkdocs.utils
markdown.Markdown(extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"])
read = len(readings)
importlib.metadata.distributions = distributions
def names(entry_points):
    return [(ep.name, ep.value, ep.group, ep.dist.name if ep.dist else None) for ep in entry_points]
print(json.dumps({
    "readings": read,
    "selected_once": markdown.util.get_installed_extensions() is markdown.util.get_installed_extensions(),
    "plugins": names(mkdocs.plugins.get_plugins().values()),
    "themes": names(mkdocs.utils.get_themes().values()),
    "extensions": names(markdown.util.get_installed_extensions()),
    "expected": {
        group: names(importlib.metadata.entry_points(group=group))
        for group in ("mkdocs.plugins", "mkdocs.themes", "markdown.extensions")
    },
}))
"""


def test_the_entry_points_are_read_once_and_are_the_same(tmp_path: Path) -> None:
    project = ProjectSource(
        "kk/courses/x", {"site_name": "x", "theme": {"name": "material"}, "plugins": ["search"]}
    )
    project.pages = {"index.md": "# x\n"}
    write_project(project, tmp_path / "src")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM, str(tmp_path / "src/mkdocs.yml"), str(tmp_path / "site")],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    seen = json.loads(result.stdout)
    assert seen["readings"] == 1
    assert seen["selected_once"]  # asked once per extension: selected once (as its lru_cache did)
    expected = seen["expected"]
    assert seen["extensions"] == expected["markdown.extensions"] and len(seen["extensions"]) > 10
    assert {ep[0] for ep in seen["plugins"]} == {ep[0] for ep in expected["mkdocs.plugins"]} >= {"search"}
    assert seen["plugins"] == [ep for ep in expected["mkdocs.plugins"] if ep in seen["plugins"]]
    assert {ep[0] for ep in seen["themes"]} == {ep[0] for ep in expected["mkdocs.themes"]} >= {"material"}
