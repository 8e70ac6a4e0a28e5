"""The local API as API Gateway is: the caller's own address reaches the app (the per-client limits
count by it), not chalice local's 127.0.0.1 for every caller."""
from __future__ import annotations

import http.client
import threading

from chalice import Chalice
from chalice.config import Config
from chalice.local import create_local_server

from infra.local.gateway import pass_the_callers_address
from tests.support import free_port


def test_each_caller_is_seen_at_its_own_address():
    probe = Chalice("probe")

    @probe.route("/who")
    def who() -> dict[str, str]:
        return {"ip": probe.current_request.context["identity"]["sourceIp"]}

    pass_the_callers_address()
    port = free_port()
    server = create_local_server(probe, Config.create(chalice_stage="local"), "0.0.0.0", port)
    thread = threading.Thread(target=server.server.serve_forever, daemon=True)
    thread.start()
    try:
        seen = []
        for source in ("127.0.0.2", "127.0.0.1", "127.0.0.3"):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
            connection.request("GET", "/who")
            seen.append(connection.getresponse().read().decode())
            connection.close()
        assert seen == ['{"ip":"127.0.0.2"}', '{"ip":"127.0.0.1"}', '{"ip":"127.0.0.3"}']
    finally:
        server.server.shutdown()
        server.server.server_close()
