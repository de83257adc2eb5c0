"""Upload size limits enforced while the request body is read, not after it is stored."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.views.decorators.csrf import csrf_protect

from accounts.permissions import require_admin

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


def admin_upload(request, *, form_class, page: Callable, handle: Callable, initial: dict | None = None):
    """An administrator's upload page: the blank form, or the posted files checked and handed to ``handle``.

    The body is refused by its declared length before anything reads it, the size limit is installed before the
    form (or the CSRF check) reads it, then CSRF is checked. Call it from a ``csrf_exempt`` view.
    ``page(request, form, error="", status=200)`` renders the page; ``handle(request, form)`` gets a valid form."""
    require_admin(request.user)
    if request.method != "POST":
        return page(request, form_class(initial=initial))
    if body_too_large(request):
        return page(request, form_class(), too_large_message(["The upload"]), status=413)
    limiter = install_size_limit(request)
    return csrf_protect(_checked_upload)(request, limiter, form_class, page, handle)


def _checked_upload(request, limiter, form_class, page, handle):
    form = form_class(request.POST, request.FILES)
    if limiter.too_large:
        return page(request, form, too_large_message(limiter.too_large), status=400)
    if not form.is_valid():
        return page(request, form, status=400)
    return handle(request, form)
