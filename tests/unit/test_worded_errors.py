"""Errors the console shows are sentences in the reader's language, never the API's raw text."""
from __future__ import annotations

import pytest

from chalicelib.api.errors import READER, error_response, worded
from chalicelib.domain.errors import Forbidden, InvalidInput, InvalidTransition, NotFound, RoleRequired
from chalicelib.services.commands import AddNote, AskExtension, MergeTicket, SetTemplates


def refusal(model, data) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        model.parse(data)
    return caught.value


def test_a_malformed_field_is_named_and_its_problem_said():
    assert worded(refusal(AddNote, {"text": "  "}), "zh-CN") == "「内容」不能为空。"
    assert worded(refusal(AddNote, {}), "zh-CN") == "「内容」必须填写。"
    assert worded(refusal(AskExtension, {"reason": "天气", "days": 99}), "zh-CN") == "「延期天数」不能大于 30。"
    assert worded(refusal(SetTemplates, {"texts": ["x"] * 11}), "en") == "“Templates” may have at most 10 items."
    assert worded(refusal(MergeTicket, {"into": "abc"}), "zh-CN").startswith("并入的诉求编号有误")


def test_each_refusal_kind_has_its_sentence_and_worded_messages_are_kept():
    assert worded(InvalidTransition("cannot accept ticket X: it is replied", "state", "replied"), "zh-CN") \
        == "此诉求现为「已答复」，不能进行此操作。如页面未更新，请刷新。"
    assert "退单期限" in worded(InvalidTransition("the window ended", "window_ended"), "zh-CN")
    assert worded(InvalidTransition("something"), "zh-CN").startswith("此诉求的状态已变化")
    assert worded(NotFound("unknown ticket 'x'", field="ticket"), "zh-CN") == "没有找到该编号的诉求，请核对编号。"
    assert worded(Forbidden("the link does not allow it"), "en") == "Your role may not do this."
    assert worded(RoleRequired("needs dispatcher", ("dispatcher", "supervisor"), "handler"), "zh-CN") \
        == "此操作需要派单员、督办员角色，您当前是承办人。"
    assert worded(InvalidInput("请说明理由", field="reason"), "en") == "请说明理由"


def test_only_a_reader_gets_words_a_script_gets_the_plain_message_and_both_get_the_detail():
    error = InvalidInput("text: must not be empty", field="text", problem="empty")
    assert error_response(error).body["message"] == "text: must not be empty"
    token = READER.set("zh-CN")
    try:
        body = error_response(error).body
    finally:
        READER.reset(token)
    assert (body["message"], body["detail"], body["field"]) == ("「内容」不能为空。", "text: must not be empty", "text")
