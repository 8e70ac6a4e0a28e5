"""The real state machine (infra/statemachines) executed by moto, driven through our handlers:
every branch, asserting on the execution history, the stored ticket and the SMS sent."""
from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.errors import Forbidden, InvalidTransition
from chalicelib.domain.model import Outcome, Rating
from chalicelib.services import actions, tickets
from chalicelib.services.commands import (
    AcceptTicket,
    AskExtension,
    DecideExtension,
    DispatchTicket,
    RateTicket,
    ReplyTicket,
    ReturnTicket,
    SubmitTicket,
)
from chalicelib.tasks.handlers import run_task
from tests.builders import DISPATCHER_PHONE, NOW, SUPERVISOR_PHONE, make_ticket, submission

CITIZEN = "13812345678"


def submit(stack, **overrides) -> tuple[str, str, str]:
    """Submit; answer (ticket id, number, tracking secret)."""
    body = submission(phone=CITIZEN, **overrides)
    receipt = tickets.submit(SubmitTicket.parse(body), stack.deps)
    return stack.deps.tickets.by_number(receipt.number).id, receipt.number, receipt.tracking.split("#k=")[1]


def waiting(stack, ticket_id: str, stage: str):
    return lambda: stack.deps.tickets.get(ticket_id).task_stage == stage


def reach(stack, ticket_id: str, state: str, timeout: float = 20.0) -> None:
    stack.pump_until(lambda: stack.states_entered(ticket_id)[-1:] == [state], timeout=timeout)


def to_reply(stack, ticket_id: str, number: str, department: str = "east-city") -> None:
    stack.pump_until(waiting(stack, ticket_id, "accept"))
    actions.accept(number, department, AcceptTicket(), stack.deps)
    stack.pump_until(waiting(stack, ticket_id, "reply"))
    actions.reply(number, department, ReplyTicket(text="已更换灯泡"), stack.deps)
    stack.pump_until(waiting(stack, ticket_id, "survey"))


def test_the_whole_loop_screen_dispatch_accept_reply_survey_close(stack):
    ticket_id, number, secret = submit(stack)
    stack.pump_until(waiting(stack, ticket_id, "accept"))
    ticket = stack.deps.tickets.get(ticket_id)
    assert (ticket.status.value, ticket.department) == ("dispatched", "east-city")
    assert [e["name"] for e in stack.executions()] == [ticket_id]
    to_reply(stack, ticket_id, number)
    actions.rate(number, RateTicket(rating="satisfied", comment="很快", secret=secret), stack.deps)
    stack.pump_until(lambda: stack.execution_status(ticket_id) == "SUCCEEDED"
                     and "群众评价" in (stack.page(f"t/{number}.html") or ""))
    # Each step goes straight on to where its usual outcome leads: dispatched in Screen, the survey
    # opened by the reply, the rating's success ends it; four states entered (billed transitions).
    assert stack.states_entered(ticket_id) == ["Screen", "AwaitAcceptance", "AwaitReply", "AwaitRating"]
    assert stack.deps.tickets.get(ticket_id).status.value == "closed"
    citizen = stack.sms(CITIZEN)
    assert any(number in text and "已受理" in text for text in citizen)
    assert any("请评价" in text and "#k=" in text for text in citizen)
    assert any("新工单" in text for text in stack.sms("13700000003"))  # the handler on duty


def test_garbled_text_is_screened_out_with_a_reason_the_citizen_sees(stack):
    ticket_id, number, _ = submit(stack, description="啊啊啊啊啊啊啊")
    reach(stack, ticket_id, "Invalid")
    assert stack.states_entered(ticket_id) == ["Screen", "Invalid"]  # caught straight into the end state
    ticket = stack.deps.tickets.get(ticket_id)
    assert ticket.status.value == "invalid" and ticket.reason == "garbled"
    stack.pump_until(lambda: "内容无法识别" in (stack.page(f"t/{number}.html") or ""))
    assert any("未予受理：内容无法识别" in text for text in stack.sms(CITIZEN))


def test_banned_words_are_screened_out(stack):
    ticket_id, _, _ = submit(stack, description="这路灯坏了你们这些傻逼管不管")
    reach(stack, ticket_id, "Invalid")
    assert stack.deps.tickets.get(ticket_id).reason == "banned"


