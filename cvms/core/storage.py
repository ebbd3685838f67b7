"""Storage for uploaded files. They hold personal data, so none has a public URL: asking for one
raises, and every download goes through a view that checks who asks."""

from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    def url(self, name):
        raise ValueError("Uploaded files have no public URL; serve them through an access-checked view.")
