"""Builds the dependencies once per process, lazily, so tests can put moto in place first.

The adapters (and what they stand on: boto3, pynamodb, PyJWT, Powertools' idempotency) are imported
when the dependencies are first built, not when the app is imported: a cold start loads only what
its first request needs."""
from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .config import Settings, settings
from .domain.calendar import Clock
from .domain.errors import ConcurrentUpdate, InvalidInput
from .domain.ids import seal, unseal
from .services import tickets
from .services.context import Deps
from .services.tickets import Receipt

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    from .services.commands import SubmitTicket


def build(config: Settings) -> Deps:
    """The one place that knows which adapter stands behind each port."""
    import boto3
    from botocore.config import Config

    from .adapters import dynamo
    from .adapters.aws import ParkedQueue, S3Photos, SiteStore, TableStream, Workflow
    from .adapters.cognito import CognitoDirectory
    from .adapters.sms import SnsSms
    from .adapters.tokens import CognitoTokens, jwks_keys

    models = dynamo.models_for(config.table_name, config.region)
    session = boto3.session.Session(region_name=config.region)
    # Browsers reach storage (upload forms, staff photo links) at its public address: the bucket's
    # regional name in AWS (the one the site's content policy allows), the emulator's locally.
    browser_s3 = session.client(
        "s3", endpoint_url=config.upload_endpoint or f"https://s3.{config.region}.amazonaws.com",
        config=Config(signature_version="s3v4",
                      s3={"addressing_style": "path" if config.upload_endpoint else "virtual"}))
    return Deps(
        settings=config,
        tickets=dynamo.TicketRepository(models),
        counters=dynamo.CounterRepository(models),
        config=dynamo.ConfigRepository(models),
        workflow=Workflow(session.client("stepfunctions"), config.state_machine_arn),
        site=SiteStore(session.client("s3"), config.site_bucket),
        photos=S3Photos(session.client("s3"), config.upload_bucket, config.site_bucket, browser_s3),
        sms=SnsSms(session.client("sns")),
        dead_letters=ParkedQueue(session.client("sqs"), config.dead_letter_queue_url),
        stream_failures=ParkedQueue(session.client("sqs"), config.stream_failure_queue_url),
        stream=TableStream(session.client("dynamodbstreams")),
        limits=dynamo.LimitRepository(models),
        listings=dynamo.ListingRepository(models),
        pages=dynamo.PendingPages(models, _waker(session.client("sqs"), config), config.page_interval_seconds,
                                  config.slow_page_interval_seconds),
        staff_tokens=CognitoTokens(jwks_keys(config.staff_keys_url), config.staff_issuer, config.staff_client_id),
        staff=CognitoDirectory(session.client("cognito-idp"), config.staff_pool_id),
        access_log=dynamo.AccessRepository(models),
        templates=dynamo.TemplateRepository(models),
        imports=dynamo.ImportRepository(models),
        clients=dynamo.ClientKeyRepository(models),
        base_clock=Clock(workday_seconds=config.workday_seconds),
    )


def _waker(sqs: Any, config: Settings) -> Callable[[float], None]:
    """One message, delayed until the build is due, that wakes the coalesced build of the shared pages."""
    def wake(delay: float) -> None:
        sqs.send_message(QueueUrl=config.page_queue_url, MessageBody='{"build": "pages"}',
                         DelaySeconds=max(0, min(900, math.ceil(delay))))
    return wake


@lru_cache(maxsize=1)
def deps() -> Deps:
    return build(settings())


def reset() -> None:
    """Forget settings and clients (tests that switch tables or endpoints)."""
    settings.cache_clear()
    deps.cache_clear()
    _idempotent_submit.cache_clear()
    _idempotency_rules.cache_clear()


@lru_cache(maxsize=1)
def _idempotency_rules() -> IdempotencyConfig:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

    return IdempotencyConfig(event_key_jmespath="idempotency_key",
                             payload_validation_jmespath="[location, category, kind, description]",
                             expires_after_seconds=24 * 3600)


@lru_cache(maxsize=1)
def _idempotent_submit() -> Callable[..., dict[str, str | bool]]:
    from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, idempotent_function

    from .adapters import dynamo

    config = settings()
    # The table's one client, made when the app's dependencies were: a client of its own, made here
    # by the first submit, was made by every submit of a burst's first seconds at once (this cache
    # holds no lock), and under a burst that was up to a third of the API's CPU.
    layer = DynamoDBPersistenceLayer(
        table_name=config.table_name, key_attr="pk", sort_key_attr="sk",
        static_pk_value="IDEMPOTENCY#submit",
        boto3_client=dynamo.table_client(dynamo.models_for(config.table_name, config.region)))
    @idempotent_function(data_keyword_argument="data", persistence_store=layer, config=_idempotency_rules())
    def run(data: SubmitTicket, by: str = "") -> dict[str, str | bool]:
        # What is stored for replays (24 h) keeps the tracking secret sealed under the client's own
        # idempotency key, which the table never holds (Powertools stores only its hash).
        receipt = tickets.submit(data, deps(), by=by)
        page, secret = receipt.tracking.split("#k=", 1)
        return {"number": receipt.number, "page": receipt.page, "sms": receipt.sms,
                "sealed": seal(secret, data.idempotency_key or "")}

    return run


def submit_once(command: SubmitTicket, lambda_context: Any = None, by: str = "") -> dict[str, str | bool]:
    """Submit; the same idempotency key (a double tap, a retry) answers the first receipt. `by`:
    the staff account filing for a citizen (the hotline operator)."""
    if not command.idempotency_key:
        return tickets.submit(command, deps(), by=by).as_dict()
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyValidationError,
    )

    if lambda_context is not None:
        # Lets a record left by a Lambda that timed out mid-submit expire with that Lambda.
        _idempotency_rules().register_lambda_context(lambda_context)
    try:
        stored = _idempotent_submit()(data=command, by=by)
    except IdempotencyAlreadyInProgressError:
        raise ConcurrentUpdate("the same submission is being processed; retry in a moment") from None
    except IdempotencyValidationError:
        raise InvalidInput("idempotency_key was used for a different submission",
                           field="idempotency_key") from None
    secret = unseal(str(stored["sealed"]), command.idempotency_key)
    return Receipt(str(stored["number"]), str(stored["page"]), f"{stored['page']}#k={secret}",
                   bool(stored.get("sms"))).as_dict()
