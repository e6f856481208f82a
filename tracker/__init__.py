"""The mobility tracker: a Flask application for research mobility programmes."""

import os
import secrets
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask, has_request_context, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from config import config_for
from tracker.core.storage import check_backend
from tracker.core.text import UNACCENT_FUNCTION, unaccent


def create_app(config_class=None, **overrides):
    """Build the application: configuration, extensions, blueprints, errors, commands."""
    app = Flask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_relative_config=True,
    )
    configure(app, config_class or config_for(), overrides)
    register_input_hygiene(app)
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_commands(app)
    register_request_hooks(app)
    register_static_assets(app)
    register_template_helpers(app)
    return app


def configure(app, config_class, overrides):
    app.config.from_object(config_class)
    app.config.update(overrides)
    # One zone for the whole organisation (docs/architecture.md, Days and times).
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SECRET_KEY") and config_class.ENV_NAME == "development":
        app.config["SECRET_KEY"] = _instance_secret(app)
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = os.path.join(app.instance_path, "uploads")
    check_backend(app.config)
    config_class.check(app)
    if app.config.get("PROXY_FIX_X_FOR"):
        hops = app.config["PROXY_FIX_X_FOR"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _instance_secret(app):
    """A development secret kept in the instance folder, so sessions survive restarts."""
    path = os.path.join(app.instance_path, "secret_key")
    if not os.path.exists(path):
        with open(path, "w") as handle:
            handle.write(secrets.token_hex(32))
        os.chmod(path, 0o600)
    with open(path) as handle:
        return handle.read().strip()


def register_input_hygiene(app):
    from tracker.core.hygiene import register_hygiene

    register_hygiene(app)


def register_extensions(app):
    from tracker import models  # noqa: F401  (the metadata must know every table)
    from tracker.core.cache import backend_settings
    from tracker.extensions import (
        babel, cache, compress, csrf, db, limiter, login_manager, migrate,
    )

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(app.root_path, "..", "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    cache.init_app(app, config=backend_settings(app.config))
    babel.init_app(app, locale_selector=_select_locale)
    compress.init_app(app)
    login_manager.init_app(app)

    from tracker.auth.services import configure_login_manager

    configure_login_manager(login_manager)

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            sa.event.listen(db.engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, connection_record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
    # The accent-insensitive search's function; PostgreSQL's comes from a migration.
    dbapi_connection.create_function(UNACCENT_FUNCTION, 1, unaccent, deterministic=True)


def _select_locale():
    """The reader's language: the one a signed-in person chose, else the one this visitor
    chose in the header (kept in their session), else their browser's best match, else the
    default. Command-line tools and outbox delivery have no reader: the default."""
    from flask import current_app, session

    config = current_app.config
    if not has_request_context():
        return config["BABEL_DEFAULT_LOCALE"]
    languages = config["LANGUAGES"]
    for chosen in (getattr(current_user, "locale", None), session.get("locale")):
        if chosen in languages:
            return chosen
    return request.accept_languages.best_match(languages) or config["BABEL_DEFAULT_LOCALE"]


def register_blueprints(app):
    from tracker.agreements.views import bp as agreements_bp
    from tracker.api.views import bp as api_bp
    from tracker.applications.views import bp as applications_bp
    from tracker.audit.views import bp as audit_bp
    from tracker.auth.views import bp as auth_bp
    from tracker.delegations.views import bp as delegations_bp
    from tracker.imports.views import bp as imports_bp
    from tracker.jobs.views import bp as jobs_bp
    from tracker.main.views import bp as main_bp
    from tracker.directory.views import bp as directory_bp
    from tracker.notifications.views import bp as notifications_bp
    from tracker.privacy.views import bp as privacy_bp
    from tracker.reports.views import bp as reports_bp
    from tracker.review.views import bp as review_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(directory_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(applications_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(delegations_bp)
    app.register_blueprint(agreements_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(jobs_bp)
    app.register_blueprint(api_bp)


def register_error_handlers(app):
    from tracker.core.errors import register_error_handlers as register

    register(app)


def register_commands(app):
    from tracker.commands import register_commands as register

    register(app)


def register_request_hooks(app):
    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; object-src 'none'; "
            "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
            + _sign_on_origin(app),
        )
        return response


def register_static_assets(app):
    from tracker.core.assets import register_assets

    register_assets(app)


def _sign_on_origin(app):
    """The single sign-on provider's origin, which the sign-out form is redirected to (the
    browser applies ``form-action`` to a form's redirects too); nothing without one."""
    issuer = app.config.get("OIDC_ISSUER")
    if not issuer:
        return ""
    parts = urlsplit(issuer)
    return f" {parts.scheme}://{parts.netloc}"


def register_template_helpers(app):
    from flask_babel import get_locale

    from tracker import access
    from tracker.auth.models import LOCALE_NAMES
    from tracker.core.countries import country_name
    from tracker.core.dates import (
        format_clock, format_day, format_moment, format_waited, working_days_since, zone_name,
    )
    from tracker.core.language import reader_locale
    from tracker.core.numbers import format_amount, format_number, format_share
    from tracker.main.navigation import account_links, nav_bar, nav_links

    from tracker.directory.badges import restricted_badge, risk_badge

    app.jinja_env.filters["country_name"] = country_name
    app.jinja_env.filters["risk_badge"] = risk_badge
    app.jinja_env.filters["restricted_badge"] = restricted_badge
    # Days and times in the reader's language and the organisation's time zone.
    app.jinja_env.filters["date"] = format_day
    app.jinja_env.filters["datetime"] = format_moment
    app.jinja_env.filters["clock"] = format_clock
    app.jinja_env.filters["waited"] = format_waited
    app.jinja_env.filters["working_days"] = working_days_since
    app.jinja_env.filters["amount"] = lambda value, currency=True: format_amount(
        value, reader_locale(), currency
    )
    app.jinja_env.filters["number"] = lambda value: format_number(value, reader_locale())

    @app.context_processor
    def inject_helpers():
        return {
            "get_locale": get_locale,
            "time_zone": zone_name,
            "share": lambda part, whole: format_share(part, whole, reader_locale()),
            "nav_links": lambda: nav_links(current_user),
            "nav_bar": lambda: nav_bar(current_user),
            "account_links": lambda: account_links(current_user),
            "can": lambda action, application=None: access.can(
                current_user, action, application
            ),
            "allowed_actions": lambda application: access.allowed_actions(
                current_user, application
            ),
            "can_use_reports": lambda: access.can_use_reports(current_user),
            "interface_languages": lambda: [
                (code, LOCALE_NAMES.get(code, code)) for code in app.config["LANGUAGES"]
            ],
        }
