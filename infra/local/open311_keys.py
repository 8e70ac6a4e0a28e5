"""`python -m infra.local.open311_keys issue <name>` | `revoke <id>` | `list`: the Open311 client
keys of the running local system, through the admin API as the demo admin would (the console's
目录配置 tab does the same). An issued key is printed once; only its digest is stored."""
from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from infra.local.twin import API_PORT, CONNECT_HOST, MOTO_PORT, local_aws_environment, ports_in_use

USAGE = "usage: python -m infra.local.open311_keys issue <client name> | revoke <key id> | list"


def _call(method: str, path: str, token: str, body: dict[str, Any] | None = None) -> Any:
    request = urllib.request.Request(
        f"http://{CONNECT_HOST}:{API_PORT}/console/admin/open311-keys{path}", method=method,
        data=json.dumps(body or {}).encode() if method != "GET" else None,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("issue", "revoke", "list") or (argv[0] != "list" and len(argv) != 2):
        print(USAGE, file=sys.stderr)
        return 2
    if ports_in_use(MOTO_PORT) != [MOTO_PORT]:
        print(f"nothing listens on {CONNECT_HOST}:{MOTO_PORT}: start the system with `make run` first",
              file=sys.stderr)
        return 2
    os.environ.update(local_aws_environment(MOTO_PORT))
    import boto3

    from infra.local.accounts import sign_in
    from infra.local.provision import existing

    session = boto3.session.Session()
    token = sign_in(session.client("cognito-idp"), existing(session).refs["StaffPoolClient"], "admin")
    try:
        if argv[0] == "issue":
            answer = _call("POST", "", token, {"name": argv[1]})
            print(f"key {answer['key']['id']} for {answer['key']['name']}: api_key={answer['api_key']} "
                  "(shown this once)")
        elif argv[0] == "revoke":
            answer = _call("DELETE", "/" + urllib.parse.quote(argv[1], safe=""), token)
            print(f"key {answer['key']['id']} ({answer['key']['name']}) revoked")
        else:
            for key in _call("GET", "", token)["keys"]:
                print(f"{key['id']}  {key['name']}  issued {key['created_at']}"
                      + (f"  revoked {key['revoked_at']}" if key["revoked_at"] else ""))
    except urllib.error.HTTPError as refused:
        print(f"refused ({refused.code}): {refused.read().decode()}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
