"""Console search, CSV export and the live queue counts. Every route is signed in (the console's
authorizer); what a role may find is decided in services/search.py (a handler: its department
only), and a bad filter is a 400 naming the field in the reader's language (Chinese first)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Response

from .. import bootstrap
from ..domain.errors import InvalidInput
from ..domain.search import BadFilter, Filters, Known, page_size, parse_filters
from ..domain.staff import Staff
from ..i18n import Messages, request_locale
from ..services import search as service
from .console import SIGNED_IN
from .cors import EXPORT_CUT_HEADER
from .errors import json_errors
from .schema import query
from .staff import current_staff

search_routes = Blueprint(__name__)
# A filter's query parameter -> what it means (the OpenAPI description says the same).
FILTERS = {
    "number": "a case number, exactly (YYYYMMDD-NNNN)", "status": "a case status",
    "category": "a category code", "district": "a district code",
    "department": "a department code, or triage (cases waiting for the dispatchers)",
    "from": "filed on or after (YYYY-MM-DD)", "to": "filed on or before (YYYY-MM-DD)",
    "overdue": "1: only cases past their deadline", "q": "free text within the cases of the last 90 days",
    "cursor": "the cursor the previous page answered", "limit": "cases per page, 1 to 50 (50)",
    "lang": "zh-CN (default) or en",
}


def _asked() -> tuple[Staff, Filters, Messages]:
    """The signed-in searcher, the filters of the request, and the reader's language."""
    request = search_routes.current_request
    messages = Messages(request_locale(request))
    staff = current_staff(request)
    catalog = bootstrap.deps().catalog()
    known = Known(categories=catalog.categories.keys(), districts=catalog.districts.keys(),
                  departments=catalog.departments.keys())
    return staff, _worded(lambda: parse_filters(request.query_params or {}, known), messages), messages


def _worded(step: Callable[[], Any], t: Messages) -> Any:
    """Run a step; a bad filter becomes a 400 whose message names the field in the reader's language."""
    try:
        return step()
    except BadFilter as exc:
        field = exc.field or "cursor"
        raise InvalidInput(t(f"search.error.{exc.code}", field=t(f"search.field.{field}"), value=exc.value),
                           field=field, worded=True) from None


@search_routes.route("/console/search", methods=["GET"], **SIGNED_IN)
@json_errors
@query(**FILTERS)
def search() -> dict:
    """A page of the cases passing the filters (newest first) and the cursor of the next page."""
    staff, filters, t = _asked()
    deps = bootstrap.deps()
    params = search_routes.current_request.query_params or {}
    size = _worded(lambda: page_size(params.get("limit")), t)
    page = _worded(lambda: service.search(filters, staff, deps, params.get("cursor") or None, size), t)
    return {"cases": [service.listed(e, deps, t) for e in page.entries], "next": page.cursor,
            "text_since": page.text_since, "filters": filters.as_query()}


@search_routes.route("/console/search.csv", methods=["GET"], **SIGNED_IN)
@json_errors
@query(**{name: text for name, text in FILTERS.items() if name not in ("cursor", "limit")})
def export() -> Response:
    """The whole filtered list as CSV (UTF-8 with a byte-order mark), up to the export's bound;
    the contact column only for roles that may see it, each exported contact recorded."""
    staff, filters, t = _asked()
    deps = bootstrap.deps()
    body, cut = service.export_csv(filters, staff, deps, t)
    name = f"mashang-{deps.clock.now():%Y%m%d-%H%M}.csv"
    return Response(body=body, status_code=200, headers={
        "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": f'attachment; filename="{name}"',
        EXPORT_CUT_HEADER: "1" if cut else "0"})


@search_routes.route("/console/counts", methods=["GET"], **SIGNED_IN)
@json_errors
def counts() -> dict:
    """The signed-in role's live counts (a handler's: its department's)."""
    staff = current_staff(search_routes.current_request)
    return {"counts": service.counts(staff, bootstrap.deps())}
