"""Page forms of petitions. The services check everything again (they serve the demo seed too);
these give each field its message in the page's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, Regexp

from app.petitions.models import FEEDBACK, PETITION
from app.petitions.services import (
    ANSWER_RANGE,
    COMMENT_MAX,
    CONTENT_RANGE,
    DEADLINE_RANGE,
    EMAIL_RE,
    NOTE_MAX,
    SUMMARY_RANGE,
    TITLE_RANGE,
)

KIND_LABELS = {
    FEEDBACK: _l("Phản ánh (về hành vi, thái độ, việc giải quyết chưa đúng)"),
    PETITION: _l("Kiến nghị (đề xuất sửa đổi, đơn giản hóa thủ tục)"),
}
SHORT_KIND_LABELS = {FEEDBACK: _l("Phản ánh"), PETITION: _l("Kiến nghị")}
RATING_LABELS = {
    5: _l("Rất hài lòng"),
    4: _l("Hài lòng"),
    3: _l("Bình thường"),
    2: _l("Không hài lòng"),
    1: _l("Rất không hài lòng"),
}
PUBLIC, PRIVATE = "public", "private"


def _pick(values: object, message: object) -> AnyOf:
    """One of `values`, else `message` (also for a value that is not offered at all)."""
    return AnyOf(list(values), message=message)


def _length(bounds: tuple[int, int]) -> Length:
    low, high = bounds
    return Length(low, high, _l("Từ %(min)d đến %(max)d ký tự"))


class PetitionForm(FlaskForm):
    kind = RadioField(
        _l("Loại"),
        choices=[SelectChoice(k, label) for k, label in KIND_LABELS.items()],
        validators=[_pick(KIND_LABELS, _l("Chọn phản ánh hoặc kiến nghị"))],
        validate_choice=False,
    )
    procedure_code = SelectField(_l("Thủ tục hành chính"), choices=[], validate_choice=False)
    unit_code = SelectField(_l("Đơn vị giải quyết (nếu biết)"), choices=[], validate_choice=False)
    dossier_code = HiddenField()
    ticket = HiddenField()
    title = StringField(
        _l("Tiêu đề"), validators=[DataRequired(_l("Vui lòng nhập tiêu đề")), _length(TITLE_RANGE)]
    )
    content = TextAreaField(
        _l("Nội dung"), validators=[DataRequired(_l("Vui lòng nhập nội dung")), _length(CONTENT_RANGE)]
    )
    name = StringField(_l("Họ và tên (không bắt buộc)"), validators=[Optional(), Length(max=255)])
    email = StringField(
        _l("Email để nhận trả lời (không bắt buộc)"),
        validators=[Optional(), Length(max=255), Regexp(EMAIL_RE, message=_l("Địa chỉ email không hợp lệ"))],
    )
    phone = StringField(_l("Số điện thoại (không bắt buộc)"), validators=[Optional(), Length(max=20)])


class LookupForm(FlaskForm):
    code = StringField(
        _l("Mã phản ánh, kiến nghị"), validators=[DataRequired(_l("Vui lòng nhập mã")), Length(max=20)]
    )
    key = StringField(
        _l("Mã tra cứu"), validators=[DataRequired(_l("Vui lòng nhập mã tra cứu")), Length(max=20)]
    )


class RatingForm(FlaskForm):
    rating = RadioField(
        _l("Bạn hài lòng thế nào với câu trả lời?"),
        choices=[SelectChoice(str(value), label) for value, label in RATING_LABELS.items()],
        validators=[_pick([str(v) for v in RATING_LABELS], _l("Vui lòng chọn một mức"))],
        validate_choice=False,
    )
    comment = TextAreaField(
        _l("Góp ý thêm (không bắt buộc)"), validators=[Optional(), Length(max=COMMENT_MAX)]
    )


class AnswerForm(FlaskForm):
    answer = TextAreaField(
        _l("Nội dung trả lời"),
        validators=[DataRequired(_l("Vui lòng nhập câu trả lời")), _length(ANSWER_RANGE)],
    )
    visibility = RadioField(
        _l("Hình thức trả lời"),
        choices=[
            SelectChoice(PUBLIC, _l("Công khai trên Cổng (không kèm thông tin cá nhân)")),
            SelectChoice(PRIVATE, _l("Trả lời riêng cho người gửi")),
        ],
        validators=[_pick((PUBLIC, PRIVATE), _l("Chọn công khai hoặc trả lời riêng"))],
        validate_choice=False,
    )
    public_summary = TextAreaField(
        _l("Tóm tắt nội dung để công khai"), validators=[Optional(), _length(SUMMARY_RANGE)]
    )

    def validate(self, extra_validators=None) -> bool:  # noqa: ANN001 (WTForms' signature)
        valid = super().validate(extra_validators)
        if self.visibility.data == PUBLIC and not (self.public_summary.data or "").strip():
            message = _l("Khi công khai, hãy tóm tắt nội dung không kèm thông tin cá nhân")
            self.public_summary.errors = [*self.public_summary.errors, message]
            return False
        return valid


class ForwardForm(FlaskForm):
    unit_code = SelectField(
        _l("Chuyển đến đơn vị"),
        choices=[],
        validate_choice=False,
        validators=[DataRequired(_l("Chọn đơn vị nhận"))],
    )
    note = TextAreaField(_l("Ghi chú cho đơn vị nhận"), validators=[Optional(), Length(max=NOTE_MAX)])


def _days(label: object) -> StringField:
    low, high = DEADLINE_RANGE
    return StringField(
        label,
        validators=[
            InputRequired(_l("Vui lòng nhập số ngày")),
            AnyOf([str(n) for n in range(low, high + 1)], message=_l("Từ 1 đến 90 ngày làm việc")),
        ],
    )


class DeadlineForm(FlaskForm):
    feedback = _days(_l("Thời hạn trả lời phản ánh (ngày làm việc)"))
    petition = _days(_l("Thời hạn trả lời kiến nghị (ngày làm việc)"))
