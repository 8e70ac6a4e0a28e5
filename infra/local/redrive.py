"""`make redrive`: ask the running local twin to run again what kept failing (the supervisor's
button does the same): parked tasks, and stream records reported to the failure queue. It signs
in as the demo supervisor, as a person would."""
from __future__ import annotations

import json
import os
import sys
import urllib.request

from infra.local.twin import API_PORT, CONNECT_HOST, MOTO_PORT, local_aws_environment, ports_in_use


def main() -> int:
    if ports_in_use(MOTO_PORT) != [MOTO_PORT]:
        print(f"nothing listens on {CONNECT_HOST}:{MOTO_PORT}: start the system with `make run` first",
              file=sys.stderr)
        return 2
    os.environ.update(local_aws_environment(MOTO_PORT))
    import boto3

    from infra.local.accounts import sign_in
    from infra.local.provision import existing

    session = boto3.session.Session()
    token = sign_in(session.client("cognito-idp"), existing(session).refs["StaffPoolClient"], "supervisor")
    request = urllib.request.Request(
        f"http://{CONNECT_HOST}:{API_PORT}/console/redrive", method="POST", data=b"{}",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=120) as answer:
        report = json.loads(answer.read())
    print(f"tasks run again: {report['tasks']}; stream records handled again: {report['stream_records']}; "
          f"still failing: {report['still_failing']}")
    return 1 if report["still_failing"] else 0


if __name__ == "__main__":
    sys.exit(main())
