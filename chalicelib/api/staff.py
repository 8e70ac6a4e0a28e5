"""Who is acting: the single seam that staff sign-in (Cognito) replaces.

Until sign-in exists, the "dev-header" mode trusts the X-Staff-Department and X-Staff-Role
headers. It is named so nobody mistakes it for security; the prod stage switches it off.
"""
from __future__ import annotations

from dataclasses import dataclass

from chalice.app import Request

from ..config import Settings
from ..domain.errors import Forbidden
from .errors import Unauthenticated

DEPARTMENT_HEADER = "x-staff-department"
ROLE_HEADER = "x-staff-role"
ROLES = ("handler", "dispatcher", "supervisor")


@dataclass(frozen=True)
class Staff:
    department: str
    role: str = "handler"

    def require(self, *roles: str) -> Staff:
        if self.role not in roles:
            raise Forbidden(f"this action needs the role {' or '.join(roles)}; you act as {self.role}")
        return self


def current_staff(request: Request, config: Settings) -> Staff:
    if config.staff_auth == "dev-header":
        department = (request.headers.get(DEPARTMENT_HEADER) or "").strip()
        role = (request.headers.get(ROLE_HEADER) or "handler").strip()
        if not department:
            raise Unauthenticated("staff identity missing: send the X-Staff-Department header")
        if role not in ROLES:
            raise Unauthenticated(f"unknown staff role '{role}': one of {', '.join(ROLES)}")
        return Staff(department=department, role=role)
    raise Unauthenticated(f"staff sign-in mode '{config.staff_auth}' is not available")
