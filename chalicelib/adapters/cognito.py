"""Staff accounts in a Cognito user pool: one group per role, the department in a custom attribute."""
from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from ..domain.errors import InvalidInput, NotFound
from ..domain.staff import Role
from ..services.ports import Account
from .tokens import DEPARTMENT_CLAIM

NAME = "name"


class CognitoDirectory:
    def __init__(self, client: Any, pool_id: str) -> None:
        self._idp, self._pool = client, pool_id

    def accounts(self) -> list[Account]:
        roles: dict[str, str] = {}
        for role in Role:
            for page in self._idp.get_paginator("list_users_in_group").paginate(
                    UserPoolId=self._pool, GroupName=role.value):
                roles.update({user["Username"]: role.value for user in page["Users"]})
        found = []
        for page in self._idp.get_paginator("list_users").paginate(UserPoolId=self._pool):
            for user in page["Users"]:
                attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
                found.append(Account(user["Username"], roles.get(user["Username"], ""),
                                     attributes.get(DEPARTMENT_CLAIM, ""), attributes.get(NAME, ""),
                                     bool(user.get("Enabled", True))))
        return sorted(found, key=lambda a: a.username)

    def create(self, account: Account, password: str, temporary: bool = True) -> None:
        try:
            self._idp.admin_create_user(
                UserPoolId=self._pool, Username=account.username, TemporaryPassword=password,
                MessageAction="SUPPRESS",
                UserAttributes=[{"Name": NAME, "Value": account.name or account.username},
                                {"Name": DEPARTMENT_CLAIM, "Value": account.department}])
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "UsernameExistsException":
                raise InvalidInput(f"username: '{account.username}' is taken", field="username") from None
            if exc.response["Error"]["Code"] == "InvalidPasswordException":
                raise InvalidInput("password: too weak for the pool's policy", field="password") from None
            raise
        if not temporary:
            self._idp.admin_set_user_password(UserPoolId=self._pool, Username=account.username,
                                              Password=password, Permanent=True)
        self._idp.admin_add_user_to_group(UserPoolId=self._pool, Username=account.username, GroupName=account.role)

    def assign(self, username: str, role: str, department: str) -> None:
        try:
            current = self._idp.admin_list_groups_for_user(UserPoolId=self._pool, Username=username)["Groups"]
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "UserNotFoundException":
                raise NotFound(f"username: no account '{username}'", field="username") from None
            raise
        for group in current:
            if group["GroupName"] != role:
                self._idp.admin_remove_user_from_group(UserPoolId=self._pool, Username=username,
                                                       GroupName=group["GroupName"])
        self._idp.admin_add_user_to_group(UserPoolId=self._pool, Username=username, GroupName=role)
        self._idp.admin_update_user_attributes(UserPoolId=self._pool, Username=username,
                                               UserAttributes=[{"Name": DEPARTMENT_CLAIM, "Value": department}])

    def enable(self, username: str, enabled: bool) -> None:
        try:
            if enabled:
                self._idp.admin_enable_user(UserPoolId=self._pool, Username=username)
            else:
                self._idp.admin_disable_user(UserPoolId=self._pool, Username=username)
                self._idp.admin_user_global_sign_out(UserPoolId=self._pool, Username=username)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "UserNotFoundException":
                raise NotFound(f"username: no account '{username}'", field="username") from None
            raise
