"""The city as data: districts, departments, categories, locations and routing rules."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .errors import InvalidInput, NotFound
from .geo import Point, nearest
from .policy import Policy


@dataclass(frozen=True)
class District:
    code: str
    name: str
    names: dict[str, str] = field(default_factory=dict)  # the name in other languages


@dataclass(frozen=True)
class Department:
    code: str
    name: str
    parent: str | None = None
    phone: str = ""  # the handler on duty: gets new cases and level-1 reminders
    head_phone: str = ""  # the department head: level-1 reminders
    responsible: str = ""  # the title answerable on the disclosure board (a role, never a name)
    names: dict[str, str] = field(default_factory=dict)  # the name in other languages


# The kinds of answer an extra question takes (Open311 GeoReport v2's attribute datatypes).
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
MAX_ANSWER = {"string": 200, "text": 2000}


@dataclass(frozen=True)
class Choice:
    key: str
    name: str


@dataclass(frozen=True)
class Attribute:
    """An extra question a category asks when a case is filed (e.g. which water problem)."""

    code: str
    description: str  # the question as the reporter reads it
    datatype: str = "string"  # one of DATATYPES
    required: bool = False
    datatype_description: str = ""  # how to answer, e.g. "like QH-0123"
    order: int = 1
    values: tuple[Choice, ...] = ()  # the choices of a list

    def __post_init__(self) -> None:
        if self.datatype not in DATATYPES:
            raise ValueError(f"attribute {self.code}: datatype must be one of {', '.join(DATATYPES)}")
        if self.datatype.endswith("valuelist") and not self.values:
            raise ValueError(f"attribute {self.code}: a list needs its values")

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Attribute:
        values = tuple(Choice(str(v["key"]), str(v["name"])) for v in data.get("values", ()))
        return cls(**{**data, "values": values})

    def answer(self, given: list[str], asked: bool = True) -> tuple[str, ...]:
        """The answer checked against the question: empty if not answered; InvalidInput naming
        `attribute[code]` if required and missing (where the question was `asked`), or not of the
        question's kind."""
        field_name = f"attribute[{self.code}]"
        given = [value.strip() for value in given if value.strip()]
        if not given:
            if self.required and asked:
                raise InvalidInput(f"{field_name} is required", field=field_name, problem="required")
            return ()
        if self.datatype != "multivaluelist" and len(given) > 1:
            raise InvalidInput(f"{field_name}: one value only", field=field_name, problem="too_many")
        keys = {choice.key for choice in self.values}
        for value in given:
            if self.datatype.endswith("valuelist") and value not in keys:
                raise InvalidInput(f"{field_name}: one of {', '.join(sorted(keys))}", field=field_name,
                                   problem="choice")
            if self.datatype == "number" and not _number(value):
                raise InvalidInput(f"{field_name} must be a number", field=field_name, problem="not_number")
            if self.datatype == "datetime" and not _datetime(value):
                raise InvalidInput(f"{field_name} must be an ISO 8601 date and time", field=field_name,
                                   problem="format")
            if len(value) > MAX_ANSWER.get(self.datatype, 200):
                raise InvalidInput(f"{field_name} is too long", field=field_name, problem="too_long",
                                   limit=MAX_ANSWER.get(self.datatype, 200))
        return tuple(given)


