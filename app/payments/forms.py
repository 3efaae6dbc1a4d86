"""Page forms of the money pages: an obligation line, a counter payment, a cancellation, a refund and
the reconciliation's day. Amounts are typed as officers write them ("12.500.000" or "12500000")."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, Field, SelectField, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import DataRequired, Length, Optional, ValidationError

_AMOUNT = re.compile(r"^\d{1,3}([.\s]\d{3})*$|^\d+$")


class AmountField(StringField):
    """A whole number of đồng; "12.500.000", "12 500 000" and "12500000" are the same amount."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        self.amount = None
        text = (self.data or "").strip().removesuffix("đ").removesuffix("đồng").strip()
        if text and _AMOUNT.match(text) and len(text) <= 24:
            self.amount = int(re.sub(r"[.\s]", "", text))

    def pre_validate(self, form: FlaskForm) -> None:
        if self.data and getattr(self, "amount", None) is None:
            raise ValidationError(_l("Số tiền là số nguyên đồng, ví dụ 12.500.000"))


def _positive(form: FlaskForm, field: Field) -> None:
    if getattr(field, "amount", None) is not None and field.amount <= 0:
        raise ValidationError(_l("Số tiền phải lớn hơn 0"))


class ObligationForm(FlaskForm):
    name = StringField(
        _l("Khoản phải nộp"), validators=[DataRequired(_l("Cần ghi tên khoản phải nộp")), Length(max=255)]
    )
    amount = AmountField(
        _l("Số tiền (đồng)"), validators=[DataRequired(_l("Cần ghi số tiền")), _positive, Length(max=24)]
    )
    basis = TextAreaField(
        _l("Căn cứ pháp lý"),
        validators=[
            DataRequired(_l("Cần ghi căn cứ (số, ngày của thông báo hoặc văn bản)")),
            Length(max=2000),
        ],
    )
    payee = StringField(
        _l("Đơn vị thụ hưởng"), validators=[DataRequired(_l("Cần ghi đơn vị thụ hưởng")), Length(max=255)]
    )
    due_on = DateField(_l("Hạn nộp"), validators=[DataRequired(_l("Cần chọn hạn nộp (ngày)"))])
    note = TextAreaField(
        _l("Ghi chú cho người nộp (không bắt buộc)"), validators=[Optional(), Length(max=2000)]
    )
    notice = FileField(_l("Thông báo nộp tiền (PDF, không bắt buộc)"))


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class CounterPaymentForm(FlaskForm):
    charges = MultiCheckboxField(
        _l("Các khoản nộp"), coerce=int, validators=[DataRequired(_l("Chọn ít nhất một khoản"))]
    )
    method = SelectField(_l("Hình thức nộp"), validators=[DataRequired(_l("Chọn hình thức nộp"))])
    reference = StringField(
        _l("Số hóa đơn thẻ hoặc mã giao dịch chuyển khoản"), validators=[Optional(), Length(max=100)]
    )
    payer_name = StringField(_l("Người nộp tiền"), validators=[Optional(), Length(max=255)])


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Lý do hủy khoản này"), validators=[DataRequired(_l("Cần ghi lý do hủy")), Length(max=2000)]
    )


class RefundForm(FlaskForm):
    amount = AmountField(
        _l("Số tiền hoàn trả (đồng)"),
        validators=[DataRequired(_l("Cần ghi số tiền")), _positive, Length(max=24)],
    )
    reason = TextAreaField(
        _l("Lý do hoàn trả"), validators=[DataRequired(_l("Cần ghi lý do hoàn trả")), Length(max=2000)]
    )


class DayForm(FlaskForm):
    """The reconciliation's filter (GET, no CSRF)."""

    class Meta:
        csrf = False

    day = DateField(_l("Ngày"), validators=[Optional()])
    unit = StringField(_l("Mã đơn vị"), validators=[Optional(), Length(max=40)])
