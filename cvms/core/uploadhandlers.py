"""An upload handler that never stores more of a file than the portals and the API accept.

Django spools an uploaded file of any size to disk before a view can look at it. The first handler
in ``FILE_UPLOAD_HANDLERS`` passes a file's bytes on to the storing handlers only up to
``CVMS_UPLOAD_MAX_BYTES``; past that it only counts them, and hands the view an empty file that
knows its real size, so the view refuses it with the usual message ("The file is 12.4 MB; the
limit is 5 MB.") and nothing big was ever kept.
"""

import io

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class OversizedUpload(UploadedFile):
    """A file that was too big to keep: its name, type and size, no content."""

    oversized = True

    def __init__(self, *, name: str, content_type: str, size: int, charset=None):
        super().__init__(io.BytesIO(b""), name=name, content_type=content_type, size=size, charset=charset)


class SizeCapUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.over_cap = False

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.CVMS_UPLOAD_MAX_BYTES:
            self.over_cap = True
        return None if self.over_cap else raw_data  # None: the storing handlers get no more of it

    def file_complete(self, file_size):
        if not self.over_cap:
            return None  # the storing handler after this one hands over the file
        return OversizedUpload(name=self.file_name, content_type=self.content_type, size=file_size,
                               charset=self.charset)
