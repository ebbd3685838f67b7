"""A recipient's check-in code: signed, so nobody can make one up or change one, and holding nothing
about the person but the record's number. It is printed as a QR code on the welcome email (and,
later, on appointment confirmations); a handheld scanner types it into the check-in search box,
which opens the person's record."""

import datetime
import io
from email.mime.image import MIMEImage

import segno
from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from cvms.core.errors import ServiceError
from cvms.recipients.models import Recipient

PREFIX = "CVMS-"
#: The Content-ID of the QR code attached to an email: its HTML shows it as ``<img src="cid:checkin-code">``.
EMAIL_IMAGE_ID = "checkin-code"
_SALT = "cvms.recipients.checkin-code"


class CheckInCodeRefused(ServiceError):
    """A scanned code that opens nobody's record; the message says why, for the person scanning."""

    def __init__(self, message: str):
        super().__init__(message, field="q")


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=_SALT, sep=".")


def checkin_code(recipient: Recipient) -> str:
    """The text of ``recipient``'s check-in code, valid for ``CVMS_CHECKIN_CODE_DAYS``: the prefix,
    the record's number in base 62, the time it was issued and the signature (Django's
    ``TimestampSigner``, "." between the parts)."""
    return PREFIX + _signer().sign(signing.b62_encode(recipient.pk))


def looks_like_checkin_code(text: str) -> bool:
    """Whether search text is a scanned code (rather than a name, a date or a phone)."""
    return text.strip().upper().startswith(PREFIX)


def recipient_for_checkin_code(text: str) -> Recipient:
    """The recipient a scanned code is for. Raises ``CheckInCodeRefused`` with a clear message for a
    code that was changed or issued by another system, one that has expired, and one whose record
    is gone."""
    code = text.strip()
    signed = code[len(PREFIX):] if code.upper().startswith(PREFIX) else code
    max_age = datetime.timedelta(days=settings.CVMS_CHECKIN_CODE_DAYS)
    try:
        number = _signer().unsign(signed, max_age=max_age)
    except signing.SignatureExpired:
        issued = signing.b62_decode(signed.split(".")[1])
        expired = timezone.localdate(datetime.datetime.fromtimestamp(issued, tz=datetime.UTC) + max_age)
        raise CheckInCodeRefused(_("This check-in code expired on %(date)s. Find the person by name and date of "
                                   "birth instead.") % {"date": date_format(expired, "SHORT_DATE_FORMAT")}) from None
    except (signing.BadSignature, ValueError, IndexError):
        raise CheckInCodeRefused(_("This check-in code is not valid here: it was changed, or another system issued "
                                   "it. Find the person by name and date of birth instead.")) from None
    recipient = Recipient.objects.filter(pk=signing.b62_decode(number)).first()
    if recipient is None:
        raise CheckInCodeRefused(_("No recipient has this check-in code any more. Find the person by name and date "
                                   "of birth instead."))
    return recipient


def _qr(code: str) -> segno.QRCode:
    # A fixed mask: choosing the best of eight would triple the time, for a code scanned from a
    # screen or a print-out either way. Medium error correction survives a creased print-out.
    return segno.make_qr(code, error="m", mask=0, boost_error=False)


def checkin_code_png(code: str, *, scale: int = 5) -> bytes:
    """The QR code of ``code`` as a PNG image (emails: an attached image shows in every mail program)."""
    out = io.BytesIO()
    _qr(code).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def checkin_code_svg(code: str, *, scale: int = 5, title: str = "") -> str:
    """The QR code of ``code`` as inline SVG, for a web page or a printout."""
    return _qr(code).svg_inline(scale=scale, title=title or None, border=4)


def checkin_code_attach(message, recipient: Recipient) -> None:
    """Attach ``recipient``'s check-in QR code to ``message`` (an ``EmailMultiAlternatives``) as an image
    its HTML shows with ``<img src="cid:checkin-code">``: the welcome email, and any email that brings
    a person to a clinic (an appointment's confirmation). Sent within the email, the image shows
    without the mail program fetching anything."""
    image = MIMEImage(checkin_code_png(checkin_code(recipient), scale=4), "png")
    image.add_header("Content-ID", f"<{EMAIL_IMAGE_ID}>")
    image.add_header("Content-Disposition", "inline", filename="check-in-code.png")
    message.attach(image)
    message.mixed_subtype = "related"
