"""Officer queues: what each reception officer, specialist and leader of a unit acts on next."""

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext

    from app.core.web import add_nav_link
    from app.extensions import api
    from app.queues.api import blp
    from app.queues.permissions import can_work_queues
    from app.queues.views import bp

    api.register_blueprint(blp)
    app.register_blueprint(bp)
    add_nav_link(app, "queues_pages.index", lazy_gettext("Việc cần xử lý"), can_work_queues)
