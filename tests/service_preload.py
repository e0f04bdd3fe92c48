"""Imported once by the fork server of service_launcher.py: every module of the service and of auth
(not their migrations: Alembic loads those itself), and gunicorn's command line and threaded worker,
so that each gunicorn, `oqu worker` and `oqu serve` forked from it starts with them imported. Only
imports: no app, settings or database here, so no child inherits any."""

from __future__ import annotations

import importlib
import pkgutil

import gunicorn.app.base
import gunicorn.app.wsgiapp
import gunicorn.workers.gthread  # noqa: F401

import auth
import quiz_service
import quiz_service.cli

for package in (quiz_service, auth):
    for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
        if ".migrations" not in module.name and not module.name.endswith(".__main__"):
            importlib.import_module(module.name)
