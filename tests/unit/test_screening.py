from __future__ import annotations

import pytest

from chalicelib.domain.policy import Policy
from chalicelib.domain.screening import check_text, find_duplicate, similarity

policy = Policy(banned_words=("傻逼",))  # the default minimum: two Chinese characters

# Real garbage as it arrives from a QR form: mashed keys, filler sounds, punctuation, digits.
GARBAGE = ["", " ", "。。。。！！", "？？？", "...", "😀😀😀", "啊", "啊啊啊啊啊啊", "哈哈哈哈", "嗯嗯", "喂喂喂",
           "1234567890", "111", "aaaaaaa", "asdf", "asdfgh", "qwerty", "zxcvb", "jjjjjj", "ok", "a1b2"]
# Real short complaints (and a few long ones): none may be screened out.
SHORT_COMPLAINTS = ["漏水", "有坑", "停水", "堵车", "灯坏了", "狗叫", "路灯不亮", "井盖丢了", "电梯坏了",
                    "噪音扰民", "垃圾满了", "垃圾没人收", "路灯坏了！！", "１号楼漏水", "leak", "pothole",
                    "Streetlight broken", "小区东门路灯不亮已有一周", "The street light is broken"]


@pytest.mark.parametrize("text", GARBAGE)
def test_empty_or_garbled_text_is_screened_out_with_a_reason(text):
    verdict = check_text(text, policy)
    assert not verdict.valid and verdict.reason in ("too_short", "garbled")


def test_too_short_and_garbled_are_told_apart():
    assert check_text("啊", policy).reason == "too_short"
    assert check_text("啊啊啊啊啊啊", policy).reason == "garbled"


def test_banned_words_are_screened_out():
    verdict = check_text("你们这些傻逼快来修路灯", policy)
    assert not verdict.valid and verdict.reason == "banned"


@pytest.mark.parametrize("text", SHORT_COMPLAINTS)
def test_short_but_meaningful_reports_pass(text):
    assert check_text(text, policy).valid, text


def test_a_city_may_ask_for_longer_texts():
    assert not check_text("漏水", Policy(min_description_chars=4)).valid
    assert check_text("楼顶漏水", Policy(min_description_chars=4)).valid


def test_near_duplicates_score_above_the_threshold_and_other_problems_below():
    report = "人民公园东门的路灯坏了三盏，晚上很黑"
    assert similarity(report, "人民公园东门路灯坏了好几盏，晚上特别黑") >= 0.6
    assert similarity(report, "东门路灯坏了") >= 0.6
    assert similarity(report, "人民公园东门垃圾桶满了没人清理") < 0.6


def test_the_most_similar_open_case_is_chosen():
    cases = [("a", "公园里有人遛狗不牵绳"), ("b", "人民公园东门路灯坏了好几盏"), ("c", "东门路灯坏了三盏晚上很黑")]
    assert find_duplicate("人民公园东门的路灯坏了三盏，晚上很黑", cases, policy) == "c"
    assert find_duplicate("噪音扰民", cases, policy) is None
