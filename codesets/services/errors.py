"""The one exception the import services raise: its message is shown to the admin as is."""


class CodeSetImportError(Exception):
    """An import was refused or failed; nothing of it was kept."""

    def __init__(self, message: str, *, release=None):
        super().__init__(message)
        self.message = message
        self.release = release
