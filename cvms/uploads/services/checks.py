"""What makes a file acceptable for its channel: its size, what reading it may cost, its header,
and how many recipient rows it holds. A web request reads a High Volume or API file no further
than its header; the worker counts it (``processing``) before loading any row."""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cvms.uploads.models import UploadChannel
from cvms.uploads.parsing import FileRefused, ReadLimits, Table, open_table
from cvms.uploads.selectors import read_limits

LOW_VOLUME_MAX = 100
HIGH_VOLUME_MAX = 5_000
#: Channels whose files are counted by the worker: the request only opens them and reads the header.
COUNTED_BY_THE_WORKER = (UploadChannel.HIGH_VOLUME, UploadChannel.API)


def check_file(*, handle, filename: str, size: int, channel: UploadChannel) -> tuple[list[str], int | None]:
    """Refuse (``FileRefused``) a file that cannot be loaded through ``channel``; else return its
    header and its number of recipient rows, or ``None`` when the worker counts them. Reads the
    file; the caller rewinds it."""
    max_bytes = settings.CVMS_UPLOAD_MAX_BYTES
    if channel != UploadChannel.BACKEND and size > max_bytes:
        raise FileRefused(_("The file is %(size)s MB; the limit is %(limit)s MB.")
                          % {"size": f"{size / 2 ** 20:.1f}", "limit": f"{max_bytes / 2 ** 20:g}"})
    limits = read_limits(channel, in_request=channel != UploadChannel.BACKEND)
    with open_table(handle, filename, limits) as table:
        if channel in COUNTED_BY_THE_WORKER:
            return table.header, None
        return table.header, check_rows(table=table, channel=channel)


def check_held_file(*, handle, filename: str, size: int) -> list[str]:
    """Refuse (``FileRefused``) a file sent to be loaded through the back end once someone has
    looked at it (a provider's file sent to the help desk): any number of rows, but no more bytes
    than ``CVMS_UPLOAD_MAX_BYTES`` and a workbook that unpacks to no more than a portal's may, read
    no further than its header while the request waits. Returns the header; the caller rewinds."""
    max_bytes = settings.CVMS_UPLOAD_MAX_BYTES
    if getattr(handle, "oversized", False) or size > max_bytes:
        raise FileRefused(_("The file is %(size)s MB; the limit is %(limit)s MB.")
                          % {"size": f"{size / 2 ** 20:.1f}", "limit": f"{max_bytes / 2 ** 20:g}"})
    limits = ReadLimits(max_columns=settings.CVMS_UPLOAD_MAX_COLUMNS,
                        max_unzipped_bytes=settings.CVMS_UPLOAD_MAX_UNZIPPED_BYTES,
                        seconds=settings.CVMS_UPLOAD_READ_SECONDS)
    with open_table(handle, filename, limits) as table:
        return table.header


def check_rows(*, table: Table, channel: UploadChannel) -> int:
    """The number of recipient rows in ``table``; refuses a file with none, or with more than its
    channel takes."""
    cap = None if channel == UploadChannel.BACKEND else HIGH_VOLUME_MAX
    rows = table.count(cap)
    if rows == 0:
        raise FileRefused(_("The file has no recipient rows under the header row."))
    if cap is not None and rows > cap:
        raise FileRefused(_("The file has more than 5,000 recipients. Split it into files of 5,000 or fewer, "
                            "or ask the help desk to load it for you."))
    if channel == UploadChannel.LOW_VOLUME and rows > LOW_VOLUME_MAX:
        raise FileRefused(ngettext(
            "Low Volume takes up to 100 recipients and this file has %(count)s. Use High Volume.",
            "Low Volume takes up to 100 recipients and this file has %(count)s. Use High Volume.", rows,
        ) % {"count": rows})
    return rows
