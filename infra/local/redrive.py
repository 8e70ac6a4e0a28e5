"""`make redrive`: ask the running local twin to run again what kept failing (the supervisor's
button does the same): parked tasks, and stream records reported to the failure queue."""
from __future__ import annotations

import json
import sys
import urllib.request

from infra.local.twin import API_PORT, CONNECT_HOST


def main() -> int:
    request = urllib.request.Request(
        f"http://{CONNECT_HOST}:{API_PORT}/console/redrive", method="POST", data=b"{}",
        headers={"Content-Type": "application/json", "X-Staff-Department": "center", "X-Staff-Role": "supervisor"})
    with urllib.request.urlopen(request, timeout=120) as answer:
        report = json.loads(answer.read())
    print(f"tasks run again: {report['tasks']}; stream records handled again: {report['stream_records']}; "
          f"still failing: {report['still_failing']}")
    return 1 if report["still_failing"] else 0


if __name__ == "__main__":
    sys.exit(main())
