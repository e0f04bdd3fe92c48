"""The private bundle that `oqu build` writes to build/service/ (answer keys, schedules, plans).

For now only its manifest is read; a missing bundle is normal (nothing built yet), a
malformed manifest is an error that names the file. A running service picks up the bundle of
a newer build by itself.
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
    stamp: tuple[int, int] | None = None


def manifest_stamp(path: Path) -> tuple[int, int] | None:
    """Identity of the manifest file: `oqu build` swaps in a new folder, so a new inode."""
    try:
        stat = (path / MANIFEST).stat()
    except FileNotFoundError:
        return None
    return stat.st_ino, stat.st_mtime_ns


def load_bundle(path: Path) -> ServiceBundle:
    manifest_path = path / MANIFEST
    stamp = manifest_stamp(path)
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
    return ServiceBundle(path, manifest, stamp)


def init_app(app: Flask) -> None:
    app.extensions["oqu_service_bundle"] = load_bundle(app.config["SERVICE_DIR"])


def current() -> ServiceBundle:
    """The loaded bundle, reloaded when a new build has replaced it (one stat per call)."""
    bundle: ServiceBundle = current_app.extensions["oqu_service_bundle"]
    if manifest_stamp(bundle.path) != bundle.stamp:
        try:
            bundle = load_bundle(bundle.path)
        except BundleError:
            current_app.logger.exception("the new service bundle cannot be read; keeping the loaded one")
            return bundle
        current_app.extensions["oqu_service_bundle"] = bundle
    return bundle
