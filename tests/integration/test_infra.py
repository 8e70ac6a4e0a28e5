"""The local twin is built from the same definitions as production, and those definitions validate."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from infra.definitions import load_template, merge_template, state_machine_files, substitute

ROOT = Path(__file__).resolve().parents[2]
ASL_VALIDATOR = ROOT / "infra" / "node_modules" / ".bin" / "asl-validator"


def test_the_local_table_has_the_templates_keys_indexes_and_stream(stack):
    spec = load_template()["Resources"]["Table"]["Properties"]
    table = stack.session.client("dynamodb").describe_table(TableName=stack.resources.table)["Table"]
    assert table["KeySchema"] == spec["KeySchema"]
    assert sorted(i["IndexName"] for i in table["GlobalSecondaryIndexes"]) == \
        sorted(i["IndexName"] for i in spec["GlobalSecondaryIndexes"])
    assert table["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"


def test_the_local_task_queue_parks_failures_in_its_dead_letter_queue(stack):
    sqs = stack.session.client("sqs")
    attributes = sqs.get_queue_attributes(QueueUrl=stack.resources.task_queue_url,
                                          AttributeNames=["RedrivePolicy"])["Attributes"]
    policy = json.loads(attributes["RedrivePolicy"])
    assert policy["deadLetterTargetArn"].endswith("taskdeadletterqueue")
    assert int(policy["maxReceiveCount"]) == 5


def test_the_local_state_machine_is_the_asl_file_with_its_placeholders_filled(stack):
    described = stack.sfn.describe_state_machine(stateMachineArn=stack.resources.state_machine_arn)
    definition = json.loads(described["definition"])
    path = state_machine_files(load_template())["TicketWorkflow"]
    original = json.loads(path.read_text())
    assert definition["States"].keys() == original["States"].keys()
    assert definition["States"]["Dispatch"]["Parameters"]["QueueUrl"] == stack.resources.task_queue_url
    assert "${" not in described["definition"]


def test_a_missing_placeholder_value_is_an_error():
    with pytest.raises(KeyError, match="NotThere"):
        substitute('{"a": "${NotThere}"}', {})


def test_the_merge_template_inlines_the_definition_as_an_object():
    workflow = merge_template()["Resources"]["TicketWorkflow"]["Properties"]
    assert isinstance(workflow["Definition"], dict)
    assert workflow["Definition"]["StartAt"] == "Screen"


def test_the_asl_validator_catches_a_dangling_next(tmp_path):
    assert ASL_VALIDATOR.exists(), "run `make test` (it installs the infra/ node tools)"
    path = state_machine_files(load_template())["TicketWorkflow"]
    good = subprocess.run([str(ASL_VALIDATOR), "--json-path", str(path)], capture_output=True, text=True)
    assert good.returncode == 0, good.stdout + good.stderr
    broken = json.loads(path.read_text())
    broken["States"]["Dispatch"]["Next"] = "NoSuchState"
    (tmp_path / "broken.asl.json").write_text(json.dumps(broken))
    bad = subprocess.run([str(ASL_VALIDATOR), "--json-path", str(tmp_path / "broken.asl.json")],
                         capture_output=True, text=True)
    assert bad.returncode != 0


def test_the_api_stage_is_throttled_by_the_templates_parameters():
    template = merge_template()
    settings, = template["Resources"]["RestAPI"]["Properties"]["MethodSettings"]
    assert (settings["ResourcePath"], settings["HttpMethod"]) == ("/*", "*")
    assert settings["ThrottlingRateLimit"] == {"Ref": "ApiThrottleRate"}
    assert settings["ThrottlingBurstLimit"] == {"Ref": "ApiThrottleBurst"}
    parameters = template["Parameters"]
    assert (parameters["ApiThrottleRate"]["Default"], parameters["ApiThrottleBurst"]["Default"]) == (100, 200)


def test_the_gateways_own_throttle_answers_the_polite_429_from_the_message_catalogue():
    from chalicelib.i18n import t

    response = merge_template()["Resources"]["ApiThrottled"]["Properties"]
    assert (response["ResponseType"], response["StatusCode"]) == ("THROTTLED", "429")
    assert response["ResponseParameters"]["gatewayresponse.header.Retry-After"] == "'1'"
    body = json.loads(response["ResponseTemplates"]["application/json"])
    assert body == {"error": "TooManyRequests", "message": t("limit.too_many", seconds=1)}
