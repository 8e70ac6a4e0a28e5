"""Demo history: a few hundred cases of the last months, lived through the domain's own methods.

It lives with the services, not with the local twin, because it is a use case over the ports
alone (Tickets, Counters, the catalogue and the clock): the local twin seeds it at its first start,
and a staging or training deployment can seed the same history the same way; it is typed and
tested like any service. It writes nothing but tickets (and their day's numbers): the table's
stream then starts, counts, lists and publishes them like any other stored case, so no counter
or page is written by hand.

Each case is filed at a past time (more of them recently: intake grows), numbered from its filing
day's sequence, and then lives its life step by step — screening (invalid texts are refused by
the real rules, near-duplicates merged into open cases), dispatch by the routing rules or by a
dispatcher (category "other", returns), sign-off, extension requests, escalation when a deadline
passes, the reply, the survey and the verdict (unsatisfied opens a second round). Deadlines come
from the working-day calendar. The steps of all cases are applied in time order, so a duplicate
merged into a case adds its supporter at the right place of that case's timeline; steps after
"now" do not happen, so recent cases are still open and a few slow ones are overdue.

Departments differ on purpose (league tables): each has a profile of sign-off speed, lateness,
returns, extensions and verdicts. The same seed and "now" give the same history (ids included).
"""
from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from ..domain.calendar import CHINA
from ..domain.catalog import Catalog, Location
from ..domain.ids import new_ticket_id, public_number, secret_digest
from ..domain.model import Channel, Kind, Outcome, Rating, Status, Ticket
from ..domain.screening import check_text
from . import history_texts as texts
from .context import Deps

MARKER = "history#demo"  # a counter: the first seeding takes 1, so history is stored once per table
SEED = 20261124
CASES = 300
DAYS = 90
STAFF = "center"  # the dispatchers, supervisors and callback staff of the 12345 centre

Step = tuple[datetime, Callable[[datetime], object]]


@dataclass(frozen=True)
class Profile:
    """How a department works: typical sign-off time, and the shares of cases it replies late,
    gives back, asks more time for, and whose citizens are unsatisfied or basically satisfied."""

    accept_hours: float
    late: float
    returns: float
    extensions: float
    unsatisfied: float
    basically: float


PROFILES: dict[str, Profile] = {
    "swj": Profile(2, 0.03, 0.0, 0.02, 0.04, 0.10),
    "qh-cgj": Profile(3, 0.05, 0.02, 0.04, 0.06, 0.15),
    "scjg": Profile(4, 0.06, 0.03, 0.03, 0.08, 0.15),
    "jj": Profile(4, 0.08, 0.05, 0.03, 0.10, 0.20),
    "center": Profile(3, 0.05, 0.0, 0.02, 0.08, 0.15),
    "cgj": Profile(8, 0.12, 0.05, 0.05, 0.12, 0.25),
    "kf-cgj": Profile(8, 0.15, 0.04, 0.06, 0.12, 0.25),
    "jtj": Profile(12, 0.25, 0.10, 0.10, 0.18, 0.25),
    "sthj": Profile(10, 0.20, 0.05, 0.08, 0.35, 0.25),
    "hy-cgj": Profile(30, 0.45, 0.08, 0.10, 0.25, 0.30),
    "kf-gwh": Profile(28, 0.40, 0.10, 0.15, 0.22, 0.30),
    "zjj": Profile(36, 0.50, 0.15, 0.25, 0.40, 0.25),
}
DEFAULT_PROFILE = Profile(8, 0.15, 0.05, 0.05, 0.15, 0.25)
# Where a dispatcher sends a case a department gave back, and who takes "other" cases (in turn).
FALLBACK = {"jtj": "jj", "jj": "jtj", "zjj": "kf-gwh", "kf-gwh": "zjj", "qh-cgj": "cgj", "hy-cgj": "cgj",
            "kf-cgj": "cgj", "sthj": "cgj", "swj": "zjj", "scjg": "center", "cgj": "center", "center": "cgj"}
TRIAGE_CHOICES = ("center", "cgj", "kf-gwh", "zjj")

KINDS = ((Kind.COMPLAINT, 50), (Kind.HELP, 20), (Kind.SUGGESTION, 12), (Kind.CONSULTATION, 10),
         (Kind.ENTERPRISE, 8))
