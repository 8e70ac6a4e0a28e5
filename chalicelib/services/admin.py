"""The admin's changes to the city's catalogue and to the staff accounts.

Each change is checked against the catalogue as it is (a code that names nothing, a department
under itself, a rule to nowhere are refused with a message in the staff's language and nothing
written), written as one configuration record, and then what shows it is published again, and only
that: a location's intake page, poster, the home page and the console (the hotline's place search);
every intake page for a category; the console for a department. This API copy reads the change
back at once; other warm copies re-read the catalogue within a minute (services/context.py). Nothing
is deleted that a case may name: locations and categories are hidden from intake instead; only
routing rules are removed."""
from __future__ import annotations

import re
import secrets
import string
from dataclasses import asdict, dataclass, field
from typing import Any

from ..domain.catalog import (
    CATEGORIES,
    DEPARTMENTS,
    DISTRICTS,
    LOCATIONS,
    RULES,
    Catalog,
    Category,
    Department,
    District,
    Location,
    RoutingRule,
    record_key,
)
from ..domain.errors import InvalidInput, NotFound
from ..domain.staff import Role, Staff
from ..i18n import EN, Messages
from .commands import (
    CATALOGUE_CODE,
    ChangeAccount,
    NewAccount,
    PutCategory,
    PutDepartment,
    PutDistrict,
    PutLocation,
    PutRule,
)
from .context import Deps
from .ports import Account
from .posters import TYPES, publish_posters
from .publish import intake_url, publish_console, publish_home, publish_intake

_CODE = re.compile(CATALOGUE_CODE)
_PASSWORD_LETTERS = "abcdefghjkmnpqrstuvwxyz"  # no i, l, o: read aloud or copied by hand
_PASSWORD_DIGITS = "23456789"


@dataclass(frozen=True)
class Decision:
    """What a change did: the record as written (None once removed), whether it is new, and the
    site files published again because of it."""

    kind: str
    key: str
    record: dict[str, Any] | None
    created: bool
    published: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _refuse(key: str, field_name: str, **values: object) -> InvalidInput:
    return InvalidInput(Messages()(f"admin.error.{key}", **values), field=field_name, worded=True)


def _missing(key: str, field_name: str, code: str) -> NotFound:
    return NotFound(Messages()(f"admin.error.{key}", code=code), field=field_name)


def _code(code: str, field_name: str = "code") -> str:
    if not _CODE.match(code):
        raise _refuse("code", field_name, code=code)
    return code


def _names(name_en: str) -> dict[str, str]:
    return {EN: name_en} if name_en else {}


def _write(deps: Deps, kind: str, record: dict[str, Any]) -> Catalog:
    """Store one record and read the catalogue back (this copy of the API sees the change at once)."""
    deps.config.put(kind, record)
    deps.forget_catalog()
    return deps.catalog()


# --- the catalogue ------------------------------------------------------------------------------

def put_district(deps: Deps, code: str, cmd: PutDistrict) -> Decision:
    """A district's name shows on its locations' intake pages and posters and on the home page."""
    catalog = deps.catalog()
    _code(code)
    created = code not in catalog.districts
    record = asdict(District(code, cmd.name, _names(cmd.name_en)))
    catalog = _write(deps, DISTRICTS, record)
    here = {loc.code for loc in catalog.locations.values() if loc.district == code}
    published = publish_home(deps)
    if here:  # the hotline screen's place search names the district too
        published += publish_intake(deps, here) + publish_posters(deps, codes=here) + publish_console(deps)
    return Decision(DISTRICTS, code, record, created, published)


def put_department(deps: Deps, code: str, cmd: PutDepartment) -> Decision:
    """A department and where it sits (its parent); the console's dispatch list names it."""
    catalog = deps.catalog()
    _code(code)
    parent = cmd.parent or None
    if parent is not None:
        if parent not in catalog.departments:
            raise _missing("no_department", "parent", parent)
        if parent == code or code in catalog.ancestors(parent):
            raise _refuse("own_ancestor", "parent", code=code, parent=parent)
    old = catalog.departments.get(code)
    record = asdict(Department(
        code, cmd.name, parent,
        phone=cmd.phone if cmd.phone is not None else old.phone if old else "",
        head_phone=cmd.head_phone if cmd.head_phone is not None else old.head_phone if old else "",
        responsible=cmd.responsible if cmd.responsible is not None else old.responsible if old else "",
        names=_names(cmd.name_en)))
    _write(deps, DEPARTMENTS, record)
    return Decision(DEPARTMENTS, code, record, old is None, publish_console(deps))


