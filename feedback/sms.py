"""The SMS backends live in `operations.sms` (the lower of the two apps that send SMS); this name stays so
`SMS_BACKEND = "feedback.sms.…"` settings and existing imports keep working."""

from operations.sms import (  # noqa: F401
    BaseSmsBackend,
    ConsoleBackend,
    FileBackend,
    LocmemBackend,
    SmsMessage,
    get_connection,
    outbox,
    send_sms,
)
