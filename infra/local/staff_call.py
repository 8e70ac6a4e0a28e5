"""What the commands beside `make run` share (`make redrive`, `make import`, the Open311 keys): they act
on the running local twin as a member of staff would, signed in with a demo account, through the
console's API."""
from __future__ import annotations

import json
import os
import sys
import urllib.request
from typing import Any

from infra.local.twin import APART_PORTS, API_PORT, CONNECT_HOST, MOTO_PORT, local_aws_environment, ports_in_use


def signed_in(username: str) -> str | None:
    """An ID token of the demo account, or None (said on stderr) when no local twin is running."""
    if ports_in_use(MOTO_PORT) != [MOTO_PORT]:
        print(f"nothing listens on {CONNECT_HOST}:{MOTO_PORT}: start the system with `make run` first",
              file=sys.stderr)
        return None
    os.environ.update(local_aws_environment(MOTO_PORT, APART_PORTS))
    import boto3

    from infra.local.accounts import sign_in
    from infra.local.provision import existing

    session = boto3.session.Session()
    return sign_in(session.client("cognito-idp"), existing(session).refs["StaffPoolClient"], username)


def console_call(method: str, path: str, token: str, body: dict[str, Any] | None = None,
                 timeout: float = 30) -> Any:
    """One console API call as that account (HTTPError when refused: its body says why)."""
    request = urllib.request.Request(
        f"http://{CONNECT_HOST}:{API_PORT}{path}", method=method,
        data=json.dumps(body or {}, ensure_ascii=False).encode() if method != "GET" else None,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}",
                 "Accept-Language": "zh-CN"})
    with urllib.request.urlopen(request, timeout=timeout) as answer:
        return json.loads(answer.read())
