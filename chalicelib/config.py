"""Every setting and environment variable name, in one place."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

# Environment variable names (the one place they are spelled).
TABLE_NAME = "MASHANG_TABLE"
SITE_BUCKET = "MASHANG_SITE_BUCKET"
TASK_QUEUE_URL = "MASHANG_TASK_QUEUE_URL"
DEAD_LETTER_QUEUE_URL = "MASHANG_DEAD_LETTER_QUEUE_URL"
STREAM_FAILURE_QUEUE_URL = "MASHANG_STREAM_FAILURE_QUEUE_URL"
SMS_TOPIC_ARN = "MASHANG_SMS_TOPIC_ARN"
STATE_MACHINE_ARN = "MASHANG_STATE_MACHINE_ARN"
UPLOAD_BUCKET = "MASHANG_UPLOAD_BUCKET"
# Where browsers reach storage for uploads and staff photo links; empty means AWS's own address
# (the local twin sets its emulator's public address here).
UPLOAD_ENDPOINT = "MASHANG_UPLOAD_ENDPOINT"
SITE_URL = "MASHANG_SITE_URL"
API_URL = "MASHANG_API_URL"
WORKDAY_SECONDS = "MASHANG_WORKDAY_SECONDS"
STAFF_AUTH = "MASHANG_STAFF_AUTH"
REGION = "AWS_REGION"
# Event sources Chalice needs as literals when packaging; infra/template.json replaces both with
# the real queue and stream, so the defaults below only name what is replaced.
TASK_QUEUE_ARN = "MASHANG_TASK_QUEUE_ARN"
TABLE_STREAM_ARN = "MASHANG_TABLE_STREAM_ARN"
_PLACEHOLDER_SOURCES = {
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
    sms_topic_arn: str
    state_machine_arn: str
    site_url: str
    api_url: str
    region: str
    # Clock compression for tests and the demo: one working day lasts this many
    # seconds. Empty means the real calendar.
    workday_seconds: float | None
    # The seam that staff sign-in replaces: "dev-header" trusts X-Staff-Department.
    staff_auth: str

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
            sms_topic_arn=env.get(SMS_TOPIC_ARN, ""),
            state_machine_arn=env.get(STATE_MACHINE_ARN, ""),
            site_url=env.get(SITE_URL, "http://127.0.0.1:8080").rstrip("/"),
            api_url=env.get(API_URL, "http://127.0.0.1:8000").rstrip("/"),
            region=env.get(REGION) or env.get("AWS_DEFAULT_REGION") or "us-east-1",
            workday_seconds=float(workday) if workday else None,
            staff_auth=env.get(STAFF_AUTH, "dev-header"),
        )


@lru_cache(maxsize=1)
def settings() -> Settings:
    """Settings of this process, read once (tests clear the cache)."""
    return Settings.from_env()
