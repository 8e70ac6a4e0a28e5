"""Schemathesis generates requests from /openapi.json against the local twin, as a citizen and as
staff of two roles (bounded: a few examples per operation): no answer may be a 5xx. Four workers
send side by side (the twin answers each request in tens of milliseconds, mostly waiting on its
emulator): 129 s -> 37 s a run, the same ~2,700 requests."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
SCHEMATHESIS = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "schemathesis"


@pytest.mark.parametrize("identity", [("qh-cgj", "handler"), ("center", "supervisor")], ids=lambda i: i[1])
def test_generated_requests_never_get_a_server_error(local_system, identity):
    department, role = identity
    run = subprocess.run(
        [str(SCHEMATHESIS), "run", f"{local_system.api}/openapi.json", "--checks", "not_a_server_error",
         "--max-examples", "6", "--seed", "7", "--no-color", "--workers", "4",
         "-H", f"Authorization: {local_system.staff(department, role)['Authorization']}"],
        capture_output=True, text=True, timeout=300)
    summary = run.stdout[-3000:]
    assert run.returncode == 0, summary
    generated = re.search(r"(\d+) generated, (\d+) passed", summary)
    assert generated and int(generated.group(1)) >= 100 and generated.group(1) == generated.group(2), summary
