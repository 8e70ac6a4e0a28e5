"""Every setting and environment variable name, in one place."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from .domain.throttle import Rule

# Environment variable names (the one place they are spelled).
TABLE_NAME = "MASHANG_TABLE"
SITE_BUCKET = "MASHANG_SITE_BUCKET"
TASK_QUEUE_URL = "MASHANG_TASK_QUEUE_URL"
DEAD_LETTER_QUEUE_URL = "MASHANG_DEAD_LETTER_QUEUE_URL"
STREAM_FAILURE_QUEUE_URL = "MASHANG_STREAM_FAILURE_QUEUE_URL"
PAGE_QUEUE_URL = "MASHANG_PAGE_QUEUE_URL"
# Shared pages (hall, places, statistics …) are rebuilt at most once per this many seconds.
PAGE_INTERVAL_SECONDS = "MASHANG_PAGE_INTERVAL_SECONDS"
# ... and the summaries (statistics, weekly boards, month archives) at most once per this many.
SLOW_PAGE_INTERVAL_SECONDS = "MASHANG_SLOW_PAGE_INTERVAL_SECONDS"
SMS_TOPIC_ARN = "MASHANG_SMS_TOPIC_ARN"
STATE_MACHINE_ARN = "MASHANG_STATE_MACHINE_ARN"
UPLOAD_BUCKET = "MASHANG_UPLOAD_BUCKET"
# Where browsers reach storage for uploads and staff photo links; empty means AWS's own address
# (the local twin sets its emulator's public address here).
UPLOAD_ENDPOINT = "MASHANG_UPLOAD_ENDPOINT"
SITE_URL = "MASHANG_SITE_URL"
API_URL = "MASHANG_API_URL"
WORKDAY_SECONDS = "MASHANG_WORKDAY_SECONDS"
# Staff sign-in: the Cognito user pool and its app client (the console signs in against them).
STAFF_POOL_ID = "MASHANG_STAFF_POOL_ID"
STAFF_CLIENT_ID = "MASHANG_STAFF_CLIENT_ID"
# Where the pool's signing keys are published; empty means AWS's own address for the pool (the
# local twin names its emulator's).
STAFF_JWKS_URL = "MASHANG_STAFF_JWKS_URL"
# Where browsers call the pool's sign-in API; empty means AWS's regional endpoint.
STAFF_AUTH_ENDPOINT = "MASHANG_STAFF_AUTH_ENDPOINT"
REGION = "AWS_REGION"
# Per-client request limits: "off" in LIMITS switches all of them off (load tests); each rule's
# variable holds "<requests>/<period>[s|m|h][:<burst>]" or "off" (see LIMIT_DEFAULTS).
LIMITS = "MASHANG_LIMITS"
LIMIT_VARIABLES = {
    "submit": "MASHANG_LIMIT_SUBMIT",  # filing a case
    "upload": "MASHANG_LIMIT_UPLOAD",  # asking for photo upload forms
    "track": "MASHANG_LIMIT_TRACK",  # adding information or rating through the tracking link
    "open311": "MASHANG_LIMIT_OPEN311",  # filing through Open311: per client application (its key), not address
}
# Per client address: a service hall's Wi-Fi or a carrier's NAT puts many phones behind one.
# An Open311 client is a server filing for all its users from one address: its key has a bucket of its own.
LIMIT_DEFAULTS = {"submit": "20/10m:10", "upload": "60/10m:24", "track": "20/10m:10", "open311": "600/10m:60"}
# Event sources Chalice needs as literals when packaging; infra/template.json replaces both with
# the real queue and stream, so the defaults below only name what is replaced.
TASK_QUEUE_ARN = "MASHANG_TASK_QUEUE_ARN"
TABLE_STREAM_ARN = "MASHANG_TABLE_STREAM_ARN"
PAGE_QUEUE_ARN = "MASHANG_PAGE_QUEUE_ARN"
_PLACEHOLDER_SOURCES = {
    PAGE_QUEUE_ARN: "arn:aws:sqs:us-east-1:000000000000:pages-replaced-by-infra",
    TASK_QUEUE_ARN: "arn:aws:sqs:us-east-1:000000000000:replaced-by-infra",
    TABLE_STREAM_ARN: "arn:aws:dynamodb:us-east-1:000000000000:table/mashang/stream/replaced-by-infra",
}


def event_source(name: str) -> str:
    """The ARN of an event source (read at import time: Chalice's decorators need it then)."""
    return os.environ.get(name, _PLACEHOLDER_SOURCES[name])


@dataclass(frozen=True)
class Settings:
    table_name: str
    site_bucket: str
    upload_bucket: str
    upload_endpoint: str
    task_queue_url: str
    dead_letter_queue_url: str
    stream_failure_queue_url: str
    page_queue_url: str
    page_interval_seconds: int
    slow_page_interval_seconds: int
    sms_topic_arn: str
    state_machine_arn: str
    site_url: str
    api_url: str
    region: str
    # Clock compression for tests and the demo: one working day lasts this many
    # seconds. Empty means the real calendar.
    workday_seconds: float | None
    staff_pool_id: str
    staff_client_id: str
    staff_jwks_url: str
    staff_auth_endpoint: str
    # Per-client limits of the citizen routes, by rule name; a rule switched off is absent.
    limits: tuple[Rule, ...]

    @property
    def staff_issuer(self) -> str:
        """The `iss` of the pool's tokens (the same URL locally: the emulator issues AWS's)."""
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.staff_pool_id}"

    @property
    def staff_keys_url(self) -> str:
        return self.staff_jwks_url or f"{self.staff_issuer}/.well-known/jwks.json"

    @property
    def staff_sign_in_url(self) -> str:
        return self.staff_auth_endpoint or f"https://cognito-idp.{self.region}.amazonaws.com/"

    def limit(self, name: str) -> Rule | None:
        return next((rule for rule in self.limits if rule.name == name), None)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        workday = env.get(WORKDAY_SECONDS, "").strip()
        return cls(
            table_name=env.get(TABLE_NAME, "mashang"),
            site_bucket=env.get(SITE_BUCKET, "mashang-site"),
            upload_bucket=env.get(UPLOAD_BUCKET, "mashang-uploads"),
            upload_endpoint=env.get(UPLOAD_ENDPOINT, "").rstrip("/"),
            task_queue_url=env.get(TASK_QUEUE_URL, ""),
            dead_letter_queue_url=env.get(DEAD_LETTER_QUEUE_URL, ""),
            stream_failure_queue_url=env.get(STREAM_FAILURE_QUEUE_URL, ""),
            page_queue_url=env.get(PAGE_QUEUE_URL, ""),
            page_interval_seconds=int(env.get(PAGE_INTERVAL_SECONDS, "").strip() or 10),
            slow_page_interval_seconds=int(env.get(SLOW_PAGE_INTERVAL_SECONDS, "").strip() or 300),
            sms_topic_arn=env.get(SMS_TOPIC_ARN, ""),
            state_machine_arn=env.get(STATE_MACHINE_ARN, ""),
            site_url=env.get(SITE_URL, "http://127.0.0.1:8080").rstrip("/"),
            api_url=env.get(API_URL, "http://127.0.0.1:8000").rstrip("/"),
            region=env.get(REGION) or env.get("AWS_DEFAULT_REGION") or "us-east-1",
            workday_seconds=float(workday) if workday else None,
            staff_pool_id=env.get(STAFF_POOL_ID, ""),
            staff_client_id=env.get(STAFF_CLIENT_ID, ""),
            staff_jwks_url=env.get(STAFF_JWKS_URL, "").strip(),
            staff_auth_endpoint=env.get(STAFF_AUTH_ENDPOINT, "").strip().rstrip("/"),
            limits=_limits(env),
        )


def _limits(env: dict[str, str]) -> tuple[Rule, ...]:
    if env.get(LIMITS, "").strip().lower() == "off":
        return ()
    rules = []
    for name, variable in LIMIT_VARIABLES.items():
        text = env.get(variable, "").strip() or LIMIT_DEFAULTS[name]
        if text.lower() == "off":
            continue
        try:
            rules.append(Rule.parse(name, text))
        except ValueError as exc:
            raise ValueError(f"{variable}: {exc}") from None
    return tuple(rules)


@lru_cache(maxsize=1)
def settings() -> Settings:
    """Settings of this process, read once (tests clear the cache)."""
    return Settings.from_env()
