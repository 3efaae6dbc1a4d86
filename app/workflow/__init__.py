"""The dossier lifecycle: the workflow engine (the only way a dossier's state changes), its guards
and actions, the use cases built on it (submission, documents, supplements) and the dossier API."""

from flask import Flask, current_app

from app.jobs import QUICK, job


@job(queue=QUICK, timeout=300)
def forget_idempotency_keys() -> int:
    """Periodic: forget the idempotency keys older than IDEMPOTENCY_KEY_HOURS."""
    from app.workflow.idempotency import forget_old_keys

    return forget_old_keys(current_app.config["IDEMPOTENCY_KEY_HOURS"])


def init_app(app: Flask) -> None:
    import uuid

    from app.extensions import api
    from app.jobs.schedule import periodic
    from app.workflow import idempotency  # noqa: F401  (idempotency_keys table)
    from app.workflow.api import blp, register_schemas

    api.register_blueprint(blp)
    register_schemas(api.spec)
    periodic(app, forget_idempotency_keys, every=lambda config: 3600)
    # Each rendered submission form carries a key of its own: sent twice, it submits once.
    app.jinja_env.globals["new_idempotency_key"] = lambda: uuid.uuid4().hex
