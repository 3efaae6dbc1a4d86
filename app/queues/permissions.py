"""Who works the queues: reception officers, specialists and leaders, each in the queue of their role."""

from __future__ import annotations

from app.auth.models import User
from app.auth.roles import OFFICERS


def can_work_queues(user: User) -> bool:
    return user.is_authenticated and user.has_role(OFFICERS)
