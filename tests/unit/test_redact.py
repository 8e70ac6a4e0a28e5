"""Redaction of contact data in citizen text: real-world formats, and ordinary numbers that stay."""
from __future__ import annotations

import pytest

from chalicelib.domain.redact import EMAIL_MASK, ID_MASK, PHONE_MASK, redact

CONTACT_FORMATS = [
    # mobile numbers
    ("请打13800138000联系我", PHONE_MASK),
    ("电话 138 0013 8000", PHONE_MASK),
    ("电话138-0013-8000", PHONE_MASK),
    ("手机：1380 013 8000", PHONE_MASK),
    ("+86 13800138000", PHONE_MASK),
    ("+86-138-0013-8000", PHONE_MASK),
    ("(+86)13800138000", PHONE_MASK),
    ("008613800138000", PHONE_MASK),
    ("86 139 1234 5678", PHONE_MASK),
    ("联系１３８００１３８０００", PHONE_MASK),  # full-width digits
    ("电话１３８－００１３－８０００", PHONE_MASK),  # full-width digits and dashes
    ("手机号 138.0013.8000", PHONE_MASK),
    ("199 8765 4321（王先生）", PHONE_MASK),
    ("电话是15012345678。", PHONE_MASK),
    ("Call me on 13912345678 please", PHONE_MASK),
    # landlines
    ("座机0517-83601234", PHONE_MASK),
    ("座机(010)12345678", PHONE_MASK),
    ("座机（010）12345678", PHONE_MASK),
    ("021 6512 3456", PHONE_MASK),
    ("021-6512-3456", PHONE_MASK),
    ("0755 88888888", PHONE_MASK),
    ("0517-8360-1234转801", PHONE_MASK),
    ("０２１－６５１２３４５６", PHONE_MASK),
    ("010 8888 8888 找李主任", PHONE_MASK),
    # resident ID numbers
    ("身份证320802199001011234", ID_MASK),
    ("证件号32080219900101123X", ID_MASK),
    ("身份证号 32080219900101123x", ID_MASK),
    ("身份证 320802 19900101 1234", ID_MASK),
    ("ID: 320802-19900101-123X", ID_MASK),
    ("身份证３２０８０２１９９００１０１１２３４", ID_MASK),
    ("手机 138  0013  8000", PHONE_MASK),  # double spaces
    ("手机 138 - 0013 - 8000", PHONE_MASK),
    ("手机138—0013—8000", PHONE_MASK),  # em dashes
    ("手机138/0013/8000", PHONE_MASK),
    ("电话 1 3 8 0 0 1 3 8 0 0 0", PHONE_MASK),  # one digit at a time
    ("电话一三八零零一三八零零零", PHONE_MASK),  # Chinese numerals
    ("手机幺三八〇〇幺三八〇〇〇", PHONE_MASK),
    ("客服400-820-8820", PHONE_MASK),
    ("座机65123456", PHONE_MASK),  # a local number, no area code
    ("座机 6512 3456", PHONE_MASK),
    ("身份证 110105 1990 0307 123X", ID_MASK),  # 6-4-4-4
    # e-mail
    ("邮箱 zhang.san @ example.com", EMAIL_MASK),
    ("邮箱zhang.san@example.com", EMAIL_MASK),
    ("email: li_si+city@mail.example.org.cn", EMAIL_MASK),
    ("联系ｗａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", EMAIL_MASK),
    ("Wang.Wu@Example.COM 谢谢", EMAIL_MASK),
]


@pytest.mark.parametrize("text, mask", CONTACT_FORMATS, ids=[t for t, _ in CONTACT_FORMATS])
def test_contact_data_is_masked_whatever_its_format(text, mask):
    out = redact(text)
    assert mask in out
    from chalicelib.domain.redact import _folded

    digits = "".join(ch for ch in _folded(out) if ch.isdigit())
    assert len(digits) < 7, f"digits left over in {out!r}"
    assert "@" not in out and "＠" not in out


def test_there_are_at_least_thirty_formats():
    assert len(CONTACT_FORMATS) >= 30


@pytest.mark.parametrize("text", [
    "罚款2000元", "2026年11月22日", "编号20261122-0001", "门牌号88号", "拨打12345热线", "3号楼2单元401室",
    "2026-11-23 08:30", "车牌苏H12345", "面积120.5平方米", "K1234次列车", "邮编223001", "共计1,234,567元",
    "诉求 20261123-0042 已合并", "三三两两的人", "一二三四五六七八九十", "第一二三号楼", "2026.11.23 13:30",
    "电话亭旁的井盖丢了", "楼高18层",
])
def test_ordinary_numbers_stay(text):
    assert redact(text) == text


def test_the_rest_of_the_text_is_kept_around_a_mask():
    assert redact("请王先生（13800138000）晚上回电") == f"请王先生（{PHONE_MASK}）晚上回电"
    assert redact("两个号码13800138000和13912345678") == f"两个号码{PHONE_MASK}和{PHONE_MASK}"


def test_log_lines_are_redacted_too():
    import logging

    from chalicelib.observability import RedactingFormatter

    record = logging.LogRecord("mashang", logging.INFO, __file__, 1, "citizen wrote 13800138000", None, None)
    line = RedactingFormatter().format(record)
    assert "13800138000" not in line and PHONE_MASK in line
