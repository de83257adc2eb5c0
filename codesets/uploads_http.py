"""Upload size limits enforced while the request body is read, not after it is stored."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

# Two files (XML + order file) plus form fields.
FORM_OVERHEAD_BYTES = 1024 * 1024


class SizeLimitUploadHandler(FileUploadHandler):
    """Skips (never stores) any uploaded file larger than settings.MAX_UPLOAD_BYTES and remembers it."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = settings.MAX_UPLOAD_BYTES
        self.too_large: list[str] = []
        self._received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self._received = 0

    def receive_data_chunk(self, raw_data, start):
        self._received += len(raw_data)
        if self._received > self.limit:
            self.too_large.append(self.file_name or "The file")
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size):
        return None


def install_size_limit(request) -> SizeLimitUploadHandler:
    """Call before anything reads request.POST/FILES (views are csrf_exempt + csrf_protect inside)."""
    handler = SizeLimitUploadHandler(request)
    request.upload_handlers.insert(0, handler)
    return handler


def body_too_large(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > 2 * settings.MAX_UPLOAD_BYTES + FORM_OVERHEAD_BYTES


def too_large_message(names: list[str]) -> str:
    limit_mb = settings.MAX_UPLOAD_BYTES / (1024 * 1024)
    return f"{', '.join(names)} is larger than the {limit_mb:.0f} MB limit for code-set files; nothing was stored."