CHANNELS = ((Channel.QR, 55), (Channel.WEB, 15), (Channel.HOTLINE, 15), (Channel.MAILBOX, 6), (Channel.MEDIA, 4),
            (Channel.OPEN311, 5))


@dataclass
class Filing:
    """A case as the citizen files it, and what is in store for it."""

    at: datetime
    location: Location
    category: str
    kind: Kind
    channel: Channel
    text: str
    confidential: bool = False
    stuck: bool = False  # its department never replies: open and overdue now
    original: Filing | None = None  # a near-duplicate of this earlier case


def store_history(deps: Deps, seed: int = SEED, cases: int = CASES, days: int = DAYS) -> int | None:
    """Store the demo history once per table: answers how many cases were stored, or None when a
    history was seeded before (the marker counter is taken first, so two seeders never both store)."""
    if deps.counters.next(MARKER) > 1:
        return None
    tickets = make_history(deps, seed, cases, days)
    for ticket in tickets:
        deps.tickets.add(ticket, None)
    return len(tickets)


def make_history(deps: Deps, seed: int = SEED, cases: int = CASES, days: int = DAYS) -> list[Ticket]:
    """About `cases` cases filed over the `days` before now, in filing order, as they stand now.
    Takes each case's number from its filing day's sequence (deps.counters)."""
    rng = random.Random(seed)
    now = deps.clock.now().astimezone(CHINA).replace(microsecond=0)
    catalog = deps.catalog()
    filings = _filings(rng, catalog, now, cases, days)
    tickets = [_file(filing, deps, rng) for filing in filings]
    _Life(deps, rng, now).run(list(zip(tickets, filings, strict=True)))
    return tickets


# --- filing -------------------------------------------------------------------------------------
def _weighted(rng: random.Random, table: tuple[tuple[Kind, int], ...] | tuple[tuple[Channel, int], ...]) -> object:
    return rng.choices([value for value, _ in table], weights=[weight for _, weight in table])[0]


def _filed_at(rng: random.Random, now: datetime, days: int) -> datetime:
    """A time in the last `days` days, more of them recently, in the day's waking hours."""
    day = (now - timedelta(days=days * rng.random() ** 1.4)).date()
    at = datetime.combine(day, time(rng.randint(7, 21), rng.randint(0, 59), rng.randint(0, 59)), tzinfo=CHINA)
    return at if at < now else now - timedelta(minutes=rng.randint(30, 300))


def _text(rng: random.Random, place: str, category: str, kind: Kind) -> str:
    problem, detail = rng.choice(texts.PROBLEMS[category]), rng.choice(texts.DETAILS[category])
    if kind is Kind.SUGGESTION:
        return f"{place}{problem}，{detail}。建议{rng.choice(texts.SUGGESTIONS[category])}。"
    if kind is Kind.CONSULTATION:
        return f"请问{place}{problem}的问题归哪个部门管？{detail}，想了解一下办理流程和大概多久能处理。"
    if kind is Kind.ENTERPRISE:
        return f"我公司就在{place}附近，{problem}，{detail}，影响企业正常经营。{rng.choice(texts.ENTERPRISE_ASKS)}"
    if kind is Kind.HELP:
        return f"{place}{problem}，{detail}。{rng.choice(texts.HELPS)}"
    text = f"{place}{problem}，{detail}。{rng.choice(texts.URGES)}"
    if rng.random() < 0.3:  # some citizens write at length
        text += "".join(rng.sample(texts.ELABORATIONS, rng.randint(1, 3))) + rng.choice(texts.URGES)
    return text


def _filings(rng: random.Random, catalog: Catalog, now: datetime, cases: int, days: int) -> list[Filing]:
    """The filings in time order. The first ones walk every location x category pair (the counts are
    coprime, so 21 x 8 filings meet each pair once): every routing rule and override is used."""
    locations, categories = list(catalog.locations.values()), list(catalog.categories)
    originals = cases // 25  # near-duplicates filed soon after these
    filings = []
    for index in range(cases - originals):
        pairs = len(locations) * len(categories)
        location = locations[index % len(locations)] if index < pairs else rng.choice(locations)
        category = categories[index % len(categories)] if index < pairs else rng.choice(categories)
        kind = list(Kind)[index % len(Kind)] if index < 30 else _weighted(rng, KINDS)
        channel = list(Channel)[index % len(Channel)] if index < 30 else _weighted(rng, CHANNELS)
        assert isinstance(kind, Kind) and isinstance(channel, Channel)
        filing = Filing(_filed_at(rng, now, days), location, category, kind, channel,
                        _text(rng, location.name, category, kind), confidential=rng.random() < 0.05)
        filings.append(filing)
    _mark_special(rng, filings, now)
    filings += _duplicates(rng, filings[:originals * 3:3], now)
    return sorted(filings, key=lambda f: f.at)


