from __future__ import annotations

import pytest

from chalicelib.domain.policy import Policy
from chalicelib.domain.screening import check_text, find_duplicate, similarity

policy = Policy(banned_words=("傻逼",), min_description_chars=4)


@pytest.mark.parametrize("text", ["", "。。。。！！", "啊啊啊啊啊啊", "1234567890", "aaaaaaa"])
def test_empty_or_garbled_text_is_screened_out_with_a_reason(text):
    verdict = check_text(text, policy)
    assert not verdict.valid and verdict.reason


def test_banned_words_are_screened_out():
    verdict = check_text("你们这些傻逼快来修路灯", policy)
    assert not verdict.valid and "用语" in verdict.reason


@pytest.mark.parametrize("text", ["路灯坏了", "小区东门路灯不亮已有一周", "The street light is broken"])
def test_ordinary_reports_pass(text):
    assert check_text(text, policy).valid


def test_near_duplicates_score_above_the_threshold_and_other_problems_below():
    report = "人民公园东门的路灯坏了三盏，晚上很黑"
    assert similarity(report, "人民公园东门路灯坏了好几盏，晚上特别黑") >= 0.6
    assert similarity(report, "东门路灯坏了") >= 0.6
    assert similarity(report, "人民公园东门垃圾桶满了没人清理") < 0.6


def test_the_most_similar_open_case_is_chosen():
    cases = [("a", "公园里有人遛狗不牵绳"), ("b", "人民公园东门路灯坏了好几盏"), ("c", "东门路灯坏了三盏晚上很黑")]
    assert find_duplicate("人民公园东门的路灯坏了三盏，晚上很黑", cases, policy) == "c"
    assert find_duplicate("噪音扰民", cases, policy) is None
