from __future__ import annotations

import re

import pytest

from chalicelib.domain.redact import ID_MASK, PHONE_MASK, redact


@pytest.mark.parametrize("text", [
    "请打13800138000联系我",
    "电话 138 0013 8000",
    "电话138-0013-8000",
    "+86 13800138000",
    "座机0517-83601234",
    "座机(010)12345678",
])
def test_phone_numbers_are_masked(text):
    out = redact(text)
    assert PHONE_MASK in out
    assert re.search(r"\d{3}\D?\d{4}", out) is None


@pytest.mark.parametrize("text", ["身份证320802199001011234", "证件号32080219900101123X"])
def test_resident_id_numbers_are_masked(text):
    out = redact(text)
    assert ID_MASK in out
    assert "19900101" not in out


@pytest.mark.parametrize("text", ["罚款2000元", "2026年11月22日", "编号20261122-0001", "门牌号88号"])
def test_ordinary_numbers_stay(text):
    assert redact(text) == text
