"""The state machine's definition agrees with the one table of usual outcomes (services/tickets.py):
every step goes on to the state its usual outcome leads to, and catches every other outcome on the
way to the state that outcome leads to."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chalicelib.services.tickets import USUAL_OUTCOMES, Route, step_name

ASL = Path(__file__).resolve().parents[2] / "infra" / "statemachines" / "ticket.asl.json"
STATES: dict[str, Any] = json.loads(ASL.read_text(encoding="utf-8"))["States"]

# Where each outcome leads (the state entered, after the Pass state that takes the step's output
# from a failure's cause, if any).
LEADS_TO = {
    Route.TRIAGE: "AwaitTriage", Route.DISPATCHED: "AwaitAcceptance", Route.ACCEPTED: "AwaitReply",
    Route.REPLIED: "OpenSurvey", Route.RATING: "AwaitRating", Route.CALLBACK: "AwaitCallback",
    Route.REOPENED: "Dispatch", Route.CLOSED: "Closed", Route.INVALID: "Invalid", Route.MERGED: "Merged",
}
TASKS = {name: state for name, state in STATES.items() if state["Type"] == "Task"}
WAITS = {name for name, state in TASKS.items() if "TimeoutSecondsPath" in state}


def step_of(state: dict[str, Any]) -> str:
    body = state["Parameters"]["MessageBody"]
    return step_name(body["task"], body.get("stage"))


def through(name: str) -> str:
    """The state a Catch's target leads to (a Pass state goes on to its Next)."""
    return str(STATES[name]["Next"]) if STATES[name]["Type"] == "Pass" else name


def test_every_outcome_but_submitted_leads_somewhere():
    assert set(LEADS_TO) == set(Route) - {Route.SUBMITTED}


def test_every_step_of_the_table_is_a_task_of_the_definition_and_every_task_is_in_the_table():
    assert sorted(step_of(state) for state in TASKS.values()) == sorted(USUAL_OUTCOMES)


@pytest.mark.parametrize("name", sorted(TASKS))
def test_a_step_goes_on_to_where_its_usual_outcome_leads(name):
    state = TASKS[name]
    if USUAL_OUTCOMES[step_of(state)] is Route.CLOSED:  # the execution ends with the step itself
        assert state.get("End") is True and "Next" not in state
    else:
        assert state["Next"] == LEADS_TO[USUAL_OUTCOMES[step_of(state)]]
    assert state["Parameters"]["MessageBody"]["catches"] is True  # the worker answers other outcomes as failures


@pytest.mark.parametrize("name", sorted(TASKS))
def test_a_step_catches_every_other_outcome_on_the_way_to_where_it_leads(name):
    state = TASKS[name]
    caught: dict[str, str] = {}
    for catch in state.get("Catch", []):
        if catch["ErrorEquals"] == ["States.Timeout"]:
            assert name in WAITS
            continue
        assert catch["ResultPath"] == "$.caught"
        for error in catch["ErrorEquals"]:
            caught[error] = through(catch["Next"])
    usual = USUAL_OUTCOMES[step_of(state)]
    assert caught == {outcome.value: leads for outcome, leads in LEADS_TO.items() if outcome is not usual}


def test_a_wait_reached_by_a_catch_reads_its_timeout_from_the_failures_cause():
    for name, state in STATES.items():
        if state["Type"] != "Pass":
            continue
        assert state["Next"] in WAITS, name  # only a wait needs the output: the others read the ticket id
        assert state["Parameters"] == {"ticket_id.$": "$.ticket_id", "step.$": "States.StringToJson($.caught.Cause)"}
    for state in TASKS.values():
        for catch in state.get("Catch", []):
            if catch["ErrorEquals"] != ["States.Timeout"] and catch["Next"] in WAITS:
                pytest.fail(f"a catch goes to the wait {catch['Next']} without its timeout")


def test_no_choice_state_is_left():
    assert not [name for name, state in STATES.items() if state["Type"] == "Choice"]
