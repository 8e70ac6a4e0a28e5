"""Structured logging (Powertools), shared by every handler. Every line passes through the same
redaction as published text, so a phone number that slips into a log is masked there too.
Tracing is not used: X-Ray's SDK would only add to every cold start."""
from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

from .domain.redact import redact


class RedactingFormatter(LambdaPowertoolsFormatter):
    def serialize(self, log: Any) -> str:
        return redact(super().serialize(log))


# Service name differs from the app name, else Chalice's own logger prints lines twice.
logger = Logger(service="mashang-svc", logger_formatter=RedactingFormatter())
