"""Code-set services: importing releases, their diff, activation, and content flags."""

from .activation import release_activate
from .diff import release_diff_compute
from .errors import CodeSetImportError
from .flags import content_flag_raise, content_flag_resolve
from .imports import (
    ImportOutcome,
    ProgressReporter,
    file_sha256,
    progress_cache_key,
    release_fail_stale,
    release_import,
    release_import_run,
    release_prepare,
)
from .uploads import release_upload_create

__all__ = [
    "CodeSetImportError",
    "ImportOutcome",
    "ProgressReporter",
    "content_flag_raise",
    "content_flag_resolve",
    "file_sha256",
    "progress_cache_key",
    "release_activate",
    "release_diff_compute",
    "release_fail_stale",
    "release_import",
    "release_import_run",
    "release_prepare",
    "release_upload_create",
]
