"""Staff administration for administrators: users and roles, the unit tree, and the
working calendar (days off, make-up working days).

Routes (blueprint ``admin_pages``, admin role only, everyone else 403):
/admin/users, /admin/users/new, /admin/users/<id>, /admin/users/<id>/active, /admin/users/<id>/password,
/admin/units, /admin/units/new, /admin/units/<id>, /admin/units/<id>/active,
/admin/calendar, /admin/calendar/days, /admin/calendar/days/<date>/delete.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from app.admin import calendar_views, unit_views, user_views  # noqa: F401  (register routes)
    from app.admin.web import bp
    from app.core.web import add_nav_link

    app.register_blueprint(bp)
    add_nav_link(app, "admin_pages.users", _l("Quản trị"), shown_to=lambda user: user.is_admin)