def test_a_near_duplicate_is_merged_into_the_open_case(stack):
    first_id, first_number, _ = submit(stack, description="人民公园东门的路灯坏了三盏，晚上很黑")
    stack.pump_until(waiting(stack, first_id, "accept"))
    second_id, second_number, _ = submit(stack, description="人民公园东门路灯坏了好几盏，晚上特别黑")
    reach(stack, second_id, "Merged")
    assert stack.states_entered(second_id) == ["Screen", "Merged"]
    assert stack.deps.tickets.get(second_id).merged_into == first_number
    assert stack.deps.tickets.get(first_id).supporters == 1
    assert any(first_number in text and "合并" in text for text in stack.sms(CITIZEN))
    stack.pump_until(lambda: "另有 1 位群众" in (stack.page(f"t/{first_number}.html") or ""))
    # a different problem at the same place is not a duplicate
    third_id, _, _ = submit(stack, description="人民公园东门垃圾桶满了没人清理", category="lights")
    stack.pump_until(waiting(stack, third_id, "accept"))


@pytest.mark.parametrize("location, category", [("e1", "other"), ("w1", "noise")])
def test_other_or_unrouted_cases_wait_for_a_dispatcher(stack, location, category):
    ticket_id, number, _ = submit(stack, location=location, category=category, description="这里有个问题需要处理一下")
    stack.pump_until(waiting(stack, ticket_id, "triage"))
    assert stack.states_entered(ticket_id) == ["Screen", "ToTriage", "AwaitTriage"]
    assert [t.number for t in stack.deps.tickets.inbox("TRIAGE", stack.deps.tickets.get(ticket_id).status)] \
        == [number]
    actions.dispatch_by_hand(number, "center", DispatchTicket(department="roads"), stack.deps)
    stack.pump_until(waiting(stack, ticket_id, "accept"))
    ticket = stack.deps.tickets.get(ticket_id)
    assert ticket.department == "roads" and ticket.events[-1].actor == "center"


def test_an_unplaced_case_waits_for_a_dispatcher_and_is_published_with_its_address(stack):
    ticket_id, number, _ = submit(stack, location=None, address="城北新区 12 号路口", lat=33.7, lon=119.2,
                                  category="roads", description="路口红绿灯不亮了很危险")
    stack.pump_until(waiting(stack, ticket_id, "triage"))
    assert stack.deps.tickets.get(ticket_id).location is None
    stack.pump_until(lambda: "城北新区 12 号路口" in (stack.page(f"t/{number}.html") or ""))
    actions.dispatch_by_hand(number, "center", DispatchTicket(department="roads"), stack.deps)
    stack.pump_until(waiting(stack, ticket_id, "accept"))
    assert stack.deps.tickets.get(ticket_id).department == "roads"


def test_a_returned_case_goes_back_to_triage_and_counts_against_the_department(stack):
    ticket_id, number, _ = submit(stack)
    stack.pump_until(waiting(stack, ticket_id, "accept"))
    actions.give_back(number, "east-city", ReturnTicket(reason="属于交通部门职责"), stack.deps)
    stack.pump_until(waiting(stack, ticket_id, "triage"))
    assert stack.deps.tickets.get(ticket_id).status.value == "returned"
    month = stack.deps.clock.now().strftime("%Y-%m")
    stack.pump_until(lambda: stack.deps.counters.total("returns#east-city", month) == 1)
    assert any("退回" in text for text in stack.sms(DISPATCHER_PHONE))
    actions.dispatch_by_hand(number, "center", DispatchTicket(department="roads"), stack.deps)
    stack.pump_until(waiting(stack, ticket_id, "accept"))
    assert stack.states_entered(ticket_id) == [
        "Screen", "AwaitAcceptance", "ToTriage", "AwaitTriage", "AwaitAcceptance"]  # a dispatch is AwaitTriage's usual


