"""Commands (imperative) with their input rules; pydantic checks what comes from outside."""
from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints, ValidationError, field_validator
from pydantic_core import ErrorDetails

from ..domain.errors import InvalidInput
from ..domain.model import Channel, Kind, Outcome, Rating, Status
from ..i18n import DEFAULT as DEFAULT_LOCALE
from ..i18n import LOCALES

MAX_DESCRIPTION = 2000
MAX_REPLY = 2000  # as long as a description: a case page with both at their longest stays under 30 KB
_MOBILE = re.compile(r"^1[3-9]\d{9}$")

Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
# A yes or no is JSON's true or false; "yes", "off" or 1 are refused rather than read as one (the
# no-JS forms turn their checkboxes into booleans before this: api/forms.py).
Flag = StrictBool
Locale = Literal[LOCALES]  # type: ignore[valid-type]


class Command(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    @classmethod
    def parse(cls, data: object) -> Command:
        """Validate outside input; the first problem becomes an InvalidInput naming the field."""
        if not isinstance(data, dict):
            raise InvalidInput("request body must be a JSON object", field="body")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            error = exc.errors()[0]
            name = ".".join(str(p) for p in error["loc"]) or "body"
            problem, limit = _problem(error)
            raise InvalidInput(f"{name}: {_reason(error)}", field=name, problem=problem, limit=limit) from None


# How a value failed, named for the reader's wording (api/errors.py), with the limit it broke.
_PROBLEMS = {"missing": ("required", None), "string_too_short": ("empty", None),
             "string_too_long": ("too_long", "max_length"), "greater_than_equal": ("too_small", "ge"),
             "less_than_equal": ("too_big", "le"), "too_long": ("too_many", "max_length"),
             "int_parsing": ("not_number", None), "int_type": ("not_number", None),
             "bool_type": ("not_bool", None), "bool_parsing": ("not_bool", None), "enum": ("choice", None),
             "literal_error": ("choice", None), "string_pattern_mismatch": ("format", None),
             "string_type": ("format", None)}


def _problem(error: ErrorDetails) -> tuple[str, object]:
    problem, limit = _PROBLEMS.get(error["type"], ("invalid", None))
    return problem, (error.get("ctx") or {}).get(limit) if limit else None


def _reason(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind == "missing":
        return "is required"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "string_too_long":
        return f"must be at most {error['ctx']['max_length']} characters"
    if kind == "greater_than_equal":
        return f"must be at least {error['ctx']['ge']} (got {error.get('input')})"
    if kind == "less_than_equal":
        return f"must be at most {error['ctx']['le']} (got {error.get('input')})"
    if kind == "too_long":
        return f"must have at most {error['ctx']['max_length']} items"
    if kind in ("int_parsing", "int_type", "bool_type", "bool_parsing"):
        return "must be " + ("a whole number" if kind.startswith("int") else "true or false")
    if kind == "enum":
        return f"must be one of {error['ctx']['expected']}"
    if kind == "string_type":
        return "must be a string"
    return str(error["msg"]).removeprefix("Value error, ")


# An upload's id as the upload form gave it (photos are uploaded before the case is filed).
UploadId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
MAX_PHOTOS = 4
Photos = Annotated[tuple[UploadId, ...], Field(max_length=MAX_PHOTOS)]


MAX_ADDRESS = 200
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)]


class SubmitTicket(Command):
    """A new case. Its place is one of our locations (`location`), or else an address in the
    reporter's words and/or a point (`lat` and `lon`): a point within the policy's distance of a
    location files the case there; otherwise the case is unplaced and goes to the dispatchers."""

    location: Code | None = None
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_ADDRESS)] = ""
    lat: Latitude | None = None
    lon: Longitude | None = None
    category: Code
    # Answers to the category's extra questions: attribute code -> values (checked on submit).
    attributes: Annotated[dict[Code, Annotated[list[Annotated[str, StringConstraints(max_length=2000)]],
                                                Field(max_length=20)]], Field(max_length=20)] = {}
    kind: Kind
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_DESCRIPTION)]
    phone: str | None = None
    channel: Channel = Channel.QR
    idempotency_key: Annotated[str, StringConstraints(max_length=128)] | None = None
    photos: Photos = ()
    confidential: Flag = False  # 保密: publish number, category, status, department and dates only
    locale: Locale = DEFAULT_LOCALE

    @field_validator("phone", mode="before")
    @classmethod
    def _mobile(cls, value: object) -> str | None:
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise ValueError("must be a string")
        digits = re.sub(r"[\s-]", "", value).removeprefix("+86")
        if not _MOBILE.match(digits):
            raise ValueError("must be a mainland mobile number of 11 digits, like 13800138000")
        return digits


class HotlineCall(SubmitTicket):
    """A phoned-in case as the operator takes it down: the caller's phone is the contact (the SMS
    receipt goes to it). `address` is the place as the caller said it, for when no place of the
    catalogue fits (`location` left empty)."""

    location: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] = ""


