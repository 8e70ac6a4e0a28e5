"""The ticket: its states, the transitions allowed between them, and its timeline."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from .errors import InvalidInput, InvalidTransition, NotFound, NotYourTicket, Unhideable
from .geo import Point


class Status(StrEnum):
    SUBMITTED = "submitted"
    SCREENED = "screened"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    REPLIED = "replied"
    CLOSED = "closed"
    INVALID = "invalid"
    MERGED = "merged"
    RETURNED = "returned"
    REOPENED = "reopened"


FINISHED_STATUSES = frozenset({Status.CLOSED, Status.INVALID, Status.MERGED})
OPEN_STATUSES = frozenset({Status.SUBMITTED, Status.SCREENED, Status.DISPATCHED, Status.ACCEPTED,
                           Status.RETURNED, Status.REOPENED})


class Kind(StrEnum):
    COMPLAINT = "complaint"
    HELP = "help"
    SUGGESTION = "suggestion"
    CONSULTATION = "consultation"
    ENTERPRISE = "enterprise"




class Channel(StrEnum):
    QR = "qr"
    WEB = "web"
    HOTLINE = "hotline"
    MAILBOX = "mailbox"
    MEDIA = "media"
    OPEN311 = "open311"


class Outcome(StrEnum):
    """How the department closed its handling."""

    RESOLVED = "resolved"
    EXPLAINED = "explained"
    CANNOT_HANDLE = "cannot_handle"



class Rating(StrEnum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    UNSATISFIED = "unsatisfied"





# Event kinds (past tense) a timeline holds; the message catalogue words each as "event.<kind>".
EVENT_KINDS = ("submitted", "screened", "invalidated", "merged", "supported", "dispatched", "accepted",
               "returned", "extension_requested", "extension_approved", "extension_refused", "escalated",
               "replied", "survey_sent", "callback_due", "rated", "reopened", "closed", "added",
               "photo_reviewed", "hidden", "noted", "split", "assisting")
# Timeline entries staff keep among themselves: never on a public page or answer.
INTERNAL_EVENTS = frozenset({"noted"})

# Timeline entries whose note is a citizen's own words (an addition, a rating comment), which a
# moderator may hide: the description is "description", a photo "photo:<name>", these "event:<index>".
CITIZEN_TEXT_EVENTS = frozenset({"added", "rated"})

# Why a dispatcher does not accept a case: catalogue codes ("reason.<code>"), never free text, as
# the reason is published on the case page and sent to the citizen.
STAFF_REJECT_REASONS = ("out_of_scope", "unverifiable", "garbled", "banned")

# The dispatchers' queue: cases with no department yet (new ones waiting for triage, returns).
TRIAGE_QUEUE = "TRIAGE"

# From which states each action may be taken.
ALLOWED_FROM: dict[str, frozenset[Status]] = {
    "add": OPEN_STATUSES,
    "review_photo": OPEN_STATUSES | {Status.REPLIED, Status.CLOSED},
    "screen": frozenset({Status.SUBMITTED}),
    "dispatch": frozenset({Status.SCREENED, Status.RETURNED, Status.REOPENED}),
    "accept": frozenset({Status.DISPATCHED}),
    "return": frozenset({Status.DISPATCHED, Status.ACCEPTED}),
    "extend": frozenset({Status.ACCEPTED}),
    "reply": frozenset({Status.ACCEPTED}),
    "rate": frozenset({Status.REPLIED}),
    # Staff merge a duplicate they found (screening merges the ones it finds before that).
    "merge": OPEN_STATUSES - {Status.SUBMITTED},
    "split": frozenset({Status.MERGED}),
    # A dispatcher finds a case is not one the platform takes (screening missed it).
    "reject": frozenset({Status.SCREENED, Status.RETURNED}),
    # Another department takes over before the reply: a re-dispatch, or a supervisor sending a
    # reopened case elsewhere than the department that failed it.
    "redispatch": frozenset({Status.DISPATCHED, Status.ACCEPTED}),
    "assist": frozenset({Status.DISPATCHED, Status.ACCEPTED}),
}
# What each waiting step of the workflow waits for: it has passed once the ticket left these states.
WAITING_IN: dict[str, frozenset[Status]] = {
    "triage": frozenset({Status.SCREENED, Status.RETURNED}),
    "accept": frozenset({Status.DISPATCHED}),
    "reply": frozenset({Status.ACCEPTED}),
    "survey": frozenset({Status.REPLIED}),
    "callback": frozenset({Status.REPLIED}),
}

_WATCHED = frozenset({Status.SCREENED, Status.DISPATCHED, Status.ACCEPTED, Status.RETURNED})


@dataclass(frozen=True)
class Event:
    """One append-only entry of the audit log and public timeline."""

    kind: str
    at: datetime
    actor: str
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    by: str = ""  # the signed-in staff account that acted (internal: never on a public page)


class PhotoState(StrEnum):
    PENDING = "pending"  # visible to staff; public only once approved
    PUBLIC = "public"
    REFUSED = "refused"  # faces, number plates, documents: never published


@dataclass(frozen=True)
class Photo:
    """One photo of a case: its stored name (`<n>.jpg`), who added it, and whether it is public."""

    name: str
    by: str  # "citizen" or the department that attached it to a reply
    at: datetime
    state: PhotoState = PhotoState.PENDING


@dataclass(frozen=True)
class Wait:
    """The workflow step waiting on people: its task token, the stage, and whether the state
    catches the outcomes it does not expect (False: a step of an older definition, see
    services/tickets.py: answer)."""

    token: str
    stage: str
    catches: bool = False


@dataclass
class Ticket:
    id: str
    number: str
    # The place: one of the catalogue's locations (and its district), or None for a case reported
    # by an address or a point that matches none of them ("unplaced": a dispatcher routes it).
    location: str | None
    district: str | None
    category: str
    kind: Kind
    channel: Channel
    description: str
    secret_digest: str
    created_at: datetime
    status: Status = Status.SUBMITTED
    department: str | None = None
    dispatched_at: datetime | None = None
    accept_due: datetime | None = None
    reply_due: datetime | None = None
    reply: str | None = None
    outcome: Outcome | None = None
    reason: str | None = None  # why invalid / merged, a reason code ("too_short", "merged") shown worded
    merged_into: str | None = None  # number of the open case this one was merged into
    supporters: int = 0  # "me too" reports merged into this case
    escalation_level: int = 0
    overdue: bool = False
    extension_requested: bool = False
    extension_days: int = 0
    extensions: int = 0
    round: int = 1
    rating: Rating | None = None
    rating_comment: str = ""
    survey_digest: str | None = None
    survey_expires: datetime | None = None
    # Task token of the workflow step waiting on people, which step it is, and whether that step
    # routes outcomes other than its usual one by its Catch (services/tickets.py: answer).
    task_token: str | None = None
    task_stage: str | None = None
    task_catches: bool = False
    events: list[Event] = field(default_factory=list)
    locale: str = "zh-CN"  # the citizen's language: SMS and receipts speak it
    confidential: bool = False  # 保密: the public sees number, category, status, department, dates only
    photos: list[Photo] = field(default_factory=list)
    # What a moderator withdrew from the public: target ("description", "event:<index>",
    # "photo:<name>") -> reason (a catalogue code or the moderator's words). Staff still see it.
    hidden: dict[str, str] = field(default_factory=dict)
    # Co-handling (协办): departments that see the case and add notes; the lead (主办, `department`)
    # signs off and replies.
    assisting: tuple[str, ...] = ()
    # Where the citizen said it is, in their words (an unplaced case's only place; public redacted).
    address: str = ""
    # The position the reporter's device gave, if any (staff see it; an unplaced case's is published
    # rounded to about 100 m, as Open311 answers give a position).
    point: Point | None = None
    # Answers to the category's extra questions (attribute code -> values), as given when filed.
    answers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The client application that filed it (an Open311 key's name); "" for the platform's own doors.
    client: str = ""
    # Optimistic lock: the version this copy was read at (None: never stored).
    version: int | None = None

    @classmethod
    def submit(cls, *, at: datetime, by: str = "", source: dict[str, Any] | None = None, **fields: Any) -> Ticket:
        """A new case as the citizen reported it. `by`: the staff account that took it down (a
        hotline operator, an admin's import); `source`: where an imported case came from (the
        source's own id and when it received it), kept for staff, never published."""
        ticket = cls(created_at=at, **fields)
        ticket._record("submitted", at, "citizen", data=source)
        ticket.sign(0, by)
        return ticket

    # --- screening -----------------------------------------------------------------
    def screen(self, at: datetime) -> None:
        self._require("screen")
        self.status = Status.SCREENED
        self._record("screened", at, "system")

    def invalidate(self, reason: str, at: datetime) -> None:
        self._require("screen")
        self.status, self.reason = Status.INVALID, reason
        self._clear_task()
        self._record("invalidated", at, "system", reason)

    def merge_into(self, original: Ticket, at: datetime) -> None:
        self._require("screen")
        self.status, self.merged_into = Status.MERGED, original.number
        self.reason = "merged"
        self._record("merged", at, "system", "", {"into": original.number})

    def reject(self, reason: str, actor: str, at: datetime) -> None:
        """Not accepted (不予受理) by a dispatcher, with a reason code the citizen reads worded."""
        self._require("reject")
        if reason not in STAFF_REJECT_REASONS:
            raise InvalidInput(f"reason: one of {', '.join(STAFF_REJECT_REASONS)}", field="reason", problem="choice")
        self.status, self.reason = Status.INVALID, reason
        self._record("invalidated", at, actor, reason)

    def merge_by_hand(self, original: Ticket, actor: str, at: datetime) -> None:
        """Staff found this case duplicates an open one: it is handled as part of that case (its
        citizen becomes a supporter of it) and leaves its department's queue."""
        self._require("merge")
        if original.number == self.number:
            raise InvalidInput(f"ticket {self.number} cannot be merged into itself", field="into")
        if original.status not in ALLOWED_FROM["merge"] or original.merged_into:
            raise InvalidTransition(f"ticket {original.number} is {original.status.value}: "
                                    "only an open case can take a duplicate", "merge_target", original.status.value)
        self.status, self.merged_into, self.reason = Status.MERGED, original.number, "merged"
        self.department = self.accept_due = self.reply_due = None
        self.extension_requested, self.assisting = False, ()
        self._record("merged", at, actor, "", {"into": original.number})

    def split(self, actor: str, at: datetime) -> str:
        """A wrong merge undone: the case is its own again, back to screened (dispatched by the
        rules or by a dispatcher). Answers the case it leaves."""
        self._require("split")
        original = self.merged_into or ""
        self.status, self.merged_into, self.reason = Status.SCREENED, None, None
        self._record("split", at, actor, "", {"from": original})
        return original

    def drop_supporter(self, duplicate_number: str, actor: str, at: datetime) -> bool:
        """A supporter split off again; False if it was not one (or left already)."""
        supported = [e for e in self.events if e.data.get("from") == duplicate_number and e.kind == "supported"]
        left = [e for e in self.events if e.kind == "split" and e.data.get("leaves") == duplicate_number]
        if len(supported) <= len(left):
            return False
        self.supporters = max(self.supporters - 1, 0)
        self._record("split", at, actor, "", {"leaves": duplicate_number})
        return True

    def add_supporter(self, duplicate_number: str, at: datetime) -> bool:
        """A "me too" merged into this case; answers False if that duplicate was counted already."""
        supported = sum(e.kind == "supported" and e.data.get("from") == duplicate_number for e in self.events)
        left = sum(e.kind == "split" and e.data.get("leaves") == duplicate_number for e in self.events)
        if supported > left:
            return False
        self.supporters += 1
        self._record("supported", at, "citizen", data={"from": duplicate_number})
        return True

    # --- the citizen's additions and photos ------------------------------------------
    def add_information(self, text: str, photos: tuple[str, ...], at: datetime) -> bool:
        """More from the citizen (tracking link) while the case is open; False if this very
        addition is already on the timeline (a resent request)."""
        self._require("add")
        if any(e.kind == "added" and e.note == text and e.data.get("photos") == list(photos)
               for e in self.events[-3:]):
            return False
        self._attach(photos, "citizen", at, PhotoState.PENDING)
        self._record("added", at, "citizen", text, {"photos": list(photos)})
        return True

    def review_photo(self, name: str, public: bool, actor: str, at: datetime, department: str | None = None) -> bool:
        """A dispatcher (department None) or the handling department decides whether a citizen's
        photo may be published (faces, number plates, documents may not). False if unchanged."""
        self._require("review_photo", department)
        for index, photo in enumerate(self.photos):
            if photo.name == name and photo.by == "citizen":
                state = PhotoState.PUBLIC if public else PhotoState.REFUSED
                if photo.state is state:
                    return False
                self.photos[index] = Photo(photo.name, photo.by, photo.at, state)
                self._record("photo_reviewed", at, actor, "", {"photo": name, "public": public})
                return True
        raise NotFound(f"ticket {self.number} has no citizen photo '{name}'", field="photo")

    def add_note(self, text: str, department: str, at: datetime) -> None:
        """An internal note by staff (never public), in any state."""
        self._record("noted", at, department, text)

    # --- moderation --------------------------------------------------------------------
    def hide(self, target: str, reason: str, actor: str, at: datetime) -> bool:
        """A moderator withdraws a citizen's text or a photo from the public, saying why; the
        timeline records it. False if the target is hidden already (the first reason stands)."""
        reason = reason.strip()
        if not reason:
            raise Unhideable("reason: say why it is hidden", "reason", field="reason")
        self._check_hideable(target)
        if target in self.hidden:
            return False
        self.hidden[target] = reason
        self._record("hidden", at, actor, "", {"target": target, "reason": reason})
        return True

    def _check_hideable(self, target: str) -> None:
        kind, _, name = target.partition(":")
        if target == "description":
            return
        if kind == "event" and name.isdigit():
            index = int(name)
            if index < len(self.events) and self.events[index].kind in CITIZEN_TEXT_EVENTS \
                    and self.events[index].note and self.events[index].actor != "system":
                return
            raise Unhideable(f"target: event {index} of ticket {self.number} holds no citizen text", "event")
        if kind == "photo" and name:
            if any(p.name == name for p in self.photos):
                return
            raise Unhideable(f"target: ticket {self.number} has no photo '{name}'", "photo")
        raise Unhideable(f"target: '{target}' is none of description, event:<index>, photo:<name>", "target")

    def _attach(self, names: tuple[str, ...], by: str, at: datetime, state: PhotoState) -> None:
        known = {p.name for p in self.photos}
        self.photos.extend(Photo(name, by, at, state) for name in names if name not in known)

    # --- dispatch, sign-off, return ------------------------------------------------
    def dispatch(self, department: str, accept_due: datetime, reply_due: datetime, at: datetime,
                 actor: str = "system") -> None:
        self._require("dispatch")
        self.status = Status.DISPATCHED
        self.department, self.dispatched_at = department, at
        self.accept_due, self.reply_due = accept_due, reply_due
        self.escalation_level, self.overdue, self.extension_requested = 0, False, False
        self._record("dispatched", at, actor, data={"department": department})

    def redispatch(self, department: str, accept_due: datetime, reply_due: datetime, at: datetime,
                   actor: str) -> None:
        """Before the reply, the case goes to another department with fresh deadlines (a wrong
        dispatch, or a reopened case its old department failed)."""
        self._require("redispatch")
        if department == self.department:
            raise InvalidInput(f"ticket {self.number} is with department '{department}' already",
                               field="department")
        previous = self.department
        self.status = Status.DISPATCHED  # `dispatch` would refuse: the case is not waiting for triage
        self.department, self.dispatched_at = department, at
        self.accept_due, self.reply_due = accept_due, reply_due
        self.escalation_level, self.overdue, self.extension_requested = 0, False, False
        self.assisting = tuple(code for code in self.assisting if code != department)
        self._record("dispatched", at, actor, data={"department": department, "from": previous})

    def add_assisting(self, department: str, actor: str, at: datetime) -> bool:
        """Co-handling: `department` assists (协办); False if it does already."""
        self._require("assist")
        if department == self.department:
            raise InvalidInput(f"department '{department}' leads ticket {self.number}: it cannot also assist",
                               field="department")
        if department in self.assisting:
            return False
        self.assisting = (*self.assisting, department)
        self._record("assisting", at, actor, data={"department": department})
        return True

    def involves(self, department: str) -> bool:
        """The lead department or an assisting one."""
        return department == self.department or department in self.assisting

    def accept(self, department: str, at: datetime, note: str = "") -> None:
        self._require("accept", department)
        self.status = Status.ACCEPTED
        self._record("accepted", at, department, note)

    def give_back(self, department: str, reason: str, window_end: datetime, at: datetime) -> None:
        """Return (退单): not ours. Back to the dispatcher; the citizen need not resubmit."""
        self._require("return", department)
        if at > window_end:
            raise InvalidTransition(f"ticket {self.number} can no longer be returned: the window ended",
                                    "window_ended")
        self.status, self.department = Status.RETURNED, None
        self.accept_due = self.reply_due = None
        self.extension_requested = False
        self._record("returned", at, department, reason, {"department": department})

    # --- extension -----------------------------------------------------------------
    def ask_extension(self, department: str, reason: str, days: int, limit: int, at: datetime) -> None:
        self._require("extend", department)
        if self.extension_requested:
            raise InvalidTransition(f"ticket {self.number} has an extension request waiting already",
                                    "extension_waiting")
        if self.extensions >= limit:
            raise InvalidTransition(f"ticket {self.number} has had its {limit} extension(s) already",
                                    "extension_limit")
        self.extension_requested, self.extension_days = True, days
        self._record("extension_requested", at, department, reason, {"days": days})

    def decide_extension(self, approve: bool, new_due: datetime | None, supervisor: str, note: str,
                         at: datetime) -> None:
        self._require("extend")
        if not self.extension_requested:
            raise InvalidTransition(f"ticket {self.number} has no extension request to decide", "no_extension")
        self.extension_requested = False
        if approve and new_due is not None:
            self.extensions += 1
            self.reply_due, self.overdue = new_due, False
            self._record("extension_approved", at, supervisor, note, {"reply_due": new_due.isoformat()})
        else:
            self._record("extension_refused", at, supervisor, note)

    # --- escalation ----------------------------------------------------------------
    def escalate(self, stage: str, at: datetime, key: str | None = None) -> int | None:
        """One level up (督办); level 3 marks the case publicly overdue. Returns the new level, or
        None if the escalation `key` names (one workflow step's) is on the timeline already: a
        step delivered twice escalates once."""
        if key is not None and any(e.kind == "escalated" and e.data.get("key") == key for e in self.events):
            return None
        self.escalation_level = min(self.escalation_level + 1, 3)
        if self.escalation_level >= 3:
            self.overdue = True
        data: dict[str, Any] = {"level": self.escalation_level, "stage": stage}
        if key is not None:
            data["key"] = key
        self._record("escalated", at, "system", "", data)
        return self.escalation_level

    # --- reply, survey, verdict ----------------------------------------------------
    def answer(self, department: str, text: str, outcome: Outcome, at: datetime,
               photos: tuple[str, ...] = ()) -> None:
        """The department's reply; its photos are the department's own and public at once."""
        self._require("reply", department)
        self.status = Status.REPLIED
        self.reply, self.outcome = text, outcome
        self.rating, self.rating_comment = None, ""
        self._attach(photos, department, at, PhotoState.PUBLIC)
        self._record("replied", at, department, text, {"outcome": outcome.value, "photos": list(photos)})

    def open_survey(self, digest: str, expires: datetime, at: datetime) -> None:
        self.survey_digest, self.survey_expires = digest, expires
        self._record("survey_sent", at, "system")

    def call_back(self, at: datetime) -> None:
        self._clear_task()
        self._record("callback_due", at, "system")

    @property
    def survey_phase(self) -> str | None:
        """Where a replied case stands in its survey: "opening" (no rating link sent yet), "rating"
        (waiting for the citizen), "callback" (waiting for staff to phone); None unless replied."""
        if self.status is not Status.REPLIED:
            return None
        kinds = {e.kind for e in self.events_since("replied")}
        return "callback" if "callback_due" in kinds else "rating" if "survey_sent" in kinds else "opening"

    def events_since(self, kind: str) -> list[Event]:
        """The events after the last one of `kind` (all of them if there is none)."""
        for index in range(len(self.events) - 1, -1, -1):
            if self.events[index].kind == kind:
                return self.events[index + 1:]
        return list(self.events)

    def distinct_events(self) -> list[tuple[int, Event]]:
        """The timeline once each, with each event's index: an exact repeat of an earlier event
        (same kind, time, actor, note and detail) is left out."""
        seen: set[str] = set()
        found = []
        for index, event in enumerate(self.events):
            fingerprint = repr((event.kind, event.at.isoformat(), event.actor, event.note,
                                sorted(event.data.items(), key=lambda item: item[0])))
            if fingerprint not in seen:
                seen.add(fingerprint)
                found.append((index, event))
        return found

    def last_event(self, kind: str) -> Event | None:
        return next((e for e in reversed(self.events) if e.kind == kind), None)

    def record_callback(self, rating: Rating, comment: str, staff: str, max_rounds: int, at: datetime) -> None:
        """Staff record what the citizen said on the phone: only once the callback is due."""
        self._require("rate")
        if self.survey_phase != "callback":
            raise InvalidTransition(f"ticket {self.number} is not waiting for a phone callback: "
                                    "the citizen's own rating is still open", "not_callback")
        self.rate(rating, comment, staff, max_rounds, at)

    def rate(self, rating: Rating, comment: str, actor: str, max_rounds: int, at: datetime) -> None:
        """The citizen's verdict: unsatisfied reopens the case while rounds remain, else it closes."""
        self._require("rate")
        self.rating, self.rating_comment = rating, comment
        self._record("rated", at, actor, comment, {"rating": rating.value, "round": self.round})
        if rating is Rating.UNSATISFIED and self.round < max_rounds:
            self.round += 1
            self.status = Status.REOPENED
            self.reply = self.outcome = None
            self.accept_due = self.reply_due = None
            self.survey_digest = self.survey_expires = None
            self._record("reopened", at, "system", data={"round": self.round})
        else:
            self.status = Status.CLOSED
            self._record("closed", at, "system", data={"rating": rating.value})

    # --- workflow hand-off -------------------------------------------------------
    def stage_passed(self, stage: str) -> bool:
        """Has the waiting step `stage` (triage, accept, reply, survey, callback) been done?"""
        return self.status not in WAITING_IN[stage]

    def wait_for(self, stage: str, token: str, catches: bool = False) -> None:
        self.task_token, self.task_stage, self.task_catches = token, stage, catches

    def forget_wait(self) -> None:
        """The workflow stopped waiting (its step timed out): the stored token is stale."""
        self._clear_task()

    def take_token(self, *stages: str) -> Wait | None:
        """The waiting step, if it is one of `stages` and the workflow handed it over."""
        if self.task_stage not in stages or self.task_token is None:
            return None
        wait = Wait(self.task_token, self.task_stage, self.task_catches)
        self._clear_task()
        return wait

    def sign(self, since: int, by: str) -> None:
        """Name the staff account behind the events recorded from index `since` on."""
        if by:
            self.events[since:] = [replace(e, by=by) for e in self.events[since:]]

    # --- helpers -----------------------------------------------------------------
    @property
    def placed(self) -> bool:
        """At one of the catalogue's locations (else reported by an address or a point only)."""
        return self.location is not None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def queue(self) -> str | None:
        """Whose inbox lists the case: its department, the dispatchers' triage, or nobody's."""
        if self.department:
            return self.department
        return TRIAGE_QUEUE if self.status in WAITING_IN["triage"] else None

    @property
    def needs_attention(self) -> bool:
        """On the supervisors' watch list: escalated or waiting for an extension decision while
        open, handled a second time (reopened: the supervisor may send it elsewhere), or waiting
        for a phone callback."""
        if self.status in _WATCHED:
            return bool(self.escalation_level or self.extension_requested) or self.round > 1
        return self.status is Status.REPLIED and self.task_stage == "callback"

    def _require(self, action: str, department: str | None = None) -> None:
        # Another department learns nothing about the case's state: 403 before 409. A department
        # the case has just left (a return won the race with its sign-off) hears that it moved on.
        if department is not None and department != self.department and not self._was_with(department):
            raise NotYourTicket(f"ticket {self.number} is not assigned to department '{department}'")
        if department is not None and department != self.department:
            raise InvalidTransition(f"ticket {self.number} is no longer with department '{department}': "
                                    "it has moved on; reload it", "moved_on", self.status.value)
        if self.status not in ALLOWED_FROM[action]:
            raise InvalidTransition(f"cannot {action} ticket {self.number}: it is {self.status.value}", "state",
                                    self.status.value)

    def _was_with(self, department: str) -> bool:
        return any(e.kind == "dispatched" and e.data.get("department") == department for e in self.events)

    def _clear_task(self) -> None:
        self.task_token = self.task_stage = None
        self.task_catches = False

    def _record(self, kind: str, at: datetime, actor: str, note: str = "", data: dict[str, Any] | None = None) -> None:
        self.events.append(Event(kind=kind, at=at, actor=actor, note=note, data=data or {}))
