from django.apps import AppConfig


class LookupConfig(AppConfig):
    name = "lookup"
    verbose_name = "Code lookup (search, tabular browser, alphabetic index)"

    def ready(self) -> None:
        from . import receivers  # noqa: F401