def test_an_approved_extension_moves_the_deadline_and_the_wait(stack):
    ticket_id, number, _ = submit(stack)
    stack.pump_until(waiting(stack, ticket_id, "accept"))
    actions.accept(number, "east-city", AcceptTicket(), stack.deps)
    stack.pump_until(waiting(stack, ticket_id, "reply"))
    due = stack.deps.tickets.get(ticket_id).reply_due
    actions.ask_extension(number, "east-city", AskExtension(reason="需协调电力公司", days=3), stack.deps)
    assert any("延期" in text for text in stack.sms(SUPERVISOR_PHONE))
    actions.decide_extension(number, "sup", DecideExtension(approve=True), stack.deps)
    stack.pump_until(waiting(stack, ticket_id, "reply"))
    ticket = stack.deps.tickets.get(ticket_id)
    assert ticket.reply_due > due and ticket.extensions == 1
    assert stack.states_entered(ticket_id) == ["Screen", "AwaitAcceptance", "AwaitReply", "ToReply", "AwaitReply"]
    assert stack.history(ticket_id)[-1]["type"] != "ExecutionFailed"
    with pytest.raises(InvalidTransition, match="extension"):
        actions.ask_extension(number, "east-city", AskExtension(reason="再延期"), stack.deps)


def test_missed_sign_off_escalates_level_by_level_and_keeps_waiting(fast_stack):
    stack = fast_stack
    ticket_id, number, _ = submit(stack)
    stack.pump_until(lambda: stack.deps.tickets.get(ticket_id).escalation_level >= 3, timeout=40)
    ticket = stack.deps.tickets.get(ticket_id)
    assert ticket.overdue and ticket.status.value == "dispatched"
    assert stack.states_entered(ticket_id).count("EscalateAcceptance") >= 3
    assert any("督办" in text for text in stack.sms("13700000003"))  # handler
    assert any("督办" in text for text in stack.sms("13700000004"))  # department head
    assert any("二级督办" in text or "2级督办" in text for text in stack.sms(SUPERVISOR_PHONE))
    assert [e.data["level"] for e in ticket.events if e.kind == "escalated"][:3] == [1, 2, 3]
    assert stack.execution_status(ticket_id) == "RUNNING"
    assert number in [t["number"] for t in [{"number": t.number} for t in stack.deps.tickets.watched()]]
    stack.pump_until(lambda: "已超期" in (stack.page(f"t/{number}.html") or ""))
    actions.accept(number, "east-city", AcceptTicket(), stack.deps)  # late, but still welcome
    stack.pump_until(lambda: "AwaitReply" in stack.states_entered(ticket_id), timeout=20)


def test_no_rating_leads_to_a_callback_then_to_the_default_verdict(fast_stack):
    stack = fast_stack
    ticket_id, number, _ = submit(stack)
    to_reply(stack, ticket_id, number)
    stack.pump_until(lambda: stack.execution_status(ticket_id) == "SUCCEEDED", timeout=60)
    names = stack.states_entered(ticket_id)
    assert names[-4:] == ["AwaitRating", "CallBack", "AwaitCallback", "DefaultVerdict"]
    ticket = stack.deps.tickets.get(ticket_id)
    assert ticket.status.value == "closed" and ticket.rating.value == "satisfied"
    assert ticket.task_token is None  # the timed-out callback's token is not kept
    assert ticket.number not in [t.number for t in stack.deps.tickets.watched()]
    assert any("电话回访" in text for text in stack.sms(DISPATCHER_PHONE))


def test_staff_record_a_phone_callback(fast_stack):
    stack = fast_stack
    ticket_id, number, _ = submit(stack)
    to_reply(stack, ticket_id, number)
    stack.pump_until(waiting(stack, ticket_id, "callback"), timeout=30)
    actions.rate(number, RateTicket(rating="basically_satisfied", comment="电话回访"), stack.deps, staff="center")
    stack.pump_until(lambda: stack.execution_status(ticket_id) == "SUCCEEDED", timeout=20)
    assert stack.deps.tickets.get(ticket_id).rating.value == "basically_satisfied"


