"""Who is recorded and who may read the records of access to a dossier."""

from __future__ import annotations

from app.auth.models import User
from app.auth.roles import Role
from app.dossiers.models import Dossier


def is_recorded(user: User, dossier: Dossier) -> bool:
    """Access by anyone but the applicant: the applicant reading their own dossier is not access to
    someone else's personal data, and is not recorded."""
    return user.is_authenticated and dossier.applicant_id != user.id


def can_see_dossier_accesses(user: User, dossier: Dossier) -> bool:
    """The applicant sees who looked at their dossier; administrators see every record."""
    return dossier.applicant_id == user.id or user.role == Role.ADMIN


def can_see_access_log(user: User) -> bool:
    return user.is_authenticated and user.role == Role.ADMIN


def can_verify_history(user: User) -> bool:
    return user.is_authenticated and user.role == Role.ADMIN
