"""Fixtures of the petition tests: a citizen with a dossier at xã Cần Đăng, filing through the
services as the pages do, clients from an address of their own (the per-address limit of anonymous
filing counts in Redis, outside the test's transaction)."""

from __future__ import annotations

import random
import uuid

import pytest

from app.core.uow import unit_of_work
from app.petitions.services import PetitionInput, answer_petition, file_petition
from tests.factories import submit
from tests.web import sign_in

BIRTH = "1.001193"  # đăng ký khai sinh: received and decided by the commune
JUDICIAL = "2.000488"  # phiếu lý lịch tư pháp: one provincial unit receives it
CAN_DANG = "000.21.30.H01"


def some_address() -> str:
    """A client address no other test uses, so the per-address limit starts from nothing."""
    return f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def client_from(app, address: str | None = None):  # noqa: ANN201 (the app's test client)
    """A browser of its own (cookies, CSRF token) at `address`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address or some_address()
    return client


def signed_in(app, login: str, password: str = "demo12345"):  # noqa: ANN201, S107
    client = client_from(app)
    assert sign_in(client, login, password).status_code == 302, login
    return client


@pytest.fixture
def citizen(make_user):
    return make_user("citizen", email=f"pakn-{uuid.uuid4().hex[:10]}@example.vn", phone="0912345678")


@pytest.fixture
def dossier(citizen):
    return submit(citizen, BIRTH, CAN_DANG)


def about_dossier(code: str, **extra) -> PetitionInput:
    fields = {
        "kind": "feedback",
        "title": "Cán bộ hẹn nhiều lần",
        "content": "Tôi đã đến ba lần mà hồ sơ vẫn chưa được xử lý.",
        "dossier_code": code,
    }
    return PetitionInput(**{**fields, **extra})


def about_procedure(code: str = JUDICIAL, **extra) -> PetitionInput:
    fields = {
        "kind": "petition",
        "title": "Đề nghị bỏ bớt giấy tờ",
        "content": "Đề nghị không yêu cầu nộp bản sao sổ hộ khẩu vì đã có cơ sở dữ liệu dân cư.",
        "procedure_code": code,
    }
    return PetitionInput(**{**fields, **extra})


def filed(user, data: PetitionInput, **kwargs):
    """File in a unit of work of its own, as the filing request would; returns the Filed result."""
    with unit_of_work():
        return file_petition(user, data, **kwargs)


def answered(petition, officer, text: str = "Đơn vị đã kiểm tra và xử lý hồ sơ của Ông/Bà.", **kwargs):
    kwargs.setdefault("is_public", False)
    with unit_of_work():
        return answer_petition(petition, officer, text, **kwargs)
