"""Domain errors; the API maps them to HTTP codes in one table (api/errors.py)."""
from __future__ import annotations


class DomainError(Exception):
    """Base of every error the domain raises on purpose."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    """A field of a request is missing or malformed; `problem` names how ("required", "empty",
    "too_long", ...), so the API can word it in the reader's language (unless it is `worded` already)."""

    def __init__(self, message: str, field: str | None = None, problem: str | None = None,
                 limit: object = None, worded: bool = False) -> None:
        super().__init__(message, field)
        self.problem = problem
        self.limit = limit
        self.worded = worded  # the message is a sentence from the catalogue in the reader's language


class NotFound(DomainError):
    """A named thing (location, category, ticket, department) does not exist."""


class InvalidTransition(DomainError):
    """The action is not allowed in the ticket's current state; `why` names the rule ("state",
    "changed", "moved_on", "window_ended", ...) and `status` the state the case is in, so the API
    can word it in the reader's language."""

    def __init__(self, message: str, why: str = "state", status: str | None = None) -> None:
        super().__init__(message)
        self.why = why
        self.status = status


class NotYourTicket(DomainError):
    """The acting department is not the one the ticket is assigned to."""


class ConcurrentUpdate(DomainError):
    """Someone else changed the ticket first; reload and try again."""


class NoRoute(DomainError):
    """No routing rule names a department for this ticket."""


class Unauthenticated(DomainError):
    """No valid sign-in on the request: no token, or one that is expired, forged or for another app."""


class Forbidden(DomainError):
    """The actor may not do this (wrong role, wrong or expired secret)."""


class RoleRequired(Forbidden):
    """The signed-in role may not take this action: `roles` may."""

    def __init__(self, message: str, roles: tuple[str, ...], role: str) -> None:
        super().__init__(message, field="role")
        self.roles = roles
        self.role = role


class Unhideable(InvalidInput):
    """A moderator named something that cannot be hidden, or gave no reason; `code` says which
    ("reason", "target", "event", "photo") so the API can word it in the reader's language."""

    def __init__(self, message: str, code: str, field: str = "target") -> None:
        super().__init__(message, field=field)
        self.code = code
