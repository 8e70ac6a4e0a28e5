"""`python -m infra.local.open311_keys issue <name>` | `revoke <id>` | `list`: the Open311 client
keys of the running local system, through the admin API as the demo admin would (the console's
目录配置 tab does the same). An issued key is printed once; only its digest is stored."""
from __future__ import annotations

import sys
import urllib.error
import urllib.parse
from typing import Any

from infra.local.staff_call import console_call, signed_in

USAGE = "usage: python -m infra.local.open311_keys issue <client name> | revoke <key id> | list"


def _call(method: str, path: str, token: str, body: dict[str, Any] | None = None) -> Any:
    return console_call(method, f"/console/admin/open311-keys{path}", token, body)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("issue", "revoke", "list") or (argv[0] != "list" and len(argv) != 2):
        print(USAGE, file=sys.stderr)
        return 2
    token = signed_in("admin")
    if token is None:
        return 2
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
