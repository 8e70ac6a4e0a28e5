"""`make rebuild`: regenerate the running local twin's whole public site from its table (after a
template change, or to see that the site can be recovered), with a progress bar on stderr."""
from __future__ import annotations

import os
import sys
import time
from typing import TextIO

from infra.local.twin import (
    APART_PORTS,
    CONNECT_HOST,
    MOTO_PORT,
    local_app_settings,
    local_aws_environment,
    ports_in_use,
    public_urls,
)

WIDTH = 30


class Bar:
    """A one-line textual progress bar: a bar when the total is known, a count until then."""

    def __init__(self, out: TextIO = sys.stderr) -> None:
        self.out, self.started, self.what = out, time.monotonic(), ""

    def __call__(self, what: str, done: int, total: int | None) -> None:
        if what != self.what and self.what:
            self.out.write("\n")
        self.what = what
        seconds = time.monotonic() - self.started
        if total:
            filled = WIDTH * done // total
            line = f"{what:<7} [{'#' * filled}{'.' * (WIDTH - filled)}] {done}/{total}"
        else:
            line = f"{what:<7} {done} …"
        self.out.write(f"\r{line}  {seconds:5.1f} s")
        self.out.flush()

    def end(self) -> None:
        self.out.write("\n")
        self.out.flush()


def main() -> int:
    if not ports_in_use(MOTO_PORT):
        print(f"nothing listens on {CONNECT_HOST}:{MOTO_PORT}: start the system with `make run` first "
              "(the same MASHANG_* settings)", file=sys.stderr)
        return 2
    os.environ.update(local_aws_environment(MOTO_PORT, APART_PORTS))
    urls = public_urls()
    os.environ.update(local_app_settings(urls))
    import boto3

    from infra.local.provision import existing

    os.environ.update(existing(boto3.session.Session(), site_origin=urls.site).environment())
    from chalicelib import bootstrap
    from chalicelib.services.rebuild import rebuild_site

    bar = Bar()
    started = time.monotonic()
    rebuilt = rebuild_site(bootstrap.deps(), bar)
    bar.end()
    print(f"rebuilt {rebuilt.cases} case pages and {rebuilt.shared_pages} shared pages "
          f"({rebuilt.files} files) in {time.monotonic() - started:.1f} s")
    if rebuilt.failed:
        print(f"{len(rebuilt.failed)} shared page(s) failed (see the log above): {', '.join(rebuilt.failed)}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
