"""What the bench modules share: the local twin started as `make run` starts it (own free ports and
state, the per-client limits off: every request comes from one loopback address), percentiles, and
the one file every part writes its figures into (build/bench.json, a key each)."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build" / "bench.json"


def record(key: str, figures: dict[str, Any]) -> None:
    """Keep `figures` under `key` in build/bench.json, beside the other parts' figures."""
    OUT.parent.mkdir(exist_ok=True)
    previous = json.loads(OUT.read_text()) if OUT.exists() else {}
    OUT.write_text(json.dumps({**previous, key: figures}, ensure_ascii=False, indent=2) + "\n")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def start_twin(state: Path) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """`python -m infra.local.run` on free ports with its data under `state`; its printed URLs (and
    the emulator's). The lines it logs with ERROR or a traceback are kept in `process.errors`."""
    from tests.support import twin_ports

    ports = twin_ports()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_", "MASHANG_"))}
    env.update({**ports, "MASHANG_STATE_DIR": str(state / "state"),
                "MASHANG_QR_DIR": str(state / "qr"), "MASHANG_LIMITS": "off", "MASHANG_DEMO_HISTORY": "0",
                "POWERTOOLS_LOG_LEVEL": "WARNING"})
    process = subprocess.Popen([sys.executable, "-m", "infra.local.run"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    urls: dict[str, str] = {}
    lines: list[str] = []
    deadline = time.monotonic() + 120
    while "Console" not in urls and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        lines.append(line)
        match = re.match(r"^(API|Site|Console): (\S+)", line)
        if match:
            urls[match.group(1)] = match.group(2).rstrip("/")
    if "Console" not in urls:
        process.kill()
        raise RuntimeError("the local twin did not start:\n" + "".join(lines[-30:]))
    # The emulator's processes: S3, Cognito and SNS; Step Functions and SQS; DynamoDB (infra/local/twin.py).
    for name, port in (("Moto", "MOTO"), ("Workflows", "WORKFLOW"), ("Tables", "DATA")):
        urls[name] = f"http://127.0.0.1:{ports[f'MASHANG_{port}_PORT']}"
    errors: list[str] = []
    threading.Thread(target=lambda: errors.extend(
        line for line in process.stdout if "ERROR" in line or "Traceback" in line), daemon=True).start()  # type: ignore[union-attr]
    process.errors = errors  # type: ignore[attr-defined]
    return process, urls


def stop_twin(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
