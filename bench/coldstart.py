"""`make bench`: the cold start. N fresh interpreters each run `import app` (what a Lambda's init
does before its first request), timed by the wall clock and by the CPU the child used (steadier
than the wall clock on a shared machine); and the size of the deployment package `make package`
builds, if it is there. Written to build/bench.json under "coldstart". Bounded: N short runs.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

from bench.twin import record

N = int(os.environ.get("BENCH_COLDSTARTS", "15"))
PACKAGE = Path("build/package/deployment.zip")
TARGET_MS = 400.0


def _run(code: str) -> tuple[float, float]:
    """(wall ms, CPU ms) of one fresh interpreter running `code` (bytecode caches warm, as in a package)."""
    before = os.times()
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    wall = (time.perf_counter() - started) * 1000
    after = os.times()
    cpu = ((after.children_user - before.children_user) + (after.children_system - before.children_system)) * 1000
    return wall, cpu


def _figures(values: list[float]) -> dict[str, float]:
    return {"median": round(statistics.median(values), 1), "min": round(min(values), 1),
            "max": round(max(values), 1)}


def measure(n: int = N) -> dict[str, Any]:
    _run("import app")  # compiles whatever is not compiled yet: not a cold start to count
    runs = [_run("import app") for _ in range(n)]
    bare = [_run("pass") for _ in range(max(3, n // 3))]
    return {"runs": n, "import_app_wall_ms": _figures([w for w, _ in runs]),
            "import_app_cpu_ms": _figures([c for _, c in runs]),
            "interpreter_alone_wall_ms": _figures([w for w, _ in bare]), "target_ms": TARGET_MS}


def package(path: Path = PACKAGE) -> dict[str, Any] | None:
    """The deployment package's size and what it holds (None when `make package` has not run)."""
    if not path.exists():
        return None
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        unpacked = sum(info.file_size for info in archive.infolist())
    tops: dict[str, int] = {}
    for name in names:
        top = name.split("/", 1)[0]
        tops[top] = tops.get(top, 0) + 1
    return {"zip_mb": round(path.stat().st_size / 1e6, 2), "unpacked_mb": round(unpacked / 1e6, 2),
            "files": len(names), "botocore_files": tops.get("botocore", 0), "boto3_files": tops.get("boto3", 0)}


def main() -> int:
    figures = measure()
    figures["package"] = package()
    wall, cpu, bare = figures["import_app_wall_ms"], figures["import_app_cpu_ms"], figures["interpreter_alone_wall_ms"]
    print(f"\nCold start: python -c 'import app', {figures['runs']} fresh interpreters")
    print(f"  wall  median {wall['median']:6.1f} ms   min {wall['min']:6.1f}   max {wall['max']:6.1f}"
          f"   (target {TARGET_MS:.0f} ms; the interpreter alone {bare['median']:.1f} ms)")
    print(f"  CPU   median {cpu['median']:6.1f} ms   min {cpu['min']:6.1f}   max {cpu['max']:6.1f}")
    shipped = figures["package"]
    if shipped is None:
        print(f"  deployment package: {PACKAGE} is not built (make package)")
    else:
        print(f"  deployment package: {shipped['zip_mb']} MB zipped, {shipped['unpacked_mb']} MB unpacked, "
              f"{shipped['files']} files, botocore files {shipped['botocore_files']}")
    record("coldstart", figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
