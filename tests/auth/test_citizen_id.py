from datetime import date

import pytest

from app.auth.citizen_id import citizen_id_problem

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("089090000123", None),  # An Giang, male born 1990
        ("001305000001", None),  # Hà Nội, female born 2005
        ("079226000001", None),  # HCMC, male born 2026 (this year)
        ("08909000012", "12 chữ số"),  # 11 digits
        ("08909000012a", "12 chữ số"),
        ("003090000123", "Mã tỉnh '003'"),  # 003 is not a province code
        ("099090000123", "Mã tỉnh '099'"),
        ("089227000001", "thế kỷ"),  # 2027: not born yet
        ("089400000001", "thế kỷ"),  # 2100
    ],
)
def test_citizen_id_rules(value, problem):
    result = citizen_id_problem(value, TODAY)
    if problem is None:
        assert result is None
    else:
        assert problem in result
