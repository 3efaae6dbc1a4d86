"""Forms of the sync admin pages (field names match the subscriber services' error keys)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice

TOPIC_LABELS = {
    "dossier.submitted": _l("Hồ sơ mới nộp / tiếp nhận"),
    "dossier.transitioned": _l("Hồ sơ chuyển trạng thái"),
}


class SubscriberForm(FlaskForm):
    name = StringField(_l("Tên hệ thống nhận tin"))
    url = StringField(
        _l("Địa chỉ nhận (URL)"),
        render_kw={
            "inputmode": "url",
            "autocapitalize": "none",
            "spellcheck": "false",
            "placeholder": "https://",
        },
    )
    event_types = SelectMultipleField(
        _l("Loại sự kiện"),
        choices=[SelectChoice(topic, label) for topic, label in TOPIC_LABELS.items()],
        validate_choice=False,
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )
