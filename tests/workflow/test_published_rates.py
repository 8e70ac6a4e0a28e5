"""Cases driven through the real state machine and the handlers; the published statistics and
department pages must show what arithmetic on those cases gives, figure by figure."""
from __future__ import annotations

import re

from chalicelib.services import actions
from chalicelib.services.commands import AcceptTicket, DispatchTicket, RateTicket, ReplyTicket, ReturnTicket
from tests.unit.test_stats_pages import row
from tests.workflow.test_ticket_workflow import submit, waiting

# Five cases for the east city office (lights in the east district), far apart in wording so that
# none is merged as a duplicate of another.
TEXTS = [("e1", "东门的路灯整晚不亮，行人看不清台阶"), ("e2", "高铁站广场西侧灯柱倾斜，随时可能倒下"),
         ("e1", "公园北侧步道照明灯闪烁不停，晃眼睛"), ("e2", "出租车上客点上方的灯罩掉了一半"),
         ("e1", "儿童游乐区旁边的景观灯线路裸露在外")]


def test_the_published_rates_are_the_arithmetic_of_the_cases(stack):
    cases = [submit(stack, location=place, description=text) for place, text in TEXTS]
    for ticket_id, _, _ in cases:
        stack.pump_until(waiting(stack, ticket_id, "accept"))
    (a, a_no, a_secret), (b, b_no, b_secret), (c, c_no, _), (d, d_no, _), _e = cases
    for ticket_id, number in ((a, a_no), (b, b_no), (d, d_no)):  # signed off at once: on time
        actions.accept(number, "east-city", AcceptTicket(), stack.deps)
        stack.pump_until(waiting(stack, ticket_id, "reply"))
    for ticket_id, number in ((a, a_no), (b, b_no)):  # answered at once: on time
        actions.reply(number, "east-city", ReplyTicket(text="已更换灯具"), stack.deps)
        stack.pump_until(waiting(stack, ticket_id, "survey"))
    actions.rate(a_no, RateTicket(rating="satisfied", secret=a_secret), stack.deps)
    actions.rate(b_no, RateTicket(rating="basically_satisfied", secret=b_secret), stack.deps)
    actions.give_back(c_no, "east-city", ReturnTicket(reason="属于交通部门职责"), stack.deps)
    stack.pump_until(waiting(stack, c, "triage"))
    actions.dispatch_by_hand(c_no, "center", DispatchTicket(department="roads"), stack.deps)
    stack.pump_until(waiting(stack, c, "accept"))

    # east-city: 5 dispatched; 3 signed off on time; 2 replied, both on time; 2 rated, both
    # satisfied or basically; 1 returned. roads: 1 dispatched, nothing else yet. The east
    # district: 6 dispatched, the same 3, 2, 2 and 1.
    expected = {
        "d/east-city.html": ["5", "60.0%", "40.0%", "100.0%", "100.0%", "20.0%"],
        "d/roads.html": ["1", "0.0%", "0.0%", "—", "—", "0.0%"],
        "hall/a/east.html": ["6", "50.0%", "33.3%", "100.0%", "100.0%", "16.7%"],
    }

    def shown(key: str, prefix: str) -> dict[str, list[str]]:
        html = stack.page(key) or ""
        return {href: [cell[0] if isinstance(cell, tuple) else cell for cell in row(html, prefix + href)[1:]]
                for href in expected if prefix + href in html}

    stack.pump_until(lambda: shown("stats/index.html", "") == expected, timeout=60)
    assert shown("en/stats/index.html", "en/") == expected
    stack.pump_until(lambda: "60.0%" in (stack.page("d/east-city.html") or ""), timeout=30)
    department = re.sub(r"\s+", " ", stack.page("d/east-city.html") or "")
    for figure in ("60.0%", "40.0%", "20.0%"):
        assert figure in department
