"""`make redrive`: ask the running local twin to run again what kept failing (the supervisor's
button does the same): parked tasks, and stream records reported to the failure queue. It signs
in as the demo supervisor, as a person would."""
from __future__ import annotations

import sys

from infra.local.staff_call import console_call, signed_in


def main() -> int:
    token = signed_in("supervisor")
    if token is None:
        return 2
    report = console_call("POST", "/console/redrive", token, timeout=120)
    print(f"tasks run again: {report['tasks']}; stream records handled again: {report['stream_records']}; "
          f"still failing: {report['still_failing']}")
    return 1 if report["still_failing"] else 0


if __name__ == "__main__":
    sys.exit(main())
