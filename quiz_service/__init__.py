"""The oqu service: a Flask app that adds what needs identity to the static site."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # `import quiz_service` (the `oqu` command's entry point) loads no Flask
    from flask import Flask


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """The app: defaults, then OQU_* environment variables, then `test_config`.

    Reads settings and the service bundle; creates `var/` and its secret key when they are
    the embedded defaults. Never migrates, connects, prompts or waits.
    """
    from flask import Flask

    import auth
    from quiz_service import (
        api,
        assignments,
        consultations,
        footprint,
        notices,
        proctoring,
        quizzes,
        schedules,
        search,
        static_site,
        studies,
    )
    from quiz_service.core import (
        clock,
        config,
        db,
        errors,
        i18n,
        jobs,
        mail,
        pages,
        route_ids,
        security_headers,
        service_bundle,
    )

    app = Flask(__name__, static_folder=None)
    app.config.from_mapping(config.complete_config(config.load_config(test_config)))
    route_ids.init_app(app)  # before any blueprint adds an `<int:…>` rule
    errors.init_app(app)
    i18n.init_app(app)  # Flask-Babel: the request's language and zone, Babel's formats
    db.init_app(app)
    clock.init_app(app)
    pages.init_app(app)
    jobs.init_app(app)
    mail.init_app(app)
    service_bundle.init_app(app)
    api.init_app(app)
    search.init_app(app)
    quizzes.init_app(app)
    assignments.init_app(app)  # before auth: its upload size is set before the CSRF check reads a form
    footprint.init_app(app)
    consultations.init_app(app)
    schedules.init_app(app)
    auth.init_app(app)
    studies.init_app(app)
    notices.init_app(app)
    proctoring.init_app(app)
    static_site.init_app(app)
    app.after_request(security_headers.add_security_headers)
    return app
