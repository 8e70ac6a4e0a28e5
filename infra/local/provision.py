"""Create the template's resources on a moto endpoint from the same definitions as production."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from chalicelib import config
from infra.definitions import load_template, state_machine_files, substitute

LOCAL_ROLE = "arn:aws:iam::123456789012:role/mashang-local-workflow"


@dataclass
class Resources:
    """Physical names/ARNs of the provisioned resources, by logical id."""

    refs: dict[str, str] = field(default_factory=dict)
    arns: dict[str, str] = field(default_factory=dict)
    stream_arns: dict[str, str] = field(default_factory=dict)
    # The site's origin, where the template names it (the upload bucket's CORS rule).
    site_origin: str = "http://127.0.0.1:8080"
    endpoint: str = ""  # the emulator's address

    @property
    def table(self) -> str:
        return self.refs["Table"]

    @property
    def site_bucket(self) -> str:
        return self.refs["SiteBucket"]

    @property
    def task_queue_url(self) -> str:
        return self.refs["TaskQueue"]

    @property
    def dead_letter_queue_url(self) -> str:
        return self.refs["TaskDeadLetterQueue"]

    @property
    def stream_failure_queue_url(self) -> str:
        return self.refs["StreamFailureQueue"]

    @property
    def page_queue_url(self) -> str:
        return self.refs["PageQueue"]

    @property
    def state_machine_arn(self) -> str:
        return self.refs["TicketWorkflow"]

    @property
    def sms_topic_arn(self) -> str:
        return self.refs["SmsTopic"]

    @property
    def table_stream_arn(self) -> str:
        return self.stream_arns["Table"]

    @property
    def staff_pool_id(self) -> str:
        return self.refs["StaffPool"]

    def environment(self) -> dict[str, str]:
        """The Lambda environment the template's Globals would give (chalicelib/config.py names)."""
        return {
            "MASHANG_TABLE": self.table,
            "MASHANG_SITE_BUCKET": self.site_bucket,
            "MASHANG_UPLOAD_BUCKET": self.refs["UploadBucket"],
            "MASHANG_TASK_QUEUE_URL": self.task_queue_url,
            "MASHANG_DEAD_LETTER_QUEUE_URL": self.dead_letter_queue_url,
            "MASHANG_STREAM_FAILURE_QUEUE_URL": self.stream_failure_queue_url,
            config.PAGE_QUEUE_URL: self.page_queue_url,
            config.STAFF_POOL_ID: self.staff_pool_id,
            config.STAFF_CLIENT_ID: self.refs["StaffPoolClient"],
            # The emulator publishes each pool's keys under its own address (AWS: the issuer's).
            config.STAFF_JWKS_URL: f"{self.endpoint}/{self.staff_pool_id}/.well-known/jwks.json",
            "MASHANG_SMS_TOPIC_ARN": self.sms_topic_arn,
            "MASHANG_STATE_MACHINE_ARN": self.state_machine_arn,
        }


class _Resolver:
    def __init__(self, made: Resources) -> None:
        self.made = made

    def __call__(self, value: Any) -> Any:
        if isinstance(value, dict):
            if "Ref" in value:
                return self.made.refs[value["Ref"]]
            if "Fn::GetAtt" in value:
                name, attribute = value["Fn::GetAtt"]
                return {"Arn": self.made.arns, "StreamArn": self.made.stream_arns}[attribute][name]
            return {k: self(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self(v) for v in value]
        return value


def provision(session: Any, prefix: str = "mashang", site_origin: str = "http://127.0.0.1:8080") -> Resources:
    """Create table, buckets, queues, topics and state machines on the session's endpoint."""
    template = load_template()
    made = Resources(site_origin=site_origin, endpoint=session.client("sqs").meta.endpoint_url.rstrip("/"))
    resolve = _Resolver(made)
    resources = template["Resources"]
    # Dead-letter queues before the queues that name them; state machines last.
    order = sorted(resources, key=lambda n: (
        resources[n].get("Type") == "AWS::StepFunctions::StateMachine",
        "RedrivePolicy" in resources[n].get("Properties", {})))
    for name in order:
        kind = resources[name].get("Type")
        creator = _CREATORS.get(kind or "")
        if creator:
            creator(session, f"{prefix}-{name.lower()}", name, resources[name].get("Properties", {}), made, resolve)
    for name, path in state_machine_files(template).items():
        props = resolve(resources[name]["Properties"].get("DefinitionSubstitutions", {}))
        definition = substitute(path.read_text(encoding="utf-8"), props)
        sfn = session.client("stepfunctions")
        arn = sfn.create_state_machine(name=f"{prefix}-{name.lower()}", definition=definition,
                                       roleArn=LOCAL_ROLE, type="STANDARD")["stateMachineArn"]
        made.refs[name] = made.arns[name] = arn
    return made


def _table(session: Any, physical: str, name: str, props: dict[str, Any], made: Resources, resolve: Any) -> None:
    ddb = session.client("dynamodb")
    args = {k: props[k] for k in ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes",
                                  "BillingMode", "StreamSpecification") if k in props}
    if "StreamSpecification" in args:
        args["StreamSpecification"] = {"StreamEnabled": True, **args["StreamSpecification"]}
    table = ddb.create_table(TableName=physical, **args)["TableDescription"]
    ttl = props.get("TimeToLiveSpecification")
    if ttl:
        ddb.update_time_to_live(TableName=physical, TimeToLiveSpecification=ttl)
    if props.get("PointInTimeRecoverySpecification"):
        ddb.update_continuous_backups(TableName=physical,
                                      PointInTimeRecoverySpecification=props["PointInTimeRecoverySpecification"])
    made.refs[name], made.arns[name] = physical, table["TableArn"]
    if "LatestStreamArn" in table:
        made.stream_arns[name] = table["LatestStreamArn"]


