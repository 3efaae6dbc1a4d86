"""Petitioners' and public pages: file a petition (signed in, or anonymously, rate-limited per client
address), follow it (the answer, public or private, and its rating), find it again with its code and
follow-up key, a citizen's own list, and the publicly answered petitions."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import HiddenField

from app.core import uow
from app.core.errors import AppError, NotFoundError, PermissionDeniedError
from app.dossiers.queries import get_dossier
from app.extensions import limiter, login_manager
from app.petitions import access
from app.petitions import presenters as pp
from app.petitions.forms import LookupForm, PetitionForm, RatingForm
from app.petitions.models import Petition
from app.petitions.permissions import is_petitioner, require_can_file
from app.petitions.queries import find_petition_by_code, list_mine, list_public
from app.petitions.services import PetitionInput, file_petition, rate_petition, rating_editable

bp = Blueprint("petitions", __name__)
_ONCE_KEY = "petition_key_once"


def show_problems(form: FlaskForm, exc: AppError) -> None:
    """A service's field messages under the form's visible fields; the rest as the page's error."""
    leftover = []
    for name, message in (exc.details or {}).items() if isinstance(exc.details, dict) else ():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors") and not isinstance(field, HiddenField):
            field.errors = [*field.errors, _(message)]
        else:
            leftover.append(_(message))
    flash(" ".join([_(exc.message), *leftover]), "error")


def _anonymous_limit() -> str:
    return current_app.config.get("PETITION_ANONYMOUS_LIMIT") or "5 per hour;20 per day"


def _too_many() -> str:
    return _("Bạn đã gửi nhiều phản ánh, kiến nghị trong thời gian ngắn. Vui lòng thử lại sau.")


@bp.route("/petitions/new", methods=["GET", "POST"])
@limiter.limit(
    _anonymous_limit,
    methods=["POST"],
    exempt_when=lambda: current_user.is_authenticated,
    deduct_when=lambda response: response.status_code in (302, 303),
    error_message=_too_many,
)
def new() -> Response | tuple[str, int]:
    """The filing form. Its subject: ?procedure=CODE, ?dossier=CODE (a signed-in citizen's own
    dossier) or ?ticket=... (from the public tracking page); else the petitioner picks a procedure."""
    require_can_file(current_user)
    form = PetitionForm(formdata=request.form if request.method == "POST" else None, data=_prefill())
    subject = pp.subject_of(form.dossier_code.data, form.ticket.data, current_user)
    pp.fill_choices(form, subject)
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("petitions/new.html", form=form, subject=subject), 400 if form.errors else 200
    with uow.attempt() as failed:
        filed = file_petition(current_user, PetitionInput(**pp.input_fields(form)))
    if failed:
        show_problems(form, failed.error)
        return render_template("petitions/new.html", form=form, subject=subject), failed.error.status
    if filed.key:
        access.grant(filed.petition)
        session[_ONCE_KEY] = {"code": filed.petition.code, "key": filed.key}
    flash(_("Đã gửi phản ánh, kiến nghị %(code)s.", code=filed.petition.code), "success")
    return redirect(url_for(".follow", code=filed.petition.code))


def _prefill() -> dict:
    data = {
        "procedure_code": request.args.get("procedure", "")[:32],
        "ticket": request.args.get("ticket", ""),
    }
    code = request.args.get("dossier", "")[:40]
    if code and current_user.is_authenticated:
        data["dossier_code"] = get_dossier(code, current_user).code  # 404 unless it is theirs
    return data


def _followed(code: str) -> tuple[Petition, bool]:
    """The petition and whether this session holds its follow-up key; 404 for anyone but its petitioner."""
    petition = find_petition_by_code(code)
    if petition is None:
        raise NotFoundError(_("Không tìm thấy phản ánh, kiến nghị này"))
    granted = access.is_granted(petition)
    if not (granted or is_petitioner(current_user, petition)):
        if petition.petitioner_id is not None and not current_user.is_authenticated:
            raise SignInFirst()  # the link of the answer e-mail, opened before signing in
        raise NotFoundError(_("Không tìm thấy phản ánh, kiến nghị này"))
    return petition, granted


