"""Who may do what with a dossier's money.

- **Pay online**: a citizen who may see the dossier (its applicant, or a representative whose
  authorisation is valid).
- **Draft, notify and cancel financial obligations**: an officer of the unit holding the dossier
  whose role the procedure lets notify them (the roles of its request-payment transition).
- **Record a counter payment**: an officer (reception, specialist, leader) of the unit holding the
  dossier or of its receiving unit (the one-stop counter where the applicant comes to pay).
- **Reconciliation and refunds**: the overseers (leaders and supervisors, for their unit and the
  units below it; administrators for every unit). No role of its own: the head of a unit holds its
  revenue account and signs off what it collected each day, and supervisors already watch their
  subtree's indicators, so the people who answer for a unit's money are those who see its figures.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.auth.models import User
from app.auth.roles import OFFICERS, OVERSEERS
from app.core.errors import PermissionDeniedError
from app.dossiers.models import Dossier
from app.dossiers.permissions import can_view_dossier
from app.org.queries import subtree_ids
from app.procedures.definitions import Procedure
from app.procedures.vocabulary import REQUEST_PAYMENT


def can_pay(user: User, dossier: Dossier) -> bool:
    return user.is_authenticated and user.is_citizen and can_view_dossier(user, dossier)


def is_holding_officer(user: User, dossier: Dossier) -> bool:
    return user.has_role(OFFICERS) and user.unit_id is not None and user.unit_id == dossier.current_unit_id


def can_manage_obligations(user: User, dossier: Dossier, procedure: Procedure) -> bool:
    if not is_holding_officer(user, dossier):
        return False
    return any(t.kind == REQUEST_PAYMENT and user.role in t.roles for t in procedure.transitions)


def can_record_counter_payment(user: User, dossier: Dossier) -> bool:
    units = (dossier.current_unit_id, dossier.receiving_unit_id)
    return user.has_role(OFFICERS) and user.unit_id is not None and user.unit_id in units


def can_reconcile(user: User) -> bool:
    return user.is_authenticated and user.has_role(OVERSEERS)


def reconciliation_scope(user: User) -> set[int] | None:
    """The units whose money `user` reconciles: None for every unit (administrators)."""
    if user.is_admin:
        return None
    return subtree_ids(user.unit_id) if user.unit_id is not None else set()


def require_pay(user: User, dossier: Dossier) -> None:
    if not can_pay(user, dossier):
        raise PermissionDeniedError(
            _("Chỉ người nộp hồ sơ (hoặc người được ủy quyền) thanh toán trực tuyến.")
        )


def require_manage_obligations(user: User, dossier: Dossier, procedure: Procedure) -> None:
    if not can_manage_obligations(user, dossier, procedure):
        raise PermissionDeniedError(
            _("Chỉ cán bộ có thẩm quyền của đơn vị đang giải quyết hồ sơ thông báo nghĩa vụ tài chính.")
        )


def require_record_counter_payment(user: User, dossier: Dossier) -> None:
    if not can_record_counter_payment(user, dossier):
        raise PermissionDeniedError(
            _("Chỉ cán bộ của đơn vị tiếp nhận hoặc đơn vị đang giải quyết hồ sơ ghi nhận nộp tiền tại quầy.")
        )


def require_reconcile(user: User, unit_ids: set[int] | None = None) -> None:
    """Overseers only; `unit_ids`: the units asked for, all of which must be within their scope."""
    if not can_reconcile(user):
        raise PermissionDeniedError(_("Trang đối soát dành cho lãnh đạo, giám sát và quản trị viên."))
    scope = reconciliation_scope(user)
    if unit_ids and scope is not None and not unit_ids <= scope:
        raise PermissionDeniedError(_("Bạn không được đối soát các khoản thu của đơn vị này."))
