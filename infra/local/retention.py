"""Deletes the citizens' contacts whose retention period ended. On AWS the table's time-to-live
does this; the emulator keeps expired items, so the local twin runs this at start, every hour,
and on demand: `python -m infra.local.retention` (with the running twin's MASHANG_MOTO_PORT and MASHANG_DATA_PORT)."""
from __future__ import annotations

import os
import sys
import time
from typing import Any


def forget_expired_contacts(dynamodb: Any, table: str, now: float | None = None) -> int:
    """Delete every contact item whose `expiration` (epoch seconds) has passed; answers how many."""
    cutoff = int(time.time() if now is None else now)
    deleted = 0
    pages = dynamodb.get_paginator("scan").paginate(
        TableName=table, FilterExpression="sk = :contact AND expiration < :now",
        ExpressionAttributeValues={":contact": {"S": "CONTACT"}, ":now": {"N": str(cutoff)}},
        ProjectionExpression="pk, sk")
    for page in pages:
        for item in page["Items"]:
            dynamodb.delete_item(TableName=table, Key={"pk": item["pk"], "sk": item["sk"]})
            deleted += 1
    return deleted


def main() -> int:
    import boto3

    from infra.local.twin import APART_PORTS, CONNECT_HOST, DATA_PORT, MOTO_PORT, local_aws_environment

    os.environ.update(local_aws_environment(MOTO_PORT, APART_PORTS))
    deleted = forget_expired_contacts(boto3.client("dynamodb", endpoint_url=f"http://{CONNECT_HOST}:{DATA_PORT}"),
                                      os.environ.get("MASHANG_TABLE", "mashang-table"))
    print(f"deleted {deleted} expired contact(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
