"""Sign-in (institution OIDC and local accounts), sessions, roles, tokens and gated courses."""

from __future__ import annotations

from flask import Flask

from quiz_service.core import pages


def init_app(app: Flask) -> None:
    from auth import admin, csrf, identity, oidc, sessions, settings, throttle, views

    del admin  # imported for its routes, which it adds to the /auth/ blueprint

    settings.configure(app)
    if app.config["PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.session_interface = sessions.ServerSessionInterface()
    oidc.init_app(app)
    throttle.init_app(app)
    pages.add_page_context(app, views.page_context)
    pages.set_sign_in(app, "auth.login_form")
    app.register_blueprint(views.bp)
    app.register_blueprint(views.api_bp)
    app.before_request(identity.load_identity)
    app.before_request(csrf.protect_api)
    app.before_request(csrf.protect_forms)
