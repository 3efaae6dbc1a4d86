"""The platform contract on its own: the canonical string and its HMAC-SHA256 (checked against a
digest computed here, independently of the module), what a tampered or wrongly keyed message
gets, how confirmations are read, and amounts written out in words."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from app.payments import platform
from app.payments.receipts import amount_in_words

KEY = "khoa-bi-mat"


def test_the_canonical_string_is_sorted_percent_encoded_and_leaves_out_the_signature_and_blanks():
    fields = {"orderInfo": "Hồ sơ A&B=1", "amount": 100000, "signature": "x", "empty": "", "locale": "vi"}
    assert platform.canonical(fields) == "amount=100000&locale=vi&orderInfo=H%E1%BB%93%20s%C6%A1%20A%26B%3D1"


def test_the_signature_is_the_hex_hmac_sha256_of_the_canonical_string():
    fields = {"merchantCode": "MC", "orderId": "MC1", "amount": "2000"}
    expected = hmac.new(KEY.encode(), b"amount=2000&merchantCode=MC&orderId=MC1", hashlib.sha256).hexdigest()
    message = platform.signed(fields, KEY)
    assert message["signature"] == expected
    assert platform.has_valid_signature(message, KEY)


@pytest.mark.parametrize(
    "change",
    [
        {"amount": "2001"},  # a field changed
        {"status": "paid"},  # a field added
        {"signature": "0" * 64},  # another signature
        {"signature": None},  # none
    ],
)
def test_a_tampered_message_fails_verification(change):
    message = platform.signed({"merchantCode": "MC", "orderId": "MC1", "amount": "2000"}, KEY)
    message.update(change)
    assert not platform.has_valid_signature({k: v for k, v in message.items() if v is not None}, KEY)


def test_a_message_signed_with_another_key_fails_verification():
    message = platform.signed({"orderId": "MC1", "amount": "2000"}, "another-key")
    assert not platform.has_valid_signature(message, KEY)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"merchantCode": "MC", "status": "paid", "amount": "1", "currencyCode": "VND"}, "orderId"),
        ({"merchantCode": "MC", "orderId": "1", "status": "refunded"}, "status"),
        (
            {"merchantCode": "MC", "orderId": "1", "status": "paid", "amount": "12.5", "currencyCode": "VND"},
            "amount",
        ),
        ({"merchantCode": "MC", "orderId": "1", "status": "paid"}, "amount"),
        (
            {
                "merchantCode": "MC",
                "orderId": "1",
                "status": "paid",
                "amount": "5",
                "currencyCode": "VND",
                "payDate": "hôm nay",
            },
            "payDate",
        ),
    ],
)
def test_a_malformed_confirmation_names_its_field(fields, field):
    with pytest.raises(platform.MalformedMessage) as refused:
        platform.read_confirmation(fields)
    assert refused.value.field == field


def test_a_confirmation_reads_back_what_was_sent():
    sent = platform.Confirmation(
        "MC", "MC1", platform.PAID, 100000, "VND", "GD1", platform.read_time("20261207093000")
    )
    read = platform.read_confirmation(platform.confirmation_fields("MC", sent))
    assert read == sent


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (5, "Năm đồng"),
        (15, "Mười lăm đồng"),
        (21, "Hai mươi mốt đồng"),
        (105, "Một trăm linh năm đồng"),
        (2000, "Hai nghìn đồng"),
        (1005, "Một nghìn không trăm linh năm đồng"),
        (100000, "Một trăm nghìn đồng"),
        (12_500_000, "Mười hai triệu năm trăm nghìn đồng"),
        (1_000_001, "Một triệu không trăm linh một đồng"),
        (2_000_000_000, "Hai tỷ đồng"),
    ],
)
def test_amounts_are_written_out_in_vietnamese(amount, words):
    assert amount_in_words(amount) == words