class ImportFile(Command):
    """An export of another channel (services/imports.py: the columns), as the file's text."""

    text: Annotated[str, StringConstraints(min_length=1)]


class NewUpload(Command):
    content_type: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, max_length=100)]
    size: Annotated[int, Field(ge=1)]


class AddInformation(Command):
    """More from the citizen through the tracking link: text, photos, or both."""

    text: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_DESCRIPTION)] = ""
    photos: Photos = ()
    secret: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class ReviewPhoto(Command):
    public: Flag


class StaffAction(Command):
    """An action taken on the case as the member of staff saw it: `seen_status` is the status their
    page showed. If the case has moved on since (a colleague acted first), the action is refused
    with 409 rather than applied to a case they have not seen."""

    seen_status: Status | None = None


class AcceptTicket(StaffAction):
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_DESCRIPTION)] = ""


Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_DESCRIPTION)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_DESCRIPTION)]


class AddNote(Command):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_REPLY)]


class ReturnTicket(StaffAction):
    reason: Reason


class AskExtension(StaffAction):
    reason: Reason
    days: Annotated[int, Field(ge=1, le=30)] | None = None


class DecideExtension(StaffAction):
    approve: Flag
    days: Annotated[int, Field(ge=1, le=30)] | None = None
    note: Note = ""


class DispatchTicket(StaffAction):
    department: Code


class RedirectTicket(StaffAction):
    """Send a dispatched (or signed-off) case to another department, with fresh deadlines."""

    department: Code


class AssistTicket(StaffAction):
    """Add an assisting department (协办)."""

    department: Code


class MergeTicket(StaffAction):
    """Handle this case as part of the open case `into` (its public number)."""

    into: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{8}-\d{4,}$")]


MAX_TEMPLATES = 10  # per department and category: a short pick list, not a library


class SetTemplates(Command):
    """A department's reply templates for one category (an empty list removes them)."""

    texts: Annotated[tuple[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                            max_length=MAX_REPLY)], ...],
                     Field(max_length=MAX_TEMPLATES)] = ()


class RejectTicket(StaffAction):
    """Not accepted (不予受理), with a reason code (domain/model.py: STAFF_REJECT_REASONS)."""

    reason: Code


class SplitTicket(StaffAction):
    """Undo a wrong merge: the case is handled on its own again."""


class RateTicket(Command):
    rating: Rating
    comment: Note = ""
    secret: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None


class ReplyTicket(StaffAction):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_REPLY)]
    outcome: Outcome = Outcome.RESOLVED
    photos: Photos = ()


class HideContent(Command):
    """A moderator hides a citizen's text or a photo from the public. Both fields may arrive empty:
    the domain refuses them with a reason the console words in the staff's language."""

    target: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""


# --- the admin's changes to the catalogue and the staff accounts (services/admin.py) ---------------
# A code as stored and as it appears in page names (q/<code>.html): lower case, digits, dashes.
CATALOGUE_CODE = r"^[a-z0-9][a-z0-9-]{0,31}$"
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
OtherName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)]
Ref = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)]


class PutDistrict(Command):
    name: Name
    name_en: OtherName = ""


class PutDepartment(Command):
    """A department; its duty phones and answerable title are kept as they are when not sent."""

    name: Name
    name_en: OtherName = ""
    parent: Ref = ""  # none: a city-level department
    phone: str | None = None
    head_phone: str | None = None
    responsible: OtherName | None = None

    @field_validator("phone", "head_phone", mode="before")
    @classmethod
    def _mobile(cls, value: object) -> str | None:
        if value is None or value == "":
            return None if value is None else ""
        if not isinstance(value, str) or not _MOBILE.match(re.sub(r"[\s-]", "", value)):
            raise ValueError("must be a mainland mobile number of 11 digits, like 13800138000")
        return re.sub(r"[\s-]", "", value)


class PutCategory(Command):
    name: Name
    name_en: OtherName = ""
    tier: Ref
    triage: Flag = False
    hidden: Flag = False


class PutLocation(Command):
    name: Name
    name_en: OtherName = ""
    district: Ref
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)] = ""
    overrides: Annotated[dict[Ref, Ref], Field(max_length=50)] | None = None  # None: kept as they are
    hidden: Flag = False
    lat: Latitude | None = None  # WGS 84 degrees; both or neither
    lon: Longitude | None = None


class PutRule(Command):
    department: Ref


class IssueKey(Command):
    """An Open311 key for a client application, named as its cases will show it."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]


class NewAccount(Command):
    username: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{2,31}$")]
    name: Name
    role: Ref
    department: Ref

    @field_validator("username", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        """User names are compared as typed at sign-in: one spelling, lower case."""
        return value.strip().lower() if isinstance(value, str) else value


class ChangeAccount(Command):
    role: Ref
    department: Ref
    enabled: Flag = True