def _mark_special(rng: random.Random, filings: list[Filing], now: datetime) -> None:
    """A few cases stuck at slow departments (filed 10 to 30 days ago, never replied: overdue now),
    a few invalid texts, and a couple of phone numbers left in the text (each on different cases)."""
    slow = [f for f in filings if f.category == "property" or (f.location.district == "huaiyin"
                                                                and f.category in ("sanitation", "lights"))]
    stuck = rng.sample(slow, min(4, len(slow)))
    for filing in stuck:
        filing.stuck = True
        filing.at = now - timedelta(days=rng.uniform(10, 30))
    others = rng.sample([f for f in filings if not f.stuck], max(3, len(filings) // 30) + len(texts.PHONE_NOTES))
    for filing, note in zip(others, texts.PHONE_NOTES, strict=False):
        filing.text += note
        filing.confidential = False
    for filing in others[len(texts.PHONE_NOTES):]:
        filing.text = rng.choice(texts.GARBAGE)


def _duplicates(rng: random.Random, originals: list[Filing], now: datetime) -> list[Filing]:
    found = []
    for original in originals:
        at = original.at + timedelta(hours=rng.uniform(3, 72))
        if at < now and not original.stuck:
            found.append(Filing(at, original.location, original.category, original.kind, Channel.QR,
                                rng.choice(texts.DUPLICATE_OPENINGS) + original.text, original=original))
    return found


def _file(filing: Filing, deps: Deps, rng: random.Random) -> Ticket:
    """The case as submitted: numbered from its filing day's sequence, as intake numbers it."""
    sequence = deps.counters.next(f"number#{filing.at:%Y%m%d}")
    return Ticket.submit(
        at=filing.at, id=new_ticket_id(int(filing.at.timestamp() * 1000), rng.getrandbits(80)),
        number=public_number(filing.at, sequence), location=filing.location.code,
        district=filing.location.district, category=filing.category, kind=filing.kind, channel=filing.channel,
        description=filing.text, secret_digest=secret_digest(f"history-{rng.getrandbits(64)}"),
        confidential=filing.confidential)


def _reopened(ticket: Ticket) -> bool:
    return ticket.status is Status.REOPENED


# --- living -------------------------------------------------------------------------------------
class _Life:
    """Every case's life as a sequence of timed steps; all cases' steps are applied in time order."""

    def __init__(self, deps: Deps, rng: random.Random, now: datetime) -> None:
        self.catalog, self.rng, self.now = deps.catalog(), rng, now
        self.policy = self.catalog.policy
        self.calendar = self.policy.calendar()
        self.tickets: dict[int, Ticket] = {}
        self.triage = itertools.cycle(TRIAGE_CHOICES)

    def run(self, cases: list[tuple[Ticket, Filing]]) -> None:
        self.tickets = {id(filing): ticket for ticket, filing in cases}
        order = itertools.count()
        waiting: list[tuple[datetime, int, Callable[[datetime], object], Iterator[Step]]] = []

        def advance(life: Iterator[Step]) -> None:
            step = next(life, None)
            if step is not None and step[0] <= self.now:
                heapq.heappush(waiting, (step[0], next(order), step[1], life))

        for ticket, filing in cases:
            advance(self.life(ticket, filing))
        while waiting:
            at, _, act, life = heapq.heappop(waiting)
            act(at)
            advance(life)

    # time helpers
    def later(self, ticket: Ticket, low: float, high: float) -> datetime:
        """Some hours (uniform between low and high) after the case's last event, to the second."""
        return (ticket.events[-1].at + timedelta(hours=self.rng.uniform(low, high))).replace(microsecond=0)

    def office(self, at: datetime, floor: datetime) -> datetime:
        """Moved into office hours (8:00–18:00) of the same day, never before `floor`."""
        local = at.astimezone(CHINA)
        if local.hour < 8 or local.hour >= 18:
            local = local.replace(hour=self.rng.randint(8, 17), minute=self.rng.randint(0, 59))
        return max(local, floor + timedelta(minutes=5))

    def profile(self, ticket: Ticket) -> Profile:
        return PROFILES.get(ticket.department or "", DEFAULT_PROFILE)

    # the life of one case
    def life(self, ticket: Ticket, filing: Filing) -> Iterator[Step]:
        yield from self.screening(ticket, filing)
        if ticket.status is not Status.SCREENED:
            return  # invalid, or merged into its original
        department = self.catalog.route(ticket.location, ticket.category)
        if department is None:  # a dispatcher decides
            chosen = next(self.triage)
            yield self.later(ticket, 1, 20), lambda at: self.dispatch(ticket, chosen, at, STAFF)
        else:
            yield self.later(ticket, 0.02, 0.05), lambda at: self.dispatch(ticket, department.code, at, "system")
        yield from self.handling(ticket, filing)
        if _reopened(ticket):  # the second round goes back to the same department
            again = ticket.department or STAFF
            yield self.later(ticket, 0.01, 0.03), lambda at: self.dispatch(ticket, again, at, "system")
            yield from self.handling(ticket, filing)

    def screening(self, ticket: Ticket, filing: Filing) -> Iterator[Step]:
        original = self.tickets.get(id(filing.original)) if filing.original else None
        yield self.later(ticket, 0.02, 0.2), lambda at: self.screen(ticket, original, at)

    def screen(self, ticket: Ticket, original: Ticket | None, at: datetime) -> None:
        """As the screening step decides: merged into an open original, else by the text rules."""
        if original is not None and original.is_open and original.status is not Status.SUBMITTED:
            ticket.merge_into(original, at)
            original.add_supporter(ticket.number, at)
            return
        verdict = check_text(ticket.description, self.policy)
        if verdict.valid:
            ticket.screen(at)
        else:
            ticket.invalidate(verdict.reason, at)

    def dispatch(self, ticket: Ticket, department: str, at: datetime, actor: str) -> None:
        """As the dispatch step does it: deadlines from the working-day calendar and the case's tier."""
        days = self.policy.tier_days(self.catalog.category(ticket.category).tier, ticket.kind.value)
        ticket.dispatch(department, accept_due=self.calendar.add_working_days(at, self.policy.sign_off_days),
                        reply_due=self.calendar.add_working_days(at, days), at=at, actor=actor)

    def handling(self, ticket: Ticket, filing: Filing) -> Iterator[Step]:
        """One round: perhaps a return and a new dispatch, sign-off, perhaps an extension, the reply
        and the verdict."""
        if ticket.round == 1 and self.rng.random() < self.profile(ticket).returns:
            yield from self.give_back(ticket)
        yield from self.accept(ticket)
        if self.rng.random() < self.profile(ticket).extensions and ticket.extensions < self.policy.max_extensions:
            yield from self.extension(ticket)
        yield from self.reply(ticket, filing)
        if ticket.status is Status.REPLIED:
            yield from self.verdict(ticket)

    def give_back(self, ticket: Ticket) -> Iterator[Step]:
        department = ticket.department or ""
        window_end = self.calendar.add_working_days(ticket.dispatched_at or ticket.created_at,
                                                    self.policy.return_window_days)
        reason = self.rng.choice(texts.RETURN_REASONS)
        yield self.later(ticket, 1, 8), lambda at: ticket.give_back(department, reason, window_end, at)
        fallback = FALLBACK.get(department, STAFF)
        yield self.later(ticket, 1, 6), lambda at: self.dispatch(ticket, fallback, at, STAFF)

    def escalations(self, ticket: Ticket, stage: str, due: datetime | None, until: datetime) -> Iterator[Step]:
        """督办 as the workflow does it: at the deadline, then every escalation interval, three levels."""
        if due is None:
            return
        # a deadline that passed while an earlier step waited is escalated once that step is done
        at = max(due, ticket.events[-1].at) + timedelta(seconds=self.rng.randint(5, 120))
        for _ in range(3):
            if at >= until:
                return
            yield at, lambda at: ticket.escalate(stage, at)
            at = self.calendar.add_working_days(at, self.policy.escalation_interval_days) + timedelta(seconds=30)

    def accept(self, ticket: Ticket) -> Iterator[Step]:
        profile, department = self.profile(ticket), ticket.department or ""
        hours = min(self.rng.expovariate(1 / profile.accept_hours), profile.accept_hours * 4)
        at = self.office(self.later(ticket, 0.1 + hours, 0.2 + hours), ticket.events[-1].at)
        yield from self.escalations(ticket, "accept", ticket.accept_due, at)
        note = self.rng.choice(texts.ACCEPT_NOTES)
        yield at, lambda at: ticket.accept(department, at, note)

    def extension(self, ticket: Ticket) -> Iterator[Step]:
        department, reason = ticket.department or "", self.rng.choice(texts.EXTENSION_REASONS)
        days, limit = self.policy.extension_days, self.policy.max_extensions
        yield self.later(ticket, 2, 20), lambda at: ticket.ask_extension(department, reason, days, limit, at)
        approve = self.rng.random() < 0.75

        def decide(at: datetime) -> None:
            new_due = self.calendar.extend(ticket.reply_due, at, days) if approve else None
            ticket.decide_extension(approve, new_due, STAFF, "同意延期" if approve else "不同意延期，请按期办结", at)

        yield self.later(ticket, 1, 6), decide

    def reply(self, ticket: Ticket, filing: Filing) -> Iterator[Step]:
        profile, department = self.profile(ticket), ticket.department or ""
        last, due = ticket.events[-1].at, ticket.reply_due or ticket.events[-1].at
        if filing.stuck:
            at = self.now + timedelta(days=365)  # never, as far as the history goes
        elif self.rng.random() < profile.late:
            at = due + timedelta(days=self.rng.uniform(0.3, 6))
        else:
            at = last + (due - last) * self.rng.uniform(0.15, 0.9)
        at = self.office(at.replace(microsecond=0), last)
        yield from self.escalations(ticket, "reply", ticket.reply_due, at)
        text, outcome = self.answer(ticket)
        yield at, lambda at: ticket.answer(department, text, outcome, at)

    def answer(self, ticket: Ticket) -> tuple[str, Outcome]:
        roll = self.rng.random()
        if roll < 0.04:
            return self.rng.choice(texts.CANNOT_HANDLE), Outcome.CANNOT_HANDLE
        if ticket.kind in (Kind.SUGGESTION, Kind.CONSULTATION) and roll < 0.7:
            return self.rng.choice(texts.EXPLANATIONS), Outcome.EXPLAINED
        return self.rng.choice(texts.REPLIES[ticket.category]), Outcome.RESOLVED

    def verdict(self, ticket: Ticket) -> Iterator[Step]:
        """The survey link, then the citizen's rating, or a phone callback by staff, or (nobody
        reached) the default verdict."""
        policy, rounds = self.policy, self.policy.max_rounds
        digest = secret_digest(f"survey-{self.rng.getrandbits(64)}")
        yield self.later(ticket, 0.01, 0.05), lambda at: ticket.open_survey(
            digest, self.calendar.add_working_days(at, policy.survey_days + policy.callback_days), at)
        rating = self.rating(ticket)
        comment = self.rng.choice(texts.COMMENTS[rating.value])
        roll = self.rng.random()
        if roll < 0.7:
            yield self.later(ticket, 0.5, 48), lambda at: ticket.rate(rating, comment, "citizen", rounds, at)
            return
        callback = self.calendar.add_working_days(ticket.events[-1].at, policy.survey_days)
        yield callback, lambda at: ticket.call_back(at)
        if roll < 0.9:
            at = self.office(self.later(ticket, 2, 20), ticket.events[-1].at)
            yield at, lambda at: ticket.record_callback(rating, comment, STAFF, rounds, at)
        else:
            default = Rating(policy.default_rating)
            yield self.calendar.add_working_days(callback, policy.callback_days), \
                lambda at: ticket.rate(default, "", "system", rounds, at)

    def rating(self, ticket: Ticket) -> Rating:
        profile, roll = self.profile(ticket), self.rng.random()
        unsatisfied = profile.unsatisfied / ticket.round  # a second round goes better
        if roll < unsatisfied:
            return Rating.UNSATISFIED
        return Rating.BASICALLY_SATISFIED if roll < unsatisfied + profile.basically else Rating.SATISFIED
