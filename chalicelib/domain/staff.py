"""Staff: who acts in the console, with which role, for which department. The identity comes from
a verified sign-in token (adapters/tokens.py); what each role may do is decided here and in the
API, never in the page."""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .errors import RoleRequired


class Role(StrEnum):
    OPERATOR = "operator"  # hotline staff: files cases for callers
    DISPATCHER = "dispatcher"  # screens, routes, merges, records callbacks
    HANDLER = "handler"  # a department's staff: sign off, handle, reply, return
    SUPERVISOR = "supervisor"  # chases what is late, decides extensions, redirects reopened cases
    ADMIN = "admin"  # keeps the city's catalogue and the staff accounts


# The city centre's roles act on every case; a handler acts for one department.
CITY_WIDE = frozenset({Role.OPERATOR, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN})


@dataclass(frozen=True)
class Staff:
    """A signed-in member of staff. `department` is the handler's department (the centre's code
    for city-wide roles)."""

    username: str
    role: Role
    department: str

    def require(self, *roles: Role) -> Staff:
        if self.role not in roles:
            raise RoleRequired(f"this action needs the role {' or '.join(roles)}; you act as {self.role}",
                               tuple(roles), self.role.value)
        return self

    def acts_for(self, department: str | None) -> bool:
        """May act on a case handled by `department` (or assisting it)?"""
        return self.role in CITY_WIDE or (department is not None and department == self.department)

    def sees_contact(self, department: str | None) -> bool:
        """The citizen's contact: dispatchers, operators and supervisors, and the lead department."""
        if self.role in (Role.DISPATCHER, Role.OPERATOR, Role.SUPERVISOR):
            return True
        return self.role is Role.HANDLER and department == self.department

