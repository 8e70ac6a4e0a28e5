from __future__ import annotations

import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.services.commands import ReplyTicket, SubmitTicket
from tests.builders import submission


@pytest.mark.parametrize("body, field, reason", [
    (submission(description=""), "description", "must not be empty"),
    (submission(description="   "), "description", "must not be empty"),
    (submission(description="长" * 2001), "description", "at most 2000"),
    ({k: v for k, v in submission().items() if k != "description"}, "description", "is required"),
    (submission(kind="rant"), "kind", "must be one of"),
    (submission(phone="12345"), "phone", "mobile number"),
    (submission(phone=13800138000), "phone", "must be a string"),
    (submission(location=""), "location", "must not be empty"),
    (submission(confidential="yes"), "confidential", "true or false"),
    (submission(confidential=1), "confidential", "true or false"),
])
def test_bad_submissions_name_the_field_and_the_reason(body, field, reason):
    with pytest.raises(InvalidInput) as caught:
        SubmitTicket.parse(body)
    assert caught.value.field == field
    assert reason in caught.value.message


def test_a_yes_or_no_is_true_or_false():
    assert SubmitTicket.parse(submission(confidential=True)).confidential is True
    assert SubmitTicket.parse(submission()).confidential is False


def test_a_body_that_is_not_an_object_is_refused():
    with pytest.raises(InvalidInput, match="JSON object"):
        SubmitTicket.parse(["not", "an", "object"])


def test_a_description_of_exactly_2000_characters_is_accepted():
    assert len(SubmitTicket.parse(submission(description="长" * 2000)).description) == 2000


def test_phone_numbers_are_normalised():
    assert SubmitTicket.parse(submission(phone="+86 138-0013-8000")).phone == "13800138000"
    assert SubmitTicket.parse(submission(phone="")).phone is None


def test_a_reply_needs_text():
    with pytest.raises(InvalidInput) as caught:
        ReplyTicket.parse({"text": " "})
    assert caught.value.field == "text"
