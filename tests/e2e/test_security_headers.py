"""The site answers with the template's security headers, and its pages run no inline script, so
the strict policy costs them nothing: Chromium reports no policy violation on any page type."""
from __future__ import annotations

import urllib.request

import pytest

from tests.e2e.test_scan_to_reply import api

pytestmark = pytest.mark.e2e


def headers_of(url: str) -> dict[str, str]:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return dict(answer.headers)


def test_every_page_type_carries_the_security_headers_and_runs_no_inline_script(local_system, browser):
    receipt = api("POST", f"{local_system.api}/tickets", {
        "location": "qh01", "category": "lights", "kind": "complaint", "description": "路口红绿灯旁的路灯不亮了"})
    pages = [f"{local_system.site}/", f"{local_system.site}/q/qh01.html", receipt["page"],
             receipt["tracking"], local_system.console]
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.add_init_script("window.__violations = [];"
                         "document.addEventListener('securitypolicyviolation', e => window.__violations.push("
                         "e.violatedDirective + ' ' + e.blockedURI));")
    try:
        for url in pages:
            headers = headers_of(url.split("#")[0])
            policy = headers["Content-Security-Policy"]
            script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src"))
            assert "unsafe-inline" not in script_src and "frame-ancestors 'none'" in policy
            assert local_system.api in policy  # the pages may call the API, nothing else
            assert headers["X-Content-Type-Options"] == "nosniff"
            assert headers["X-Frame-Options"] == "DENY" and headers["Referrer-Policy"]
            page.goto(url)
            page.wait_for_load_state("networkidle")
            assert page.evaluate("window.__violations") == [], url
        # The external script really runs under the policy: the intake page answers a bad
        # submission without a reload.
        page.goto(f"{local_system.site}/q/qh01.html")
        page.click("#submit")
        assert page.locator("#error").is_visible()
    finally:
        context.close()


def test_unknown_paths_and_other_methods_are_refused_in_the_contract_with_the_headers(local_system):
    import json
    import urllib.error

    try:
        urllib.request.urlopen(f"{local_system.api}/no/such/path", timeout=10)
        raise AssertionError("an unknown path was answered")
    except urllib.error.HTTPError as error:
        assert error.code == 404 and json.loads(error.read())["error"] == "NotFound"
        assert error.headers["X-Content-Type-Options"] == "nosniff"
    head = urllib.request.urlopen(urllib.request.Request(f"{local_system.site}/", method="HEAD"), timeout=10)
    assert head.status == 200 and "script-src 'self'" in head.headers["Content-Security-Policy"]
    try:
        urllib.request.urlopen(urllib.request.Request(f"{local_system.site}/", method="POST", data=b"x"), timeout=10)
        raise AssertionError("the read-only site accepted a POST")
    except urllib.error.HTTPError as error:
        assert error.code == 405 and error.headers["X-Frame-Options"] == "DENY"
