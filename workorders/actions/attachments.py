"""Photos on an order (DESIGN §3): checked by content, not by name."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from ..choices import AttachmentKind, Move
from ..lifecycle import can
from ..models import Attachment, WorkOrder, WorkOrderEvent

# --- Photos -----------------------------------------------------------------------------------------------

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def sniff_image_type(head: bytes) -> str | None:
    """The image type from the file's first bytes (not its name or the browser's claim)."""
    for magic, content_type in _SIGNATURES:
        if head.startswith(magic):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"hevc"):
        return "image/heic"
    return None


def add_attachment(
    *, actor, order: WorkOrder, file: UploadedFile, kind: str = AttachmentKind.OTHER
) -> Attachment:
    """Attach a photo to an order the actor can see: type sniffed from content, at most 10 MB."""
    from ..permissions import is_crew_member_of

    if not (can(Move.DISPATCH, actor, order) or is_crew_member_of(actor, order)):
        raise PermissionDenied(_("Only the order's crew and the desk may add photos."))
    if kind not in AttachmentKind.values:
        raise ValidationError({"kind": [_("Unknown photo kind.")]})
    if file.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": [_("The photo is larger than 10 MB; take a smaller one.")]})
    head = file.read(16)
    file.seek(0)
    content_type = sniff_image_type(head)
    if content_type is None:
        raise ValidationError({"file": [_("Only photos (JPEG, PNG, GIF, WebP, HEIC) can be attached.")]})
    with transaction.atomic():
        attachment = Attachment.objects.create(
            order=order, kind=kind, file=file, content_type=content_type, size=file.size, uploaded_by=actor
        )
        WorkOrderEvent.objects.create(
            order=order,
            actor=actor,
            kind=Move.ATTACH,
            from_status=order.status,
            to_status=order.status,
            data={"attachment": attachment.id, "kind": kind},
        )
    return attachment
