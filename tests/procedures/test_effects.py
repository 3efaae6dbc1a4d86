"""Declared effects: a transition's forms, notification, comment, queue, inputs and sentence come from
its kind or its own `effects:`; the loader refuses effects it does not know and workflows whose
effects cannot work, naming the file and key path. The vocabulary and the code that carries it out
agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.procedures.loader import load_procedures
from app.procedures.vocabulary import (
    ACTIONS,
    ADDED_BY_LOADER,
    ATTACH_DOCUMENTS,
    FORM_KEYS,
    GUARDS,
    INTERNAL,
    KINDS,
    NOTIFICATIONS,
    PUBLIC,
    REQUIRED,
    SIDE,
    SUBMIT,
    WORK,
)
from tests.procedures.support import LEVELS

ROOT = Path(__file__).resolve().parents[2]
ACCEPT, FORWARD, ASK, SUPPLY, DELIVER = range(5)  # the transitions of support.MINIMAL
SENTENCE = {"vi": "Đã chuyển", "en": "Passed on"}


def _load(procedure_data, write_yaml, workflow_dir):  # noqa: ANN001, ANN202
    write_yaml("broken.yaml", procedure_data)
    return load_procedures(workflow_dir, LEVELS)


def _transition(data: dict, index: int, **changes) -> None:
    data["transitions"][index].update(changes)


CASES = [
    (
        "a name that is no kind, without effects",
        lambda d: _transition(d, FORWARD, name="chuyen_di"),
        "transitions[1].effects: 'chuyen_di' is not a kind of transition",
    ),
    (
        "an unknown kind",
        lambda d: _transition(d, FORWARD, kind="teleport"),
        "transitions[1].kind: unknown kind of transition 'teleport'",
    ),
    (
        "an unknown effect",
        lambda d: _transition(d, FORWARD, effects={"sentense": SENTENCE}),
        "transitions[1].effects.sentense: unknown key (did you mean 'sentence'?)",
    ),
    (
        "effects in full with one missing",
        lambda d: _transition(d, FORWARD, name="chuyen_di", effects={"sentence": SENTENCE, "queue": WORK}),
        "transitions[1].effects.comment: missing required key",
    ),
    (
        "an unknown form",
        lambda d: _transition(d, ACCEPT, effects={"forms": ["giay_phep"]}),
        "transitions[0].effects.forms[0]: unknown form 'giay_phep'",
    ),
    (
        "a receipt where the clock does not start",
        lambda d: _transition(d, FORWARD, effects={"forms": ["receipt"]}),
        "transitions[1].effects.forms: form 'receipt' prints what this transition does not record: it needs "
        "action start_clock",
    ),
    (
        "an apology e-mail with no new appointment",
        lambda d: _transition(d, FORWARD, effects={"notify": "extended"}),
        "transitions[1].effects.notify: notification 'extended' prints what this transition does not record",
    ),
    (
        "an unknown notification",
        lambda d: _transition(d, FORWARD, effects={"notify": "congratulations"}),
        "transitions[1].effects.notify: unknown notification 'congratulations'",
    ),
    (
        "a request for documents with no way to answer it",
        lambda d: _transition(d, SUPPLY, roles=["reception"], kind="confirm_payment"),
        "transitions[2]: asks the applicant for documents, but 'supplement_requested' has no transition "
        "by which the applicant answers",
    ),
    (
        "a pause that nothing resumes",
        lambda d: _transition(d, SUPPLY, actions=[]),
        "transitions[2].actions: pause_clock leads to 'supplement_requested', and no transition from it "
        "resumes",
    ),
    (
        "the applicant's answer given by staff",
        lambda d: _transition(d, SUPPLY, roles=["reception", "citizen"], effects={"answers_applicant": True})
        or _transition(d, DELIVER, effects={"answers_applicant": True}),
        "transitions[4].roles: the applicant's answer must be a citizen's transition",
    ),
    (
        "the submission declared in the file",
        lambda d: d["transitions"].append(
            {**d["transitions"][FORWARD], "name": SUBMIT, "from": ["accepted"], "to": "appraising"}
        ),
        "transitions[5].name: 'submit' is added to every workflow by the loader; do not declare it",
    ),
]


@pytest.mark.parametrize(("case", "mutate", "expected"), CASES, ids=[c[0] for c in CASES])
def test_incoherent_effects_are_refused_with_file_and_key_path(
    case, mutate, expected, procedure_data, write_yaml, workflow_dir
):
    mutate(procedure_data)
    report = _load(procedure_data, write_yaml, workflow_dir)
    assert report.procedures == []
    assert any(error.startswith(f"broken.yaml: {expected}") for error in report.errors), report.errors


def test_a_renamed_transition_keeps_its_kind_s_effects(procedure_data, write_yaml, workflow_dir):
    _transition(procedure_data, ACCEPT, name="tiep_nhan", kind="accept")
    [procedure] = _load(procedure_data, write_yaml, workflow_dir).procedures
    received = procedure.find_transition("tiep_nhan", "submitted")
    assert received.effects == KINDS["accept"].effects
    assert (received.effects.forms, received.effects.notify) == (("receipt",), "accepted")


def test_overrides_change_only_what_they_name(procedure_data, write_yaml, workflow_dir):
    _transition(procedure_data, FORWARD, effects={"sentence": SENTENCE, "comment": PUBLIC})
    [procedure] = _load(procedure_data, write_yaml, workflow_dir).procedures
    forward = procedure.find_transition("forward", "accepted")
    assert forward.effects.sentence.get("en") == "Passed on" and forward.effects.comment == PUBLIC
    assert forward.effects.queue == KINDS["forward"].effects.queue
    assert forward.effects.forms == ("control_sheet",)  # it opens a step: the control sheet again


def test_inputs_come_from_guards_actions_and_kinds(procedure_data, write_yaml, workflow_dir):
    [procedure] = _load(procedure_data, write_yaml, workflow_dir).procedures
    ask = procedure.find_transition("return_for_supplement", "appraising")
    assert dict(ask.inputs) == {"comment": REQUIRED, "items": REQUIRED}
    forward = procedure.find_transition("forward", "accepted")
    assert dict(forward.inputs) == {"comment": "optional", "unit": "optional"}
    supply = procedure.find_transition("supplement", "supplement_requested")
    assert supply.accepts("documents") and not supply.requires("documents")
    deliver = procedure.find_transition("deliver", "appraising")
    assert deliver.accepts("return_method")


def test_every_workflow_gets_its_submission_and_the_attaching_of_documents(
    procedure_data, write_yaml, workflow_dir
):
    [procedure] = _load(procedure_data, write_yaml, workflow_dir).procedures
    assert procedure.initial_transition.name == SUBMIT and procedure.initial_transition.target == "submitted"
    attach = next(t for t in procedure.transitions if t.name == ATTACH_DOCUMENTS)
    open_states = {name for name, state in procedure.states.items() if not state.is_final}
    assert set(attach.sources) == open_states and attach.effects.queue == SIDE
    assert attach.effects.comment == INTERNAL


# --- the vocabulary and the code that carries it out ---------------------------------------------


def test_every_declared_guard_and_action_is_carried_out_and_nothing_else():
    from app.workflow.actions import ACTIONS as DOING
    from app.workflow.guards import GUARDS as CHECKING

    assert set(CHECKING) == set(GUARDS)
    assert set(DOING) == set(ACTIONS)


def test_every_notification_has_its_email_sms_and_subject(app):
    from app.notifications.messages import _subject

    for kind in NOTIFICATIONS:
        for channel in ("email", "sms"):
            assert (ROOT / "app" / "templates" / "notifications" / channel / f"{kind}.txt").is_file(), (
                kind,
                channel,
            )
        with app.test_request_context():
            assert "X-1" in _subject(kind, "X-1")


def test_the_form_set_in_force_has_every_form_key_with_its_template():
    from app.official_forms.catalog import FORM_SETS

    newest = max(FORM_SETS, key=lambda s: s.valid_from)
    for key in FORM_KEYS:
        kind = newest.form(key)
        assert (ROOT / "app" / "templates" / kind.template).is_file(), key


def test_every_kind_has_a_sentence_in_both_languages():
    for kind in KINDS.values():
        assert kind.effects.sentence.get("vi") and kind.effects.sentence.get("en"), kind.name
    assert set(ADDED_BY_LOADER) <= set(KINDS)
