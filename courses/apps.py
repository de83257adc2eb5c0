from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = "Courses and cohorts"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects receivers)
