"""`make import FILE=…` (or `python -m infra.local.imports FILE`): import a mayor's mailbox or media
export (CSV or JSON, the columns in chalicelib/services/imports.py) into the running local twin, as
the admin's upload in the console does: it signs in as the demo admin and posts the file's text to
the admin route. Each row is filed once by the source's own id; importing the same file again files
nothing new. Prints the report; exit status 1 when a row was refused."""
from __future__ import annotations

import json
import sys
import urllib.error
from pathlib import Path

from infra.local.staff_call import console_call, signed_in


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m infra.local.imports FILE   (CSV or JSON; e.g. infra/seed/imports-sample.csv)",
              file=sys.stderr)
        return 2
    path = Path(argv[0])
    if not path.is_file():
        print(f"no such file: {path}", file=sys.stderr)
        return 2
    token = signed_in("admin")
    if token is None:
        return 2
    try:
        report = console_call("POST", "/console/admin/imports", token,
                              {"text": path.read_text(encoding="utf-8-sig")}, timeout=300)
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
