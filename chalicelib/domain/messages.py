"""SMS wording, zh-CN, one template per event."""
from __future__ import annotations

SMS_TEMPLATES = {
    "received": "【码上办】您的诉求已受理，编号{number}，可查看办理进度：{page}",
    "invalid": "【码上办】您提交的诉求（编号{number}）未予受理：{reason}。如有疑问请拨打12345。",
    "merged": "【码上办】您反映的问题已有群众反映（编号{original}），已合并办理，进度：{original_page}",
    "new_case": "【码上办】新工单{number}（{category}·{location}），请于{accept_due}前签收。",
    "triage_waiting": "【码上办】工单{number}等待派单已超时，请尽快分派。",
    "escalate_handler": "【码上办·督办】工单{number}已超过{stage}时限，请立即办理。",
    "escalate_head": "【码上办·督办】贵单位工单{number}已超过{stage}时限，请督促办理。",
    "escalate_supervisor": "【码上办·督办】{department}工单{number}超过{stage}时限仍未办理（{level}级督办）。",
    "returned": "【码上办】工单{number}被{department}退回：{reason}。请重新分派。",
    "extension_request": "【码上办】{department}申请工单{number}延期{days}个工作日：{reason}。请审批。",
    "survey": "【码上办】您的诉求{number}已答复，请评价办理结果：{link}",
    "callback": "【码上办】工单{number}群众未评价，请电话回访并录入结果。",
    "reopened": "【码上办】工单{number}群众不满意，已转{department}二次办理（第{round}轮）。",
}

STAGE_WORDS = {"triage": "派单", "accept": "签收", "reply": "办理"}


def render(template: str, **fields: object) -> str:
    return SMS_TEMPLATES[template].format(**fields)
