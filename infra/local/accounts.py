"""Demo staff accounts for the local twin: one per role, and handlers for two departments. They
sign in against the emulator's user pool with the printed password; a fresh pool every start."""
from __future__ import annotations

from typing import Any

from chalicelib.services.context import Deps
from chalicelib.services.ports import Account

# Good enough for a demo on this machine only; the pool's policy accepts it.
DEMO_PASSWORD = "Mashang-demo-2026"
DEMO_ACCOUNTS = (
    Account("operator", "operator", "center", "话务员 王丽", True),
    Account("dispatcher", "dispatcher", "center", "派单员 李强", True),
    Account("supervisor", "supervisor", "center", "督办员 陈静", True),
    Account("admin", "admin", "center", "管理员 赵敏", True),
    Account("handler-qh-cgj", "handler", "qh-cgj", "清河区城管局 周杰", True),
    Account("handler-jtj", "handler", "jtj", "市交通运输局 吴磊", True),
    Account("handler-swj", "handler", "swj", "市水务局 郑涛", True),
)


def create_demo_accounts(deps: Deps) -> list[Account]:
    for account in DEMO_ACCOUNTS:
        deps.staff.create(account, DEMO_PASSWORD, temporary=False)
    return list(DEMO_ACCOUNTS)


def sign_in(idp: Any, client_id: str, username: str, password: str = DEMO_PASSWORD) -> str:
    """An ID token for a staff account, as the console gets one (USER_PASSWORD_AUTH)."""
    answer = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": username, "PASSWORD": password})
    return str(answer["AuthenticationResult"]["IdToken"])
