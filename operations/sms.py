"""SMS backends, shaped like Django's email backends: `SMS_BACKEND` names a class path; `get_connection()`
builds it; `send_messages([SmsMessage…])` returns how many went out.

- `ConsoleBackend` (default): writes each message to stdout / the log — the embedded mode.
- `FileBackend`: appends one JSON line per message to `SMS_FILE_PATH` (tests that cross processes).
- `LocmemBackend`: keeps messages in `feedback.sms.outbox` (the test settings).
A real gateway is one more subclass of `BaseSmsBackend`; it should pass `message.key` to the gateway as the
client message id, so that a crash between the gateway's answer and our "sent" mark cannot send twice.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("feedback.sms")

outbox: list[SmsMessage] = []


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    body: str
    key: str = ""  # our Notification key: the idempotency key a gateway can deduplicate on


class BaseSmsBackend:
    def __init__(self, fail_silently: bool = False, **kwargs) -> None:
        self.fail_silently = fail_silently

    def send_messages(self, messages: list[SmsMessage]) -> int:
        raise NotImplementedError("subclasses of BaseSmsBackend must override send_messages()")


class ConsoleBackend(BaseSmsBackend):
    def __init__(self, *args, stream=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.Lock()

    def send_messages(self, messages: list[SmsMessage]) -> int:
        with self._lock:
            for message in messages:
                self.stream.write(f"[SMS to {message.phone}] {message.body}\n")
            self.stream.flush()
        return len(messages)


class FileBackend(BaseSmsBackend):
    def __init__(self, *args, file_path: str | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        path = file_path or getattr(settings, "SMS_FILE_PATH", None)
        if not path:
            import os

            path = os.environ.get("SMS_FILE_PATH", "")
        if not path:
            raise ValueError("FileBackend needs SMS_FILE_PATH (a setting or environment variable).")
        self.path = Path(path)

    def send_messages(self, messages: list[SmsMessage]) -> int:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            for message in messages:
                fh.write(json.dumps(asdict(message), ensure_ascii=False) + "\n")
        return len(messages)


class LocmemBackend(BaseSmsBackend):
    def send_messages(self, messages: list[SmsMessage]) -> int:
        outbox.extend(messages)
        return len(messages)


def get_connection(backend: str | None = None, fail_silently: bool = False, **kwargs) -> BaseSmsBackend:
    klass = import_string(backend or settings.SMS_BACKEND)
    return klass(fail_silently=fail_silently, **kwargs)


def send_sms(phone: str, body: str, *, key: str = "", connection: BaseSmsBackend | None = None) -> int:
    connection = connection or get_connection()
    return connection.send_messages([SmsMessage(phone=phone, body=body, key=key)])
