"""The private bundle that `oqu build` writes to build/service/ (answer keys, schedules, plans).

For now only its manifest is read; a missing bundle is normal (nothing built yet), a
malformed manifest is an error that names the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app

MANIFEST = "manifest.json"


class BundleError(Exception):
    """The bundle exists but cannot be read."""


@dataclass(frozen=True)
class ServiceBundle:
    path: Path
    manifest: dict[str, Any] | None


def load_bundle(path: Path) -> ServiceBundle:
    manifest_path = path / MANIFEST
    try:
        text = manifest_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ServiceBundle(path, None)
    try:
        manifest = json.loads(text)
    except ValueError as error:
        raise BundleError(f"{manifest_path}: not valid JSON: {error}") from None
    if not isinstance(manifest, dict):
        raise BundleError(f"{manifest_path}: expected a JSON object")
    return ServiceBundle(path, manifest)


def init_app(app: Flask) -> None:
    app.extensions["oqu_service_bundle"] = load_bundle(app.config["SERVICE_DIR"])


def current() -> ServiceBundle:
    bundle: ServiceBundle = current_app.extensions["oqu_service_bundle"]
    return bundle