def _number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def _datetime(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    tier: str = "general"
    triage: bool = False  # always decided by a dispatcher (e.g. "other")
    hidden: bool = False  # no longer offered on intake pages (its cases keep it)
    names: dict[str, str] = field(default_factory=dict)  # the name in other languages
    attributes: tuple[Attribute, ...] = ()  # extra questions asked when a case is filed

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Category:
        return cls(**{**data, "attributes": tuple(Attribute.from_data(a) for a in data.get("attributes", ()))})

    def answers(self, given: dict[str, list[str]], asked: bool = True) -> dict[str, tuple[str, ...]]:
        """The answers to this category's questions, each checked (answers to questions it does not
        ask are left out). A required question binds only a filing that was `asked` it (an Open311
        client reads the definition; the intake page and the hotline screen do not ask yet)."""
        found = {a.code: a.answer(given.get(a.code, []), asked)
                 for a in sorted(self.attributes, key=lambda a: a.order)}
        return {code: value for code, value in found.items() if value}


@dataclass(frozen=True)
class Location:
    code: str
    name: str
    district: str
    address: str = ""
    # category code -> department code, winning over the district's rule
    overrides: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # the name in other languages
    hidden: bool = False  # takes no new reports and is off the home page (its cases keep it)
    lat: float | None = None  # WGS 84 degrees: where a report by position finds the place
    lon: float | None = None

    @property
    def point(self) -> Point | None:
        return Point(self.lat, self.lon) if self.lat is not None and self.lon is not None else None


def name_in(item: District | Department | Category | Location, locale: str) -> str:
    """The item's name in a language, the city's own name where none is given."""
    return item.names.get(locale.split("-")[0], item.name)


@dataclass(frozen=True)
class RoutingRule:
    district: str
    category: str
    department: str

    @property
    def code(self) -> str:
        """The rule's key: one rule per district and category."""
        return f"{self.district}.{self.category}"


# The kinds of configuration record, as stored (one record per item, keyed by `record_key`).
DISTRICTS, DEPARTMENTS, CATEGORIES, LOCATIONS, RULES, POLICY = (
    "districts", "departments", "categories", "locations", "rules", "policy")
RECORD_KINDS = (DISTRICTS, DEPARTMENTS, CATEGORIES, LOCATIONS, RULES, POLICY)


def record_key(kind: str, record: dict[str, Any]) -> str:
    """The key of a configuration record within its kind: its code, a rule's district.category."""
    if kind == RULES:
        return f"{record['district']}.{record['category']}"
    return str(record.get("code") or "city")


@dataclass(frozen=True)
class Catalog:
    districts: dict[str, District]
    departments: dict[str, Department]
    categories: dict[str, Category]
    locations: dict[str, Location]
    rules: tuple[RoutingRule, ...] = ()
    policy: Policy = field(default_factory=Policy)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Catalog:
        """Build from the plain data shape of the seed file and the config items."""
        policy = data.get("policy") or {}
        if isinstance(policy, list):  # stored as configuration records
            policy = policy[0] if policy else {}
        return cls(
            districts={d["code"]: District(**d) for d in data.get("districts", [])},
            departments={d["code"]: Department(**d) for d in data.get("departments", [])},
            categories={c["code"]: Category.from_data(c) for c in data.get("categories", [])},
            locations={loc["code"]: Location(**loc) for loc in data.get("locations", [])},
            rules=tuple(RoutingRule(**r) for r in data.get("rules", [])),
            policy=Policy.from_data(policy),
        )

    def location(self, code: str) -> Location:
        try:
            return self.locations[code]
        except KeyError:
            raise NotFound(f"unknown location '{code}'", field="location") from None

    def nearest_location(self, point: Point) -> Location | None:
        """The open location nearest to a reported point within the policy's distance, if any."""
        places = ((loc.code, where) for loc in self.locations.values()
                  if not loc.hidden and (where := loc.point) is not None)
        code = nearest(point, places, self.policy.nearest_location_m)
        return self.locations[code] if code else None

    def category(self, code: str) -> Category:
        try:
            return self.categories[code]
        except KeyError:
            raise NotFound(f"unknown category '{code}'", field="category") from None

    def department(self, code: str) -> Department:
        try:
            return self.departments[code]
        except KeyError:
            raise NotFound(f"unknown department '{code}'", field="department") from None

    def ancestors(self, code: str) -> list[str]:
        """The department's parents, nearest first (stops at a loop rather than follow it)."""
        found: list[str] = []
        parent = self.departments[code].parent if code in self.departments else None
        while parent and parent not in found and parent != code:
            found.append(parent)
            parent = self.departments[parent].parent if parent in self.departments else None
        return found

    def route(self, location_code: str | None, category_code: str) -> Department | None:
        """The department responsible: the location's override, else district x category.
        None means a dispatcher decides (no rule, a triage-only category, or a case reported by an
        address or a point that matched none of our locations: no rule knows its district)."""
        if location_code is None:
            return None
        location = self.location(location_code)
        if self.category(category_code).triage:
            return None
        override = location.overrides.get(category_code)
        if override:
            return self.department(override)
        for rule in self.rules:
            if rule.district == location.district and rule.category == category_code:
                return self.department(rule.department)
        return None
