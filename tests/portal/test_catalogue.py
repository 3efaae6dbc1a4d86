"""The catalogue: diacritics-insensitive search (the same results as the API), filters, and the
procedure page a citizen reads before applying."""

from __future__ import annotations

import re

import pytest

from tests.portal.support import BIRTH, csrf, sign_in

LINK_RE = re.compile(r'href="/procedures/([0-9.]+)"')


def codes_on(html: str) -> set[str]:
    return set(LINK_RE.findall(html))


@pytest.mark.parametrize("q", ["khai sinh", "Dang ky khai sinh", "đăng ký khai sinh", "KHAI SINH"])
def test_search_finds_birth_registration_with_or_without_diacritics(client, q):
    html = client.get("/procedures", query_string={"q": q}).get_data(as_text=True)
    assert "Đăng ký khai sinh" in html
    api = client.get("/api/v1/procedures", query_string={"q": q}).json
    assert codes_on(html) == {p["code"] for p in api} == {BIRTH}


def test_search_without_a_match_says_so(client):
    html = client.get("/procedures", query_string={"q": "khong co thu tuc nay"}).get_data(as_text=True)
    assert "Không tìm thấy thủ tục nào" in html and codes_on(html) == set()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"level": "province"}, {"2.000488"}),
        ({"field": "ho_tich"}, {BIRTH}),
        ({"level": "commune"}, {BIRTH, "2.000815"}),
        ({"level": "district", "q": "xay dung"}, {"1.009979"}),
    ],
)
def test_filters_by_level_and_field_match_the_api(client, params, expected):
    html = client.get("/procedures", query_string=params).get_data(as_text=True)
    api = client.get("/api/v1/procedures", query_string=params).json
    assert codes_on(html) == {p["code"] for p in api} == expected


def test_home_page_has_the_search_box_and_every_procedure(client):
    html = client.get("/").get_data(as_text=True)
    assert 'type="search"' in html and 'action="/procedures"' in html
    assert len(codes_on(html)) == len(client.get("/api/v1/procedures").json)


def test_procedure_page_shows_documents_deadline_fee_and_where_to_submit(client):
    html = client.get(f"/procedures/{BIRTH}").get_data(as_text=True)
    for text in (
        "Tờ khai đăng ký khai sinh theo mẫu",  # a required document
        "Giấy chứng nhận kết hôn của cha mẹ (nếu có)",  # an optional one
        "PDF, ảnh JPG, ảnh PNG",  # accepted types in plain words
        "10&nbsp;MB",
        "Trong ngày",  # deadline in words
        "Miễn phí",
        "Miễn lệ phí đăng ký khai sinh đúng hạn",  # fee note
        "UBND xã Cần Đăng",  # a receiving unit (commune People's Committee)
        "Toàn trình",
        "Nộp hồ sơ trực tuyến",
    ):
        assert text in html, text
    assert "Một cửa huyện" not in html  # a district one-stop section does not receive this procedure


def test_partly_online_procedure_shows_its_level_and_fee(client):
    html = client.get("/procedures/2.000720").get_data(as_text=True)  # business household: 100.000 đồng
    assert "100.000 đồng" in html and "3 ngày làm việc" in html
    html = client.get("/procedures/1.009979").get_data(as_text=True)
    assert "Một phần" in html


def test_unknown_procedure_is_404(client):
    assert client.get("/procedures/9.999999").status_code == 404


def test_apply_asks_anonymous_visitors_to_sign_in(client):
    html = client.get(f"/procedures/{BIRTH}").get_data(as_text=True)
    assert f"/login?next=/procedures/{BIRTH}/apply" in html
    response = client.get(f"/procedures/{BIRTH}/apply")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_staff_get_a_polite_message_instead_of_the_form(client, user):
    sign_in(client, "tn.candang", "demo12345")
    assert "Tài khoản cán bộ không nộp hồ sơ trực tuyến" in client.get(f"/procedures/{BIRTH}").get_data(
        as_text=True
    )
    response = client.post(f"/procedures/{BIRTH}/apply", data={"csrf_token": csrf(client, "/")})
    assert response.status_code == 403 and "Trang này dành cho công dân" in response.get_data(as_text=True)
