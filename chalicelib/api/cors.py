"""Cross-origin calls are allowed from the site's own origin only (the intake page, the case pages
and the console live there): preflights for every route, and the allow header on every answer.
The open API (Open311) is for any client, dashboards in a browser included: it answers every
origin (it uses no cookies, and its answers hold no contact data)."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from chalice import Chalice, Response

from .. import config

ALLOWED_HEADERS = "Content-Type, Authorization"
MAX_AGE_SECONDS = "600"
OPEN_PATHS = ("/open311/",)
EXPORT_CUT_HEADER = "X-Export-Truncated"  # "1": the CSV export stopped at its bound
# A page's script may read when to try again after a 429, and whether an export was cut.
EXPOSED_HEADERS = f"Retry-After, {EXPORT_CUT_HEADER}"


def site_origin() -> str:
    url = urlsplit(config.settings().site_url)
    return f"{url.scheme}://{url.netloc}"


def cors_headers(request: Any) -> dict[str, str]:
    """The allow headers when the request comes from the site's origin (any origin on the open
    API); none otherwise."""
    origin = (getattr(request, "headers", None) or {}).get("origin")
    if (getattr(request, "path", "") or "").startswith(OPEN_PATHS):
        return {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "Retry-After"}
    headers = {"Vary": "Origin"}
    if origin and origin == site_origin():
        headers["Access-Control-Allow-Origin"] = origin
        headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    return headers


def add_preflights(app: Chalice) -> None:
    """An OPTIONS route beside every route (API Gateway passes it to the same function)."""
    for path, methods in list(app.routes.items()):
        if "OPTIONS" in methods:
            continue
        allowed = ", ".join(sorted(methods))

        def preflight(allowed: str = allowed, **_: str) -> Response:
            headers = {"Access-Control-Allow-Methods": allowed, "Access-Control-Allow-Headers": ALLOWED_HEADERS,
                       "Access-Control-Max-Age": MAX_AGE_SECONDS}
            return Response(body="", status_code=204, headers=headers)

        preflight.__name__ = f"preflight_{len(app.routes)}_{abs(hash(path))}"
        app.route(path, methods=["OPTIONS"])(preflight)
