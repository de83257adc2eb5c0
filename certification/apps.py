from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "certification"
    verbose_name = "Certification exams and readiness"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (release_ready: flag questions naming changed codes)
