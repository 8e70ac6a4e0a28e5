"""Structured logging (Powertools), shared by every handler. Tracing is not used: X-Ray's SDK
would only add to every cold start."""
from __future__ import annotations

from aws_lambda_powertools import Logger

# Service name differs from the app name, else Chalice's own logger prints lines twice.
logger = Logger(service="mashang-svc")