def put_category(deps: Deps, code: str, cmd: PutCategory) -> Decision:
    """A category with its deadline tier (one of the policy's); a hidden one is no longer offered
    on intake pages, and its cases keep it. Every intake page lists the categories, and the
    console its reply templates' categories."""
    catalog = deps.catalog()
    _code(code)
    if cmd.tier not in catalog.policy.tiers:
        raise _refuse("tier", "tier", tier=cmd.tier, tiers="、".join(catalog.policy.tiers))
    old = catalog.categories.get(code)
    record = asdict(Category(code, cmd.name, cmd.tier, cmd.triage, cmd.hidden, _names(cmd.name_en),
                             old.attributes if old else ()))  # its extra questions stay as they are
    created = old is None
    _write(deps, CATEGORIES, record)
    return Decision(CATEGORIES, code, record, created, publish_intake(deps) + publish_console(deps))


def put_location(deps: Deps, code: str, cmd: PutLocation) -> Decision:
    """A place with a QR code: its intake page, its poster (and its district's sheet) and the home
    page are published again. A hidden location takes no new reports; its cases keep it."""
    catalog = deps.catalog()
    _code(code)
    if cmd.district not in catalog.districts:
        raise _missing("no_district", "district", cmd.district)
    old = catalog.locations.get(code)
    overrides = dict(cmd.overrides) if cmd.overrides is not None else dict(old.overrides) if old else {}
    for category, department in overrides.items():
        if category not in catalog.categories:
            raise _missing("no_category", "overrides", category)
        if department not in catalog.departments:
            raise _missing("no_department", "overrides", department)
    if (cmd.lat is None) != (cmd.lon is None):
        missing = "lat" if cmd.lat is None else "lon"
        raise InvalidInput(f"{missing}: a place's position needs both lat and lon", field=missing,
                           problem="required")
    record = asdict(Location(code, cmd.name, cmd.district, cmd.address, overrides, _names(cmd.name_en),
                             cmd.hidden, cmd.lat, cmd.lon))
    _write(deps, LOCATIONS, record)
    moved_from = {old.district} if old and old.district != cmd.district else set()
    published = (publish_intake(deps, {code}) + publish_home(deps)
                 + publish_posters(deps, codes={code}, districts=moved_from)
                 + publish_console(deps))  # the hotline screen's place search
    return Decision(LOCATIONS, code, record, old is None, published)


def _rule_parts(catalog: Catalog, district: str, category: str) -> None:
    if district not in catalog.districts:
        raise _missing("no_district", "district", district)
    if category not in catalog.categories:
        raise _missing("no_category", "category", category)


def put_rule(deps: Deps, district: str, category: str, cmd: PutRule) -> Decision:
    """Who handles a category in a district. Routing happens when a case is filed: no page shows
    a rule, so nothing is published."""
    catalog = deps.catalog()
    _rule_parts(catalog, district, category)
    if cmd.department not in catalog.departments:
        raise _missing("no_department", "department", cmd.department)
    record = asdict(RoutingRule(district, category, cmd.department))
    key = record_key(RULES, record)
    created = not any(rule.code == key for rule in catalog.rules)
    _write(deps, RULES, record)
    return Decision(RULES, key, record, created)


def remove_rule(deps: Deps, district: str, category: str) -> Decision:
    """Without a rule the district's cases of that category go to the dispatchers (as before
    rules existed): nothing a case names is lost."""
    catalog = deps.catalog()
    key = f"{district}.{category}"
    if not any(rule.code == key for rule in catalog.rules):
        raise _missing("no_rule", "rule", key)
    deps.config.remove(RULES, key)
    deps.forget_catalog()
    return Decision(RULES, key, None, False)


