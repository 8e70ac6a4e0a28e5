"""Serves the site bucket the way CloudFront in front of S3 does (index documents, content types,
the response-headers policy's headers on every answer; read-only)."""
from __future__ import annotations

from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

NOT_FOUND = "<!doctype html><meta charset=utf-8><h1>404 · 页面不存在</h1>".encode()
Extra = Callable[[str], tuple[int, str, bytes] | None]


class SiteHandler(BaseHTTPRequestHandler):
    s3: Any = None
    bucket = ""
    extra: Extra | None = None
    headers_sent: dict[str, str] = {}

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._answer(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(with_body=False)

    def __getattr__(self, name: str) -> Any:
        """Any other method: 405, with the same headers (the site is read-only)."""
        if name.startswith("do_"):
            return self._not_allowed
        raise AttributeError(name)

    def _not_allowed(self) -> None:
        self._send(405, "text/plain; charset=utf-8", b"method not allowed", extra={"Allow": "GET, HEAD"})

    def _answer(self, with_body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        answer = type(self).extra(path) if type(self).extra else None
        status, content_type, body = answer if answer is not None else self._object(path)
        self._send(status, content_type, body if with_body else b"", length=len(body))

    def _send(self, status: int, content_type: str, body: bytes, length: int | None = None,
              extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.send_header("Cache-Control", "no-cache")
        for name, value in {**self.headers_sent, **(extra or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _object(self, path: str) -> tuple[int, str, bytes]:
        key = path.lstrip("/")
        candidates = [key + "index.html"] if key == "" or key.endswith("/") else [key, key + "/index.html"]
        for candidate in candidates:
            try:
                obj = self.s3.get_object(Bucket=self.bucket, Key=candidate)
            except self.s3.exceptions.NoSuchKey:
                continue
            return 200, obj.get("ContentType", "application/octet-stream"), obj["Body"].read()
        return 404, "text/html; charset=utf-8", NOT_FOUND

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


def make_server(host: str, port: int, s3: Any, bucket: str, extra: Extra | None = None,
                headers: dict[str, str] | None = None) -> ThreadingHTTPServer:
    """`headers`: sent with every answer, as CloudFront's response-headers policy sends them."""
    handler = type("Handler", (SiteHandler,), {"s3": s3, "bucket": bucket, "extra": staticmethod(extra) if extra
                                               else None, "headers_sent": dict(headers or {})})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server