def _bucket(session: Any, physical: str, name: str, props: dict[str, Any], made: Resources, resolve: Any) -> None:
    s3 = session.client("s3")
    s3.create_bucket(Bucket=physical)
    cors = props.get("CorsConfiguration")
    if cors:  # the template's rules, for the local site's origin
        s3.put_bucket_cors(Bucket=physical, CORSConfiguration={"CORSRules": [
            {"AllowedOrigins": [made.site_origin], "AllowedMethods": rule["AllowedMethods"],
             "AllowedHeaders": rule.get("AllowedHeaders", []), "MaxAgeSeconds": rule.get("MaxAge", 0)}
            for rule in cors["CorsRules"]]})
    made.refs[name], made.arns[name] = physical, f"arn:aws:s3:::{physical}"


def _queue(session: Any, physical: str, name: str, props: dict[str, Any], made: Resources, resolve: Any) -> None:
    sqs = session.client("sqs")
    attributes = {k: str(v) for k, v in props.items() if k in ("VisibilityTimeout", "MessageRetentionPeriod")}
    if "RedrivePolicy" in props:
        attributes["RedrivePolicy"] = json.dumps(resolve(props["RedrivePolicy"]))
    url = sqs.create_queue(QueueName=physical, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    made.refs[name], made.arns[name] = url, arn


def _topic(session: Any, physical: str, name: str, props: dict[str, Any], made: Resources, resolve: Any) -> None:
    arn = session.client("sns").create_topic(Name=physical)["TopicArn"]
    made.refs[name] = made.arns[name] = arn


def _user_pool(session: Any, physical: str, name: str, props: dict[str, Any], made: Resources, resolve: Any) -> None:
    keep = ("AdminCreateUserConfig", "UsernameConfiguration", "Policies", "Schema", "AccountRecoverySetting")
    given = {k: props[k] for k in keep if k in props}
    pool = session.client("cognito-idp").create_user_pool(PoolName=physical, **given)
    made.refs[name], made.arns[name] = pool["UserPool"]["Id"], pool["UserPool"]["Arn"]


def _pool_client(session: Any, physical: str, name: str, props: dict[str, Any], made: Resources, resolve: Any) -> None:
    keep = ("GenerateSecret", "ExplicitAuthFlows", "PreventUserExistenceErrors", "EnableTokenRevocation",
            "AccessTokenValidity", "IdTokenValidity", "RefreshTokenValidity", "TokenValidityUnits",
            "ReadAttributes", "WriteAttributes")
    client = session.client("cognito-idp").create_user_pool_client(
        UserPoolId=resolve(props["UserPoolId"]), ClientName=props.get("ClientName", physical),
        **{k: props[k] for k in keep if k in props})
    made.refs[name] = client["UserPoolClient"]["ClientId"]


def _pool_group(session: Any, physical: str, name: str, props: dict[str, Any], made: Resources, resolve: Any) -> None:
    session.client("cognito-idp").create_group(UserPoolId=resolve(props["UserPoolId"]), GroupName=props["GroupName"],
                                               Description=props.get("Description", ""))
    made.refs[name] = props["GroupName"]


_CREATORS = {
    "AWS::DynamoDB::Table": _table,
    "AWS::S3::Bucket": _bucket,
    "AWS::SQS::Queue": _queue,
    "AWS::SNS::Topic": _topic,
    "AWS::Cognito::UserPool": _user_pool,
    "AWS::Cognito::UserPoolClient": _pool_client,
    "AWS::Cognito::UserPoolGroup": _pool_group,
}


def existing(session: Any, prefix: str = "mashang", site_origin: str = "http://127.0.0.1:8080") -> Resources:
    """The resources `provision` made on the session's endpoint, found again by their names (a
    second process working on the running twin, such as `make rebuild`)."""
    template = load_template()
    made = Resources(site_origin=site_origin, endpoint=session.client("sqs").meta.endpoint_url.rstrip("/"))
    sqs, ddb, idp = session.client("sqs"), session.client("dynamodb"), session.client("cognito-idp")
    for name, resource in template["Resources"].items():
        physical, kind = f"{prefix}-{name.lower()}", resource.get("Type")
        if kind == "AWS::DynamoDB::Table":
            table = ddb.describe_table(TableName=physical)["Table"]
            made.refs[name], made.arns[name] = physical, table["TableArn"]
            if "LatestStreamArn" in table:
                made.stream_arns[name] = table["LatestStreamArn"]
        elif kind == "AWS::S3::Bucket":
            session.client("s3").head_bucket(Bucket=physical)
            made.refs[name], made.arns[name] = physical, f"arn:aws:s3:::{physical}"
        elif kind == "AWS::SQS::Queue":
            url = sqs.get_queue_url(QueueName=physical)["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            made.refs[name], made.arns[name] = url, arn
        elif kind == "AWS::SNS::Topic":
            made.refs[name] = made.arns[name] = session.client("sns").create_topic(Name=physical)["TopicArn"]
        elif kind == "AWS::Cognito::UserPool":
            pool = next(p for p in idp.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == physical)
            made.refs[name] = pool["Id"]
        elif kind == "AWS::Cognito::UserPoolClient":
            pool_id = made.refs[resource["Properties"]["UserPoolId"]["Ref"]]
            clients = idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=10)["UserPoolClients"]
            made.refs[name] = clients[0]["ClientId"]
    machines = session.client("stepfunctions").list_state_machines()["stateMachines"]
    for name in state_machine_files(template):
        arn = next(m["stateMachineArn"] for m in machines if m["name"] == f"{prefix}-{name.lower()}")
        made.refs[name] = made.arns[name] = arn
    return made
