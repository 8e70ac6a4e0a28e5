"""The citizen's path without JavaScript: the intake page's plain HTML form posts here and the
browser follows a 303 to the receipt, which says what became of the case. The data travels in
the body, never in a URL; the tracking secret travels in a short-lived cookie for the receipt
only, so no URL and no server log ever holds it."""
from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from chalice import Blueprint, Response

from .. import bootstrap
from ..domain import errors
from ..domain.ids import secret_matches
from ..i18n import Messages, request_locale
from ..services.commands import MAX_PHOTOS, SubmitTicket
from ..services.publish import page_url, receipt_page, site_page
from .citizen import citizen_filing
from .errors import MAX_BODY_BYTES, TooManyRequests, status_of
from .limits import check

forms = Blueprint(__name__)
FORM = "application/x-www-form-urlencoded"
RECEIPT_COOKIE = "mashang_receipt"
RECEIPT_SECONDS = 24 * 3600
# Pages the API renders itself: their own inline styles and the case's inline QR, nothing else;
# a form on them (the lookup on the "no such case" page) goes back to the API only.
HTML_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
               "frame-ancestors 'none'; base-uri 'none'")
# Which message a refused form field is explained with.
FIELD_MESSAGES = {"category": "form.error.category", "kind": "form.error.kind",
                  "description": "form.error.description", "phone": "form.error.phone",
                  "location": "form.error.location", "photos": "form.error.photos",
                  "photos.format": "form.error.photo_format", "photos.count": "form.error.too_many_photos",
                  "confidential": "form.error.confidential"}
# What a checkbox may send: checked (the page's value is 1), or nothing. Any other value is refused
# by the command rather than read as "publish" (the choice keeps the case off the public pages).
CHECKED, UNCHECKED = ("1", "on", "true"), (None, "", "0", "off", "false")


def html(body: str, status: int = 200, **headers: str) -> Response:
    return Response(body=body, status_code=status, headers={
        "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": HTML_POLICY, **headers})


def _locale(values: dict[str, list[str]] | None = None) -> str:
    """The language asked for: the form's own field, the receipt's ?lang=, else the browser's."""
    request = forms.current_request
    if values is None and request.method == "POST":
        try:
            values = parse_qs((request.raw_body or b"")[:MAX_BODY_BYTES].decode("utf-8"), max_num_fields=64)
        except (UnicodeDecodeError, ValueError):
            values = {}
    return request_locale(request, (values or {}).get("locale", [""])[0])


def html_errors(view: Callable[..., Response]) -> Callable[..., Response]:
    """A refused form or an unknown case becomes a page that says what is wrong, in the citizen's
    language, with the status code an API client would get."""
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return view(*args, **kwargs)
        except errors.DomainError as exc:
            deps = bootstrap.deps()
            t = Messages(_locale())
            status = status_of(exc)
            headers = {}
            if isinstance(exc, TooManyRequests):
                message = t("limit.too_many", seconds=exc.retry_after)
                headers["Retry-After"] = str(exc.retry_after)
            elif isinstance(exc, errors.NotFound) and exc.field == "number":
                asked = kwargs.get("number") or (forms.current_request.query_params or {}).get("number", "")
                message = t("form.error.unknown_case", number=asked[:40])
                # Not a refused form: a number not found, with the lookup form to try again.
                return html(site_page(deps, t, "site/problem.html", "index.html", message=message,
                                      title=t("lookup.not_found_title"), lookup=True), status)
            else:
                field = exc.field or ""
                message = t(FIELD_MESSAGES.get(field)
                            or ("form.error.photos" if field.startswith("photos.") else "form.error.other"))
            back = f"{deps.settings.site_url}/{t.prefix}"
            return html(site_page(deps, t, "site/problem.html", "index.html", message=message, back=back,
                                  title=t("form.error.title")), status, **headers)
    return wrapper


def _form() -> dict[str, list[str]]:
    raw = forms.current_request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise errors.InvalidInput("the form is too large", field="body")
    try:
        return parse_qs(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=64)
    except (UnicodeDecodeError, ValueError):
        raise errors.InvalidInput("the form is not valid UTF-8 form data", field="body") from None


def _checkbox(value: str | None) -> bool | str:
    return True if value in CHECKED else False if value in UNCHECKED else str(value)  # refused by the command


