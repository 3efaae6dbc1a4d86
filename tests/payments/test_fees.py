"""Fee lines fixed at receipt: the procedure version's lines for the dossier's channel and the day it
is received become its charges, and Mẫu 01 prints them."""

from __future__ import annotations

from app.core.time import to_local
from app.official_forms.catalog import form_set_on
from app.official_forms.content import build_content
from app.official_forms.rendering import render_html
from app.payments.models import DUE, FEE
from app.payments.queries import fee_lines_of
from app.procedures.vocabulary import RECEIPT
from tests.factories import act, submit
from tests.payments.support import LAND

CERTIFIED_COPY = "2.000815"  # 2,000 VND a copy, received by xã Cần Đăng


def test_accepting_a_dossier_fixes_its_fee_lines(make_user, user):
    dossier = submit(make_user("citizen"), LAND)
    assert fee_lines_of(dossier.id) == []  # submitted only: nothing is owed yet
    dossier = act(dossier, "accept", user("tn.candang"))
    [line] = fee_lines_of(dossier.id)
    assert (line.kind, line.amount, line.status) == (FEE, 100000, DUE)
    assert line.unit_id == dossier.receiving_unit_id and line.payable_at == dossier.received_at
    assert line.payee == dossier.receiving_unit.name


def test_a_free_procedure_has_no_fee_lines(make_user, user):
    dossier = act(submit(make_user("citizen"), "1.001193"), "accept", user("tn.candang"))
    assert fee_lines_of(dossier.id) == []


def test_mau_01_prints_the_fee_lines_fixed_at_receipt(make_user, user):
    dossier = act(submit(make_user("citizen"), CERTIFIED_COPY), "accept", user("tn.candang"))
    accepted = next(e for e in dossier.events if e.transition == "accept")
    content = build_content(RECEIPT, dossier, accepted)
    assert content["fees_total"] == "2.000 đồng"
    assert [row["amount"] for row in content["fees"]] == ["2.000 đồng"]
    html = render_html(form_set_on(to_local(accepted.created_at).date()).form(RECEIPT), content)
    assert "7. Phí, lệ phí:" in html and "2.000 đồng" in html