def catalogue(deps: Deps) -> dict[str, Any]:
    """Everything the admin screen lists, with what each item is used by (so the screen can say
    why hiding or re-parenting matters) and the deadline tiers to choose from."""
    catalog = deps.catalog()
    used: dict[str, int] = {}
    for location in catalog.locations.values():
        used[f"district:{location.district}"] = used.get(f"district:{location.district}", 0) + 1
    for rule in catalog.rules:
        for name in (f"district:{rule.district}", f"category:{rule.category}", f"department:{rule.department}"):
            used[name] = used.get(name, 0) + 1
    return {
        "districts": [{**asdict(d), "used": used.get(f"district:{d.code}", 0)} for d in catalog.districts.values()],
        "departments": [{**asdict(d), "used": used.get(f"department:{d.code}", 0)}
                        for d in catalog.departments.values()],
        "categories": [{**asdict(c), "used": used.get(f"category:{c.code}", 0)} for c in catalog.categories.values()],
        "locations": [{**asdict(loc), "intake": intake_url(deps, loc.code)} for loc in catalog.locations.values()],
        "rules": [{**asdict(r), "code": r.code} for r in catalog.rules],
        "tiers": catalog.policy.tiers,
        "roles": [role.value for role in Role],
    }


def poster(deps: Deps, code: str) -> dict[str, str]:
    """Where the location's poster files are (public, beside the site), written first: the files
    are then there whatever happened before (a location from a seed file without posters)."""
    catalog = deps.catalog()
    if code not in catalog.locations:
        raise _missing("no_location", "location", code)
    publish_posters(deps, codes={code})
    base = f"{deps.settings.site_url}/posters/{code}"
    return {kind: f"{base}.{kind}" for kind in TYPES} | {"intake": intake_url(deps, code)}


# --- staff accounts -----------------------------------------------------------------------------

def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise _refuse("role", "role", role=value, roles="、".join(Role)) from None


def _department(deps: Deps, code: str) -> str:
    if code not in deps.catalog().departments:
        raise _missing("no_department", "department", code)
    return code


def temporary_password() -> str:
    """A one-time password the person replaces at first sign-in: three groups of four, letters and
    digits (the pool's policy wants both), easy to read out."""
    alphabet = _PASSWORD_LETTERS + _PASSWORD_DIGITS
    while True:
        chars = [secrets.choice(alphabet) for _ in range(12)]
        if any(c in string.digits for c in chars) and any(c in string.ascii_lowercase for c in chars):
            return "-".join("".join(chars[i:i + 4]) for i in range(0, 12, 4))


def accounts(deps: Deps) -> list[dict[str, Any]]:
    return [asdict(account) for account in deps.staff.accounts()]


def create_account(deps: Deps, cmd: NewAccount) -> tuple[Account, str]:
    """A new account with a temporary password, answered once to the admin who made it (never
    stored or logged by us); the person chooses their own at first sign-in."""
    account = Account(cmd.username, _role(cmd.role).value, _department(deps, cmd.department), cmd.name, True)
    password = temporary_password()
    try:
        deps.staff.create(account, password, temporary=True)
    except InvalidInput as exc:
        if exc.field == "username":  # the name is taken: say which
            raise _refuse("username_taken", "username", code=cmd.username) from None
        raise
    return account, password


def change_account(deps: Deps, username: str, cmd: ChangeAccount, by: Staff) -> Account:
    """Give an account its role and department, disable or enable it. An admin cannot lock
    themselves out (disable their own account or give up the admin role)."""
    role = _role(cmd.role)
    department = _department(deps, cmd.department)
    if username == by.username and (not cmd.enabled or role is not Role.ADMIN):
        raise _refuse("own_account", "username")
    current = next((a for a in deps.staff.accounts() if a.username == username), None)
    if current is None:
        raise _missing("no_account", "username", username)
    if (current.role, current.department) != (role.value, department):
        deps.staff.assign(username, role.value, department)
    if current.enabled != cmd.enabled:
        deps.staff.enable(username, cmd.enabled)
    return Account(username, role.value, department, current.name, cmd.enabled)
