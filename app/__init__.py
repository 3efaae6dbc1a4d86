"""Application factory. Nothing runs at import time."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask

from config import load_config


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(Path(__file__).resolve().parent.parent / "instance"))
    app.config.from_object(load_config())
    if overrides:
        app.config.update(overrides)
    from app.org.structure import current_structure_of

    app.config["ORG_LEVELS"] = list(current_structure_of(app.config).all_levels)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.json.ensure_ascii = False  # Vietnamese text stays readable in API responses
    app.json.sort_keys = False
    _configure_logging()

    from app.core import inputs
    from app.extensions import api, db, limiter, login_manager, migrate

    inputs.init_app(app)  # before any route: ids in paths use its bounded `int` converter
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(Path(__file__).resolve().parent.parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    login_manager.init_app(app)
    api.init_app(app)
    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    if not app.config.get("RATELIMIT_STORAGE_URI"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"
    limiter.init_app(app)  # rate limits per client address (after ProxyFix has set it)

    from app.core import uow
    from app.core.errors import register_error_handlers

    uow.init_app(app)  # first: its after-request commit runs after every other hook

    register_error_handlers(app)
    from app.core import i18n, web
    from app.core.views import bp as core_bp

    i18n.init_app(app)
    web.init_app(app)

    app.register_blueprint(core_bp)
    _register_domains(app)
    return app


def _configure_logging() -> None:
    """One line per record; lines written while a job runs name the job ("[job <id>]")."""
    from app.jobs import JobIdFilter

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(job)s%(message)s")
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, JobIdFilter) for f in handler.filters):
            handler.addFilter(JobIdFilter())
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def _register_domains(app: Flask) -> None:
    """Each domain registers its models, blueprints, CLI commands and start-up checks."""
    from app import (
        admin,
        alerts,
        audit,
        auth,
        calendar,
        demo,
        dossiers,
        identity,
        inbound,
        indicators,
        jobs,
        notifications,
        official_forms,
        org,
        outbox,
        payments,
        petitions,
        portal,
        procedures,
        queues,
        ratings,
        reports,
        representation,
        results,
        search,
        storage,
        sync,
        workflow,
        workspace,
    )

    domains = (
        org,
        auth,
        identity,
        calendar,
        procedures,
        storage,
        jobs,
        outbox,
        dossiers,
        workflow,
        results,
        portal,
        representation,
        official_forms,
        notifications,
        ratings,
        payments,
        petitions,
        workspace,
        queues,
        search,
        indicators,
        admin,
        alerts,
        audit,
        reports,
        sync,
        inbound,
        demo,
    )
    for domain in domains:
        domain.init_app(app)
