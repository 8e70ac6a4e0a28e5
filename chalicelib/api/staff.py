"""Who is acting: the single seam that staff sign-in (Cognito) replaces.

Until sign-in exists, the "dev-header" mode trusts the X-Staff-Department header. It is
named so nobody mistakes it for security; production configuration must switch it off.
"""
from __future__ import annotations

from dataclasses import dataclass

from chalice.app import Request

from ..config import Settings
from .errors import Unauthenticated

DEV_HEADER = "x-staff-department"


@dataclass(frozen=True)
class Staff:
    department: str


def current_staff(request: Request, config: Settings) -> Staff:
    if config.staff_auth == "dev-header":
        department = (request.headers.get(DEV_HEADER) or "").strip()
        if department:
            return Staff(department=department)
        raise Unauthenticated("staff identity missing: send the X-Staff-Department header")
    raise Unauthenticated(f"staff sign-in mode '{config.staff_auth}' is not available")
