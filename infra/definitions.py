"""Reads the one definition of every resource (template.json + statemachines/*.asl.json)."""
from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path
from typing import Any

INFRA = Path(__file__).resolve().parent
TEMPLATE = INFRA / "template.json"
DEFINITION_KEY = "mashang:definition"
MESSAGE_KEY = "mashang:message"
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


def load_template() -> dict[str, Any]:
    return json.loads(TEMPLATE.read_text(encoding="utf-8"))


def state_machine_files(template: dict[str, Any]) -> dict[str, Path]:
    """Logical id -> ASL file, for every state machine in the template."""
    return {
        name: INFRA / res["Metadata"][DEFINITION_KEY]
        for name, res in template["Resources"].items()
        if res.get("Type") == "AWS::StepFunctions::StateMachine"
    }


def substitute(asl_text: str, values: dict[str, str]) -> str:
    """Fill ${Placeholders} the way DefinitionSubstitutions does; a missing one is an error."""
    def fill(match: re.Match[str]) -> str:
        try:
            return values[match.group(1)]
        except KeyError:
            raise KeyError(f"no value for placeholder ${{{match.group(1)}}}") from None
    return _PLACEHOLDER.sub(fill, asl_text)


UPLOAD_ORIGIN = "https://${AWS::StackName}-uploads-${AWS::AccountId}.s3.${AWS::Region}.amazonaws.com"
SIGN_IN_ORIGIN = "https://cognito-idp.${AWS::Region}.amazonaws.com"


def site_headers(api_url: str, upload_origin: str, template: dict[str, Any] | None = None,
                 sign_in_origin: str | None = None) -> dict[str, str]:
    """The site's security headers as the template's CloudFront policy sends them (the local site
    server sends the same, from this one definition; its storage and its user pool have other
    origins)."""
    config = (template or load_template())["Resources"]["SiteHeaders"]["Properties"]
    security = config["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    hsts = security["StrictTransportSecurity"]
    policy = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"].replace(UPLOAD_ORIGIN, upload_origin)
    policy = policy.replace(SIGN_IN_ORIGIN, sign_in_origin or upload_origin)
    return {
        "Content-Security-Policy": substitute(policy, {"ApiUrl": api_url}),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": security["FrameOptions"]["FrameOption"],
        "Referrer-Policy": security["ReferrerPolicy"]["ReferrerPolicy"],
        "Strict-Transport-Security": f"max-age={hsts['AccessControlMaxAgeSec']}; includeSubDomains",
    }


def merge_template() -> dict[str, Any]:
    """The template for `chalice package --merge-template`, state machines inlined as objects
    (the Definition form is the one cfn-lint checks)."""
    template = copy.deepcopy(load_template())
    for name, path in state_machine_files(template).items():
        template["Resources"][name]["Properties"]["Definition"] = json.loads(path.read_text(encoding="utf-8"))
    for resource in template["Resources"].values():
        if MESSAGE_KEY in resource.get("Metadata", {}):
            _fill_message(resource)
    return template


def _fill_message(response: dict[str, Any]) -> None:
    """A gateway response's JSON body with its text from the message catalogue (zh-CN: a gateway
    response cannot choose by Accept-Language), so no UI text is spelled in the template."""
    from chalicelib.i18n import t

    wanted = response["Metadata"][MESSAGE_KEY]
    templates = response["Properties"]["ResponseTemplates"]
    body = json.loads(templates["application/json"])
    body["message"] = t(wanted["key"], **wanted.get("fields", {}))
    templates["application/json"] = json.dumps(body, ensure_ascii=False)


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(merge_template(), ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {out}")
