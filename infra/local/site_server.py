"""Serves the site bucket the way S3 website hosting / CloudFront would (index documents, types)."""
from __future__ import annotations

from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

NOT_FOUND = "<!doctype html><meta charset=utf-8><h1>404 · 页面不存在</h1>".encode()
Extra = Callable[[str], tuple[int, str, bytes] | None]


def make_server(host: str, port: int, s3: Any, bucket: str, extra: Extra | None = None,
                headers: dict[str, str] | None = None) -> ThreadingHTTPServer:
    """`headers`: sent with every answer, as CloudFront's response-headers policy sends them."""
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            path = unquote(urlsplit(self.path).path)
            answer = extra(path) if extra else None
            if answer is None:
                answer = self._object(path)
            status, content_type, body = answer
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-cache")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _object(self, path: str) -> tuple[int, str, bytes]:
            key = path.lstrip("/")
            candidates = [key + "index.html"] if key == "" or key.endswith("/") else [key, key + "/index.html"]
            for candidate in candidates:
                try:
                    obj = s3.get_object(Bucket=bucket, Key=candidate)
                except s3.exceptions.NoSuchKey:
                    continue
                return 200, obj.get("ContentType", "application/octet-stream"), obj["Body"].read()
            return 404, "text/html; charset=utf-8", NOT_FOUND

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    return server
