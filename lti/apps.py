from django.apps import AppConfig


class LtiConfig(AppConfig):
    name = "lti"
    verbose_name = "LMS integration (LTI 1.3)"

    def ready(self) -> None:
        from . import receivers, schema  # noqa: F401  (grade passback follows recorded scores; API token scheme)
