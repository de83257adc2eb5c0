import logging

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and audit"

    def ready(self) -> None:
        from django.conf import settings

        from . import signals  # noqa: F401  (connects receivers)

        if settings.CELERY_TASK_ALWAYS_EAGER:
            logging.getLogger("coding_lms").info(
                "Embedded mode: Celery tasks run eagerly in the web process. Set REDIS_URL to use a worker."
            )
