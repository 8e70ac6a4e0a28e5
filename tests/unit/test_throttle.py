"""The request-limit arithmetic (GCRA), the rule syntax, and the client key."""
from __future__ import annotations

import pytest

from chalicelib.domain.throttle import Decision, Rule, client_key, decide

T0 = 1_795_000_000.0
SUBMIT = Rule("submit", rate=10, period=600, burst=5)  # one per minute, five at once


def run(rule: Rule, times: list[float], tat: float | None = None) -> list[Decision]:
    """Requests at `times`, each seeing the state the previous allowed one left."""
    decisions = []
    for now in times:
        decision = decide(tat, now, rule)
        if decision.allowed:
            tat = decision.tat
        decisions.append(decision)
    return decisions


def test_the_burst_passes_at_once_then_the_next_request_is_refused():
    decisions = run(SUBMIT, [T0] * 7)
    assert [d.allowed for d in decisions] == [True] * 5 + [False] * 2


def test_a_refusal_says_when_the_next_request_would_pass():
    refused = run(SUBMIT, [T0] * 6)[-1]
    assert refused.retry_after == 60
    later = run(SUBMIT, [T0] * 5 + [T0 + 45])[-1]
    assert not later.allowed and later.retry_after == 15


def test_the_bucket_refills_at_the_rate():
    decisions = run(SUBMIT, [T0] * 5 + [T0 + 59.9, T0 + 60, T0 + 61, T0 + 120])
    assert [d.allowed for d in decisions[5:]] == [False, True, False, True]


def test_a_steady_pace_at_the_rate_is_never_refused():
    assert all(d.allowed for d in run(SUBMIT, [T0 + 60 * i for i in range(100)]))


def test_an_idle_bucket_is_full_again_and_never_more_than_full():
    tat = run(SUBMIT, [T0] * 5)[-1].tat
    decisions = run(SUBMIT, [T0 + 3600] * 6, tat=tat)
    assert [d.allowed for d in decisions] == [True] * 5 + [False]


def test_a_refusal_leaves_the_state_as_it_was():
    tat = run(SUBMIT, [T0] * 5)[-1].tat
    refused = decide(tat, T0 + 1, SUBMIT)
    assert not refused.allowed and refused.tat == tat


def test_a_retry_after_the_advised_wait_passes():
    decisions = run(Rule("odd", rate=7, period=100, burst=2), [T0] * 3)
    tat = decisions[1].tat
    wait = decisions[2].retry_after
    assert decide(tat, T0 + wait, Rule("odd", rate=7, period=100, burst=2)).allowed
    assert not decide(tat, T0 + wait - 1, Rule("odd", rate=7, period=100, burst=2)).allowed


def test_a_clock_going_back_a_little_refuses_a_little_longer_but_grants_nothing():
    tat = run(SUBMIT, [T0] * 5)[-1].tat
    refused = decide(tat, T0 - 0.5, SUBMIT)
    assert not refused.allowed and refused.retry_after == 61


def test_a_clock_going_back_far_does_not_lock_the_client_out():
    tat = run(SUBMIT, [T0] * 5)[-1].tat
    back = decide(tat, T0 - 3600, SUBMIT)
    assert back.allowed and back.retry_after == 0
    assert back.tat == T0 - 3600 + 60


@pytest.mark.parametrize("text, rate, period, burst", [
    ("10/600:5", 10, 600, 5),
    ("10/10m:5", 10, 600, 5),
    (" 30 / 10m : 12 ", 30, 600, 12),
    ("100/1h", 100, 3600, 100),
    ("2/1.5s:1", 2, 1.5, 1),
])
def test_rules_read_as_requests_per_period_and_burst(text, rate, period, burst):
    assert Rule.parse("submit", text) == Rule("submit", rate, period, burst)


@pytest.mark.parametrize("text", ["", "ten/600", "10/600:", "10/10d:5", "0/600:5", "10/0:5", "10/600:0", "10"])
def test_malformed_rules_are_refused_with_the_rule_named(text):
    with pytest.raises(ValueError, match="submit"):
        Rule.parse("submit", text)


def test_the_client_key_does_not_hold_the_address_and_differs_per_client():
    key = client_key("203.0.113.7")
    assert "203.0.113.7" not in key and "203" not in key
    assert key == client_key(" 203.0.113.7 ")
    assert key != client_key("203.0.113.8")


def test_an_ipv6_client_is_its_64_so_changing_address_within_it_does_not_help():
    assert client_key("2001:db8:1:2::1") == client_key("2001:db8:1:2:abcd:ef::9")
    assert client_key("2001:db8:1:2::1") != client_key("2001:db8:1:3::1")
    assert client_key("::ffff:203.0.113.7") == client_key("203.0.113.7")


def test_a_missing_or_odd_address_shares_one_bucket():
    assert client_key(None) == client_key("") == client_key("not an address") == "unknown"
