"""Structured logging and tracing (Powertools), shared by every handler."""
from __future__ import annotations

from aws_lambda_powertools import Logger, Tracer

# Service name differs from the app name, else Chalice's own logger prints lines twice.
logger = Logger(service="mashang-svc")
tracer = Tracer(service="mashang-svc")