def test_unsatisfied_means_a_second_handling_then_the_final_verdict_closes(stack):
    ticket_id, number, secret = submit(stack)
    to_reply(stack, ticket_id, number)
    actions.rate(number, RateTicket(rating="unsatisfied", comment="灯还是不亮", secret=secret), stack.deps)
    stack.pump_until(waiting(stack, ticket_id, "accept"))
    ticket = stack.deps.tickets.get(ticket_id)
    assert (ticket.status.value, ticket.round, ticket.department) == ("dispatched", 2, "east-city")
    assert any("二次办理" in text for text in stack.sms(SUPERVISOR_PHONE))
    to_reply(stack, ticket_id, number)
    actions.rate(number, RateTicket(rating="unsatisfied", comment="仍未解决", secret=secret), stack.deps)
    stack.pump_until(lambda: stack.execution_status(ticket_id) == "SUCCEEDED")
    ticket = stack.deps.tickets.get(ticket_id)
    assert ticket.status.value == "closed" and ticket.rating.value == "unsatisfied"
    assert stack.states_entered(ticket_id) == [
        "Screen", "AwaitAcceptance", "AwaitReply", "AwaitRating",  # the first round; dispatched in Screen
        "Dispatch", "AwaitAcceptance", "AwaitReply", "AwaitRating"]  # reopened: caught into Dispatch


def test_a_wrong_secret_cannot_rate(stack):
    ticket_id, number, _ = submit(stack)
    to_reply(stack, ticket_id, number)
    with pytest.raises(Forbidden):
        actions.rate(number, RateTicket(rating="unsatisfied", secret="guessed"), stack.deps)
    assert stack.deps.tickets.get(ticket_id).status.value == "replied"


def test_the_survey_link_expires(fast_stack):
    import time

    stack = fast_stack
    ticket_id, number, _ = submit(stack)
    to_reply(stack, ticket_id, number)
    text = next(t for t in stack.sms(CITIZEN) if "请评价" in t)
    survey_secret = text.split("#k=")[1]
    stack.pump_until(waiting(stack, ticket_id, "callback"), timeout=30)
    expires = stack.deps.tickets.get(ticket_id).survey_expires
    # Stop pumping (the default verdict waits in the queue) and let the fast clock pass the expiry.
    time.sleep(max(0.0, (expires - stack.deps.clock.now()).total_seconds()) + 0.5)
    with pytest.raises(Forbidden, match="expired"):
        actions.rate(number, RateTicket(rating="satisfied", secret=survey_secret), stack.deps)
    assert stack.deps.tickets.get(ticket_id).status.value == "replied"


def test_a_department_quicker_than_the_queue_still_resumes_the_workflow(stack):
    ticket_id, number, _ = submit(stack)
    stack.pump_until(lambda: stack.status_of(ticket_id) == "dispatched")
    held = stack.take_task_message("await")  # the hand-over has not reached the worker yet
    actions.accept(number, "east-city", AcceptTicket(), stack.deps)
    assert stack.states_entered(ticket_id)[-1] == "AwaitAcceptance"  # still waiting
    run_task(held)  # the late hand-over finds the step done and resumes at once
    stack.pump_until(lambda: "AwaitReply" in stack.states_entered(ticket_id))


def test_a_task_that_keeps_failing_ends_in_the_dlq_and_the_ticket_stays_safe(stack, monkeypatch):
    from chalicelib.services import steps

    def broken_assign(ticket, department, deps, actor="system"):
        raise RuntimeError("the routing service is down")

    monkeypatch.setattr(steps, "assign", broken_assign)  # the routing, inside the screening's change
    ticket_id, number, _ = submit(stack)
    stack.pump_until(lambda: bool(stack.deps.dead_letters.peek()), timeout=40)
    stuck = stack.deps.dead_letters.peek()
    assert stuck[0]["ticket_id"] == ticket_id and stuck[0]["task"] == "screen"
    # nothing stored half-way: the case is kept as filed, screened and dispatched on redrive
    assert stack.deps.tickets.get(ticket_id).status.value == "submitted"


def test_a_redelivered_dispatch_message_does_not_dispatch_twice(stack):
    from chalicelib.services import steps

    ticket_id, _, _ = submit(stack)
    stack.pump_until(waiting(stack, ticket_id, "accept"))
    events_before = len(stack.deps.tickets.get(ticket_id).events)
    assert steps.dispatch(ticket_id, stack.deps)["outcome"] == "dispatched"
    assert len(stack.deps.tickets.get(ticket_id).events) == events_before


def test_a_token_the_workflow_no_longer_waits_for_is_ignored(stack):
    ticket_id, _, _ = submit(stack)
    stack.pump_until(waiting(stack, ticket_id, "accept"))
    run_task({"task": "dispatch", "ticket_id": ticket_id, "token": "stale-token"})  # must not raise
    assert stack.status_of(ticket_id) == "dispatched"


