"""Feedback and petitions (phản ánh, kiến nghị): citizens file them about a procedure or a dossier,
signed in or anonymously; each is routed to the competent unit, has its own deadline in working days,
is answered publicly or privately by an officer of that unit, and the answer is rated. On-time
handling and satisfaction are Decision 766 group 5 facts (`app.petitions.queries.group5_facts`).

Routes: /petitions (public answers), /petitions/<code>, /petitions/new, /petitions/lookup,
/petitions/follow/<code> (and its rating), /my/petitions; officers: /work/petitions,
/work/petitions/<id> (and its answer, forward); administrators: /admin/petitions (deadlines).
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from app.core.web import add_nav_link
    from app.outbox.services import register_handler
    from app.petitions import (
        models,  # noqa: F401  (register tables)
        presenters,
    )
    from app.petitions.admin_views import bp as admin_bp
    from app.petitions.notify import notify_answered
    from app.petitions.permissions import can_work_petitions
    from app.petitions.services import ANSWERED_TOPIC
    from app.petitions.views import bp
    from app.petitions.work_views import bp as work_bp

    app.register_blueprint(bp)
    app.register_blueprint(work_bp)
    app.register_blueprint(admin_bp)
    presenters.init_app(app)
    register_handler(ANSWERED_TOPIC, "petition_notifications", notify_answered)
    add_nav_link(app, "petitions.public_list", _l("Phản ánh, kiến nghị"))
    add_nav_link(app, "petitions_work.queue", _l("Xử lý phản ánh"), can_work_petitions)