class SignInFirst(Exception):
    """A petition filed from an account, asked for by a browser not signed in: sign in, then back."""


@bp.errorhandler(SignInFirst)
def _sign_in_first(_exc: SignInFirst) -> Response:
    return login_manager.unauthorized()


def _follow_page(
    petition: Petition, status: int = 200, rating_form: RatingForm | None = None
) -> tuple[str, int]:
    once = session.pop(_ONCE_KEY, None)
    key = once["key"] if isinstance(once, dict) and once.get("code") == petition.code else None
    editable = petition.is_answered and rating_editable(petition)
    if editable and rating_form is None:
        rating = str(petition.rating) if petition.rating else None
        rating_form = RatingForm(formdata=None, data={"rating": rating, "comment": petition.rating_comment})
    return render_template(
        "petitions/follow.html", petition=petition, key=key, rating_form=rating_form if editable else None
    ), status


@bp.get("/petitions/follow/<code>")
def follow(code: str) -> tuple[str, int]:
    petition, _granted = _followed(code)
    return _follow_page(petition)


@bp.post("/petitions/follow/<code>/rating")
def rate(code: str) -> Response | tuple[str, int]:
    petition, granted = _followed(code)
    form = RatingForm()
    if not form.validate_on_submit():
        return _follow_page(petition, 400, form)
    with uow.attempt() as failed:
        rate_petition(petition, current_user, int(form.rating.data), form.comment.data, granted=granted)
    if failed:
        flash(_(failed.error.message), "error")
        return _follow_page(find_petition_by_code(code), failed.error.status)
    flash(_("Cảm ơn bạn đã đánh giá câu trả lời!"), "success")
    return redirect(url_for(".follow", code=petition.code, _anchor="danh-gia"))


@bp.route("/petitions/lookup", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config.get("PUBLIC_LOOKUP_LIMIT") or "60 per minute", methods=["POST"])
def lookup() -> Response | tuple[str, int]:
    """Code and follow-up key of a petition filed without signing in open its page in this browser."""
    if request.method == "GET":
        form = LookupForm(formdata=None, data={"code": request.args.get("code", "")[:20]})
        return render_template("petitions/lookup.html", form=form), 200
    form = LookupForm()
    if not form.validate_on_submit():
        return render_template("petitions/lookup.html", form=form), 400
    with uow.attempt() as failed:
        petition = access.open_with_key(form.code.data, form.key.data, request.remote_addr or "")
    if failed:
        error = _(failed.error.message)
        return render_template("petitions/lookup.html", form=form, error=error), failed.error.status
    if petition is None:
        error = _("Mã phản ánh hoặc mã tra cứu không đúng")
        return render_template("petitions/lookup.html", form=form, error=error), 200
    return redirect(url_for(".follow", code=petition.code))


@bp.get("/my/petitions")
@login_required
def mine() -> str:
    if not current_user.is_citizen:
        raise PermissionDeniedError(_("Trang này dành cho công dân. Cán bộ dùng trang nghiệp vụ."))
    page = list_mine(current_user.id, request.args.get("page", 1, type=int) or 1)
    return render_template("petitions/mine.html", page=page)


@bp.get("/petitions")
def public_list() -> str:
    q = (request.args.get("q") or "").strip()[:200]
    page = list_public(q, request.args.get("procedure") or None, request.args.get("page", 1, type=int) or 1)
    return render_template("petitions/public_list.html", page=page, q=q)


@bp.get("/petitions/<code>")
def public_detail(code: str) -> str:
    """A publicly answered petition: the published summary and the answer, no personal data."""
    petition = find_petition_by_code(code)
    if petition is None or not (petition.is_public and petition.is_answered):
        raise NotFoundError(_("Không tìm thấy câu trả lời công khai này"))
    return render_template("petitions/public_detail.html", petition=petition)
