"""SMS backends for tests: a broken gateway, and a slow file backend (the real-worker test kills it mid-send)."""

import os
import time

from feedback.sms import BaseSmsBackend, FileBackend


class BrokenBackend(BaseSmsBackend):
    def send_messages(self, messages):
        raise ConnectionError("gateway down")


class SlowFileBackend(FileBackend):
    """Waits SMS_SLOW_SECONDS before writing, so a test can kill the worker between claim and send."""

    def send_messages(self, messages):
        time.sleep(float(os.environ.get("SMS_SLOW_SECONDS", "0.5")))
        return super().send_messages(messages)
