"""The emulator in a process of its own, so that it and the rest of the local twin (API, pollers,
site) each get a core instead of sharing one interpreter lock. Started by the runner; it dies with
the runner (parent-death signal), also when the runner is killed with SIGKILL.

    python -m infra.local.moto_process PORT JOURNAL
"""
from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import sys
import threading
from pathlib import Path

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Linux: get SIGKILL when the process that started this one ends, however it ends."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the runner's own stop still ends it
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def main() -> int:
    port, journal_path = int(sys.argv[1]), Path(sys.argv[2])
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the runner, which stops this
    os.environ["MOTO_PORT"] = str(port)
    # The server logs a line for every request (to a pipe nobody reads): 8 % of its CPU under a burst.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    from infra.local.journal import Journal
    from infra.local.twin import start_moto

    server = start_moto(port, Journal(journal_path))
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    print("ready", flush=True)
    stopped.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