def _command(values: dict[str, list[str]]) -> SubmitTicket:
    def one(name: str) -> str | None:
        return values.get(name, [None])[0]

    data: dict[str, Any] = {name: one(name) for name in ("location", "category", "kind", "description", "phone")
                            if one(name) is not None}
    photos = [p for p in values.get("photos", []) if p]
    if len(photos) > MAX_PHOTOS:
        raise errors.InvalidInput(f"photos: at most {MAX_PHOTOS}", field="photos.count")
    data.update(channel=one("channel") or "qr", locale=_locale(values),
                confidential=_checkbox(one("confidential")), photos=photos)
    command = citizen_filing(SubmitTicket.parse(data))
    # Without the page script there is no per-form key: the form's own content is the key, so
    # sending the same form twice files one case (the hash never leaves the idempotency record).
    key = one("idempotency_key") or "form:" + hashlib.sha256(
        repr(sorted((k, v) for k, v in data.items() if k != "locale")).encode()).hexdigest()
    return command.model_copy(update={"idempotency_key": key[:128]})


@forms.route("/intake", methods=["POST"], content_types=[FORM])
@html_errors
def intake() -> Response:
    """The intake form, posted by the browser: file the case once, then see the receipt."""
    check("submit", forms.current_request)  # before anything is read or written
    command = _command(_form())
    receipt = bootstrap.submit_once(command, forms.lambda_context)
    deps = bootstrap.deps()
    number, tracking = str(receipt["number"]), str(receipt["tracking"])
    secret = tracking.split("#k=", 1)[1]
    api = urlsplit(deps.settings.api_url)  # behind API Gateway the path starts with the stage's
    secure = "; Secure" if api.scheme == "https" else ""
    cookie = (f"{RECEIPT_COOKIE}={quote(secret)}.{int(bool(receipt['sms']))}; "
              f"Path={api.path.rstrip('/')}/receipts/{number}; Max-Age={RECEIPT_SECONDS}; "
              f"HttpOnly; SameSite=Lax{secure}")
    where = f"{deps.settings.api_url}/receipts/{number}?lang={command.locale}"
    return Response(body="", status_code=303, headers={"Location": where, "Set-Cookie": cookie,
                                                       "Cache-Control": "no-store"})


def _cookie(name: str) -> str | None:
    for part in (forms.current_request.headers.get("cookie") or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


@forms.route("/receipts/{number}", methods=["GET"])
@html_errors
def receipt(number: str) -> Response:
    """What became of a case just filed; refreshes itself while the case is being checked. The
    tracking link is shown only to the browser that filed it (its receipt cookie)."""
    deps = bootstrap.deps()
    locale = _locale()
    secret, _, sms = unquote(_cookie(RECEIPT_COOKIE) or "").rpartition(".")
    try:
        ticket = deps.tickets.by_number(number, for_update=False)
    except errors.NotFound:
        if not secret:
            raise errors.NotFound(f"no case numbered {number}", field="number") from None
        t = Messages(locale)  # filed a moment ago, not yet readable by number: look again shortly
        return html(site_page(deps, t, "site/problem.html", "index.html", title=t("receipt.processing"),
                              message=t("receipt.processing_hint"), back=None, refresh=2))
    tracking, filed_here = None, bool(secret) and secret_matches(secret, ticket.secret_digest)
    if filed_here:
        tracking = f"{page_url(deps, number, locale)}#k={secret}"
    other = "en" if locale != "en" else "zh-CN"
    return html(receipt_page(ticket, deps, locale, tracking, (sms == "1") if filed_here else None,
                             alternate=f"{deps.settings.api_url}/receipts/{number}?lang={other}"))


def case_number(typed: str) -> str:
    """A number as people type it: full-width digits, spaces or no dash (a phone's number pad has
    none) all read as `YYYYMMDD-NNNN`."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", typed))
    return f"{digits[:8]}-{digits[8:]}" if len(digits) > 8 else typed.strip()


@forms.route("/lookup", methods=["GET"])
@html_errors
def lookup() -> Response:
    """The lookup form on the site (a plain GET form: `?number=`): to the case's page, or a page
    saying there is no such case."""
    deps = bootstrap.deps()
    query = forms.current_request.query_params or {}
    number = case_number(query.get("number") or "")
    locale = _locale()
    if not re.fullmatch(r"\d{8}-\d{1,6}", number):
        raise errors.NotFound(f"no case numbered {number}", field="number")
    try:
        deps.tickets.by_number(number, for_update=False)
    except errors.NotFound:
        raise errors.NotFound(f"no case numbered {number}", field="number") from None
    return Response(body="", status_code=303, headers={"Location": page_url(deps, number, locale)})