def test_triage_that_waits_too_long_reminds_the_dispatchers_then_the_supervisor(fast_stack):
    stack = fast_stack
    ticket_id, number, _ = submit(stack, category="other", description="小区门口有个问题需要处理一下")
    stack.pump_until(lambda: stack.deps.tickets.get(ticket_id).escalation_level >= 2, timeout=30)
    assert "EscalateTriage" in stack.states_entered(ticket_id)
    assert any(number in text and "派单" in text for text in stack.sms(DISPATCHER_PHONE))
    assert any(number in text for text in stack.sms(SUPERVISOR_PHONE))
    actions.dispatch_by_hand(number, "center", DispatchTicket(department="roads"), stack.deps)
    stack.pump_until(lambda: stack.states_entered(ticket_id)[-1:] == ["AwaitAcceptance"], timeout=20)


def test_redelivered_steps_do_not_send_their_sms_again(stack):
    from chalicelib.services import steps

    ticket_id, _, _ = submit(stack)
    stack.pump_until(waiting(stack, ticket_id, "accept"))
    handler_sms = len(stack.sms("13700000003"))
    steps.dispatch(ticket_id, stack.deps)  # the same message delivered a second time
    assert len(stack.sms("13700000003")) == handler_sms


def test_a_case_stored_past_screening_waits_where_it_is_and_a_finished_one_starts_nothing(stack):
    later = NOW + timedelta(days=3650)  # deadlines far ahead: the wait does not time out
    waiting = make_ticket()
    waiting.screen(NOW)
    waiting.dispatch("east-city", accept_due=later, reply_due=later, at=NOW)
    closed = make_ticket()
    closed.screen(NOW)
    closed.dispatch("east-city", accept_due=later, reply_due=later, at=NOW)
    closed.accept("east-city", NOW)
    closed.answer("east-city", "已修复", Outcome.RESOLVED, NOW)
    closed.rate(Rating.SATISFIED, "", "citizen", 2, NOW)
    for ticket in (waiting, closed):
        stack.deps.tickets.add(ticket, None)
    stack.pump_until(lambda: stack.deps.tickets.get(waiting.id).task_stage == "accept"
                     and stack.page(f"t/{closed.number}.html") is not None)
    assert stack.states_entered(waiting.id) == ["Screen", "AwaitAcceptance"]
    assert [e.kind for e in stack.deps.tickets.get(waiting.id).events] == ["submitted", "screened", "dispatched"]
    assert stack.execution_status(closed.id) is None


def test_a_case_replied_before_the_reply_opened_the_survey_gets_its_link_from_the_survey_step(stack):
    later = NOW + timedelta(days=3650)
    replied = make_ticket()
    replied.screen(NOW)
    replied.dispatch("east-city", accept_due=later, reply_due=later, at=NOW)
    replied.accept("east-city", NOW)
    replied.answer("east-city", "已修复", Outcome.RESOLVED, NOW)  # stored as replies were: no survey yet
    stack.deps.tickets.add(replied, CITIZEN)
    stack.pump_until(waiting(stack, replied.id, "survey"))
    assert stack.states_entered(replied.id) == ["Screen", "OpenSurvey", "AwaitRating"]
    assert len([text for text in stack.sms(CITIZEN) if "请评价" in text]) == 1


def test_escalations_go_back_to_their_wait_without_a_detour(fast_stack):
    stack = fast_stack
    ticket_id, number, _ = submit(stack)
    stack.pump_until(lambda: stack.deps.tickets.get(ticket_id).escalation_level >= 1, timeout=30)
    stack.pump_until(waiting(stack, ticket_id, "accept"))
    actions.accept(number, "east-city", AcceptTicket(), stack.deps)
    stack.pump_until(waiting(stack, ticket_id, "reply"))
    names = stack.states_entered(ticket_id)
    names = names[:names.index("AwaitReply") + 1]  # (the fast clock may escalate the reply too)
    assert names[0] == "Screen" and names[-1] == "AwaitReply"
    # Screen, then AwaitAcceptance and its escalations by turns: one transition each way.
    assert set(names[1:-1]) == {"AwaitAcceptance", "EscalateAcceptance"}
    assert names[1:-1:2] == ["AwaitAcceptance"] * len(names[1:-1:2])
