"""The vocabulary of workflow files: guards, actions, the inputs they need, and the kinds of
transition with everything a transition does besides moving the state (its effects).

Every consumer reads effects from here, through the loaded `Transition` (its `effects` and
`inputs`): the official forms a transition issues (by form-set key), the notification it sends,
whether its comment is shown to the applicant, whether it is work for a queue, and the sentence the
applicant reads in their timeline. No other module names a transition.

A workflow transition either names a kind (`kind:`, or a `name` that is a kind) and inherits its
effects, overriding any of them under `effects:`, or declares its effects in full. The loader
rejects unknown keys and values, and workflows whose effects cannot work (a form that prints a fact
the transition does not record, a request to the applicant with no way to answer it).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.procedures.definitions import Text

# --- inputs: what a transition may be given, on the page, in the API and to the engine -------------

REQUIRED, OPTIONAL = "required", "optional"
RETURN_METHODS = ("counter", "post", "electronic")


@dataclass(frozen=True)
class InputSpec:
    name: str  # the payload key (file inputs: the upload's part name)
    kind: str  # text, lines, instant, user, unit, choice, file, files
    description: str  # for the API documentation (Vietnamese, like the API's messages)
    choices: tuple[str, ...] = ()
    max_length: int | None = None

    @property
    def is_file(self) -> bool:
        return self.kind in ("file", "files")


INPUTS: dict[str, InputSpec] = {
    spec.name: spec
    for spec in (
        InputSpec("comment", "text", "Nội dung, ý kiến hoặc lý do", max_length=4000),
        InputSpec("items", "lines", "Các giấy tờ, nội dung phải bổ sung (Mẫu 02), mỗi mục một dòng"),
        InputSpec("new_appointment_at", "instant", "Ngày hẹn trả mới (Mẫu 04), ISO 8601"),
        InputSpec("assignee", "user", "Chuyên viên thụ lý: id hoặc tên đăng nhập"),
        InputSpec("unit", "unit", "Mã định danh đơn vị nhận khi chuyển"),
        InputSpec("competent_unit", "unit", "Mã định danh đơn vị có thẩm quyền giải quyết (phân loại hồ sơ)"),
        InputSpec("return_method", "choice", "Hình thức trả kết quả", choices=RETURN_METHODS),
        InputSpec("tracking_number", "text", "Mã bưu gửi khi trả kết quả qua bưu chính", max_length=40),
        InputSpec("result_file", "file", "Tệp kết quả giải quyết (PDF hoặc ảnh)"),
        InputSpec("documents", "files", "Giấy tờ của hồ sơ, mỗi tệp một phần theo mã giấy tờ"),
    )
}

# --- guards: checks before a transition; each names the inputs it needs ----------------------------


@dataclass(frozen=True)
class GuardSpec:
    name: str
    doc: str
    requires: tuple[str, ...] = ()  # inputs this guard makes required
    on_listing: bool = False  # reads only the dossier and the user: also decides what is offered


GUARDS: dict[str, GuardSpec] = {
    spec.name: spec
    for spec in (
        GuardSpec("required_documents", "every required document of the procedure is attached"),
        GuardSpec("has_reason", "the request carries a reason (comment)", ("comment",)),
        GuardSpec("has_items", "the request lists what to supply (Mẫu 02)", ("items",)),
        GuardSpec("not_extended", "no new appointment yet (Mẫu 04 at most once)"),
        GuardSpec(
            "new_appointment", "new_appointment_at is later than the appointment", ("new_appointment_at",)
        ),
        GuardSpec("has_assignee", "assignee names an active specialist of the acting unit", ("assignee",)),
        GuardSpec("has_result", "a result document is attached, now or before", ("result_file",)),
        GuardSpec("may_attach", "an applicant attaches documents only while asked for them", on_listing=True),
        GuardSpec("before_due", "the dossier is not yet past its due time (Mẫu 04 is issued before)"),
        GuardSpec(
            "awaiting_dispatch",
            "the dossier's competent unit is not known yet (dispatch queue)",
            on_listing=True,
        ),
    )
}

# --- actions: what a transition does to the processing records, in order --------------------------


@dataclass(frozen=True)
class ActionSpec:
    name: str
    doc: str
    accepts: tuple[str, ...] = ()  # optional inputs it reads
    requires: tuple[str, ...] = ()  # required inputs
    opens_step: bool = False  # needs `step` (and, for open_step, `forward_to`)
    hands_over: bool = False  # opens or closes a leg, or returns the result: Mẫu 05 again


ACTIONS: dict[str, ActionSpec] = {
    spec.name: spec
    for spec in (
        ActionSpec(
            "start_clock", "received now; due time from the deadline; opens the first step", opens_step=True
        ),
        ActionSpec(
            "open_step",
            "closes the current step and opens one at the next unit",
            accepts=("unit",),
            opens_step=True,
            hands_over=True,
        ),
        ActionSpec("set_assignee", "the assignee of the current step", requires=("assignee",)),
        ActionSpec("pause_clock", "the dossier and its step stop accruing working time"),
        ActionSpec("resume_clock", "working time accrues again; due times move by the paused time"),
        ActionSpec(
            "set_new_appointment",
            "the appointment becomes new_appointment_at; the legal due time stays",
            requires=("new_appointment_at",),
        ),
        ActionSpec(
            "finish", "closes the step and the dossier clock: early / on time / late", hands_over=True
        ),
        ActionSpec(
            "record_return",
            "returned now, by return_method (by post: its tracking_number)",
            accepts=("return_method", "tracking_number"),
            hands_over=True,
        ),
        ActionSpec(
            "set_competent_unit",
            "the competent unit becomes competent_unit; the dossier goes back to its receiving unit",
            requires=("competent_unit",),
        ),
    )
}

# --- effects ------------------------------------------------------------------------------------

# Form-set keys (app.official_forms.catalog maps each to the form of the set in force).
# A set without a key's form (the 2018 set has no stop notice) issues nothing for it.
RECEIPT, SUPPLEMENT_REQUEST, REFUSAL, APOLOGY, STOP_NOTICE, CONTROL_SHEET = (
    "receipt",
    "supplement_request",
    "refusal",
    "apology",
    "stop_notice",
    "control_sheet",
)
FORM_KEYS = (RECEIPT, SUPPLEMENT_REQUEST, REFUSAL, APOLOGY, STOP_NOTICE, CONTROL_SHEET)
# What each form prints that a transition must record: a form key -> (actions, guards), any of them.
FORM_NEEDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    RECEIPT: (("start_clock",), ()),
    SUPPLEMENT_REQUEST: ((), ("has_items",)),
    REFUSAL: ((), ("has_reason",)),
    APOLOGY: (("set_new_appointment",), ()),
    STOP_NOTICE: ((), ("has_reason",)),
}

# Notifications to the applicant (templates in app/templates/notifications/{email,sms}/<kind>.txt).
NOTIFICATIONS = (
    "accepted",
    "incomplete",
    "supplement_requested",
    "refused",
    "rejected",
    "extended",
    "result_ready",
)
NOTIFICATION_NEEDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "incomplete": ((), ("has_items",)),
    "supplement_requested": ((), ("has_items",)),
    "extended": (("set_new_appointment",), ()),
}

PUBLIC, INTERNAL = "public", "internal"  # is the comment written for the applicant?
COMMENT_VALUES = (PUBLIC, INTERNAL)
WORK, SIDE = "work", "side"  # does the transition make the dossier work to do for its roles?
QUEUE_VALUES = (WORK, SIDE)
CHANNELS = ("online", "counter", "postal")


@dataclass(frozen=True)
class Sentence:
    """What the applicant reads in their timeline. `{unit}` is the unit holding the dossier after the
    event; a sentence may differ by channel (the submission)."""

    text: Text
    by_channel: tuple[tuple[str, Text], ...] = ()

    def get(self, lang: str, channel: str | None = None, unit: str = "") -> str:
        chosen = dict(self.by_channel).get(channel or "", self.text)
        return chosen.get(lang).replace("{unit}", unit)


@dataclass(frozen=True)
class Effects:
    sentence: Sentence
    comment: str = INTERNAL
    queue: str = WORK
    forms: tuple[str, ...] = ()
    notify: str | None = None
    asks_applicant: bool = False  # the target state waits for the applicant's answer
    answers_applicant: bool = False  # the applicant's answer; their documents come with it
    withdraws: bool = False  # the applicant withdraws the dossier


@dataclass(frozen=True)
class Kind:
    """A kind of transition: default effects, and guards or optional inputs it always has."""

    name: str
    effects: Effects
    guards: tuple[str, ...] = ()
    accepts: tuple[str, ...] = ()
    label: Text | None = None  # for transitions the loader adds itself (submit, attach_documents)
    roles: tuple[str, ...] = field(default=())


def _t(vi: str, en: str) -> Text:
    return Text(vi=vi, en=en)


def _s(vi: str, en: str) -> Sentence:
    return Sentence(_t(vi, en))


SUBMIT = "submit"  # the initial transition: from no state to the initial state
ATTACH_DOCUMENTS = "attach_documents"  # adding or replacing documents without changing the state
DISPATCH = "dispatch"  # naming the competent unit of a dossier nobody could route (dispatch queue)
APPROVE = "approve"  # the decision that issues the result: it asks for the file of an electronic one
# Financial obligations (app.payments): the officer's notice pauses the dossier until it is paid, and
# the payment's confirmation resumes it.
REQUEST_PAYMENT = "request_payment"
CONFIRM_PAYMENT = "confirm_payment"
# Kinds the system itself may take on a fact confirmed outside any officer's hand (the payment
# platform's signed confirmation, a payment recorded at the counter): the event names no actor.
SYSTEM_KINDS = (CONFIRM_PAYMENT,)

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            SUBMIT,
            Effects(
                Sentence(
                    _t("Hồ sơ đã được nộp", "The dossier was submitted"),
                    (
                        ("online", _t("Bạn đã nộp hồ sơ trực tuyến", "You submitted the dossier online")),
                        (
                            "counter",
                            _t(
                                "Hồ sơ đã được nộp tại bộ phận một cửa",
                                "The dossier was filed at the one-stop counter",
                            ),
                        ),
                        ("postal", _t("Hồ sơ đã được gửi qua bưu chính", "The dossier was sent by post")),
                        (
                            "national_portal",
                            _t(
                                "Bạn đã nộp hồ sơ trên Cổng Dịch vụ công quốc gia",
                                "You filed the dossier on the National Public Service Portal",
                            ),
                        ),
                    ),
                ),
                comment=PUBLIC,
                queue=SIDE,
            ),
            accepts=("documents",),
            label=_t("Nộp hồ sơ", "Submit the dossier"),
            roles=("citizen", "reception"),
        ),
        Kind(
            ATTACH_DOCUMENTS,
            Effects(_s("Hồ sơ được bổ sung tài liệu", "Documents were added to the dossier"), queue=SIDE),
            guards=("may_attach",),
            accepts=("documents", "result_file"),
            label=_t("Đính kèm tài liệu vào hồ sơ", "Attach documents to the dossier"),
            roles=("citizen", "reception", "specialist", "leader"),
        ),
        Kind(
            DISPATCH,
            Effects(
                _s(
                    "Hồ sơ được chuyển tới đơn vị có thẩm quyền giải quyết",
                    "The dossier was sent on to the competent authority",
                ),
                queue=SIDE,
            ),
            guards=("awaiting_dispatch",),
            label=_t("Phân loại: chọn đơn vị có thẩm quyền", "Dispatch: choose the competent unit"),
            roles=("reception",),
        ),
        Kind(
            "accept",
            Effects(
                _s("Hồ sơ đã được tiếp nhận", "The dossier was accepted"), forms=(RECEIPT,), notify="accepted"
            ),
        ),
        Kind(
            "request_supplement",
            Effects(
                _s(
                    "Cơ quan yêu cầu bổ sung, hoàn thiện hồ sơ trước khi tiếp nhận",
                    "The office asked you to complete the dossier before accepting it",
                ),
                comment=PUBLIC,
                forms=(SUPPLEMENT_REQUEST,),
                notify="incomplete",
                asks_applicant=True,
            ),
        ),
        Kind(
            "refuse",
            Effects(
                _s("Cơ quan từ chối tiếp nhận hồ sơ", "The office refused to accept the dossier"),
                comment=PUBLIC,
                forms=(REFUSAL,),
                notify="refused",
            ),
        ),
        Kind(
            "assign",
            Effects(_s("Hồ sơ đã được giao cho cán bộ xử lý", "The dossier was assigned to an officer")),
        ),
        Kind("forward", Effects(_s("Hồ sơ được chuyển đến {unit}", "The dossier was passed to {unit}"))),
        Kind(
            "return_for_supplement",
            Effects(
                _s("Cơ quan yêu cầu bổ sung giấy tờ", "The office asked for more documents"),
                comment=PUBLIC,
                forms=(SUPPLEMENT_REQUEST,),
                notify="supplement_requested",
                asks_applicant=True,
            ),
        ),
        Kind(
            "supplement",
            Effects(
                _s("Bạn đã nộp bổ sung giấy tờ", "You supplied the requested documents"),
                comment=PUBLIC,
                answers_applicant=True,
            ),
            accepts=("documents",),
        ),
        Kind(
            REQUEST_PAYMENT,
            Effects(
                _s(
                    "Cơ quan đề nghị thực hiện nghĩa vụ tài chính",
                    "The office asked you to pay the financial obligations",
                )
            ),
        ),
        Kind(
            CONFIRM_PAYMENT,
            Effects(
                _s(
                    "Đã xác nhận hoàn thành nghĩa vụ tài chính",
                    "Payment of the financial obligations was confirmed",
                )
            ),
        ),
        Kind(
            "propose",
            Effects(_s("Hồ sơ đã được trình lãnh đạo xem xét", "The dossier was submitted to the leader")),
        ),
        Kind(
            "approve",
            Effects(_s("Lãnh đạo đã phê duyệt hồ sơ", "The leader approved the dossier")),
            accepts=("result_file",),  # none: a result on paper, collected or sent by post
        ),
        Kind(
            "reject",
            Effects(
                _s(
                    "Cơ quan không giải quyết hồ sơ và đã trả lời bằng văn bản",
                    "The office declined the application and answered in writing",
                ),
                comment=PUBLIC,
                notify="rejected",
            ),
        ),
        Kind(
            "extend",
            Effects(
                _s(
                    "Cơ quan xin lỗi vì chậm trễ và hẹn lại ngày trả kết quả",
                    "The office apologised for the delay and set a new date",
                ),
                comment=PUBLIC,
                queue=SIDE,
                forms=(APOLOGY,),
                notify="extended",
            ),
        ),
        Kind(
            "complete",
            Effects(
                _s("Đã có kết quả, chờ trả cho bạn", "The result is ready for you"), notify="result_ready"
            ),
            accepts=("result_file",),
        ),
        Kind("deliver", Effects(_s("Đã trả kết quả", "The result was returned"))),
        Kind(
            "withdraw",
            Effects(
                _s("Bạn đã rút hồ sơ", "You withdrew the dossier"), comment=PUBLIC, queue=SIDE, withdraws=True
            ),
        ),
        Kind(
            "stop",
            Effects(
                _s("Cơ quan dừng xử lý hồ sơ", "The office stopped processing the dossier"),
                comment=PUBLIC,
                queue=SIDE,
                forms=(STOP_NOTICE,),
            ),
        ),
    )
}
# Every workflow has these; a file may not redefine them.
ADDED_BY_LOADER = (SUBMIT, ATTACH_DOCUMENTS, DISPATCH)
