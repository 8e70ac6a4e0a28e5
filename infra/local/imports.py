"""`make import FILE=…` (or `python -m infra.local.imports FILE`): import a mayor's mailbox or media
export (CSV or JSON, the columns in chalicelib/services/imports.py) into the running local twin, as
the admin's upload in the console does: it signs in as the demo admin and posts the file's text to
the admin route. Each row is filed once by the source's own id; importing the same file again files
nothing new. Prints the report; exit status 1 when a row was refused."""
from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

from infra.local.twin import API_PORT, CONNECT_HOST, MOTO_PORT, local_aws_environment, ports_in_use


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m infra.local.imports FILE   (CSV or JSON; e.g. infra/seed/imports-sample.csv)",
              file=sys.stderr)
        return 2
    path = Path(argv[0])
    if not path.is_file():
        print(f"no such file: {path}", file=sys.stderr)
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
    body = json.dumps({"text": path.read_text(encoding="utf-8-sig")}, ensure_ascii=False).encode()
    request = urllib.request.Request(
        f"http://{CONNECT_HOST}:{API_PORT}/console/admin/imports", method="POST", data=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}",
                 "Accept-Language": "zh-CN"})
    try:
        with urllib.request.urlopen(request, timeout=300) as answer:
            report = json.loads(answer.read())
    except urllib.error.HTTPError as refused:  # the whole file refused: say why
        print(f"{path}: {json.loads(refused.read()).get('message')}", file=sys.stderr)
        return 1
    counts = report["counts"]
    print(f"{path}: filed {counts['accepted']}, imported before {counts['already']}, refused {counts['refused']}")
    for row in report["accepted"]:
        print(f"  filed     row {row['row']:>4}  {row['source_id']}  → {row['number']}")
    for row in report["already"]:
        print(f"  before    row {row['row']:>4}  {row['source_id']}  = {row['number']}")
    for row in report["refused"]:
        print(f"  refused   row {row['row']:>4}  {row['source_id']}  {row['field'] or ''}: {row['reason']}")
    return 1 if counts["refused"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
