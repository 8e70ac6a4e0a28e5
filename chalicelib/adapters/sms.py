"""SMS through SNS (a provider adapter: other gateways implement the same `send`)."""
from __future__ import annotations

from typing import Any


class SnsSms:
    def __init__(self, sns: Any, sender_id: str = "MASHANG") -> None:
        self._sns, self._sender = sns, sender_id

    def send(self, phone: str, text: str) -> None:
        number = phone if phone.startswith("+") else f"+86{phone}"
        self._sns.publish(PhoneNumber=number, Message=text, MessageAttributes={
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
            "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": self._sender},
        })
