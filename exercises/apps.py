from django.apps import AppConfig


class ExercisesConfig(AppConfig):
    name = "exercises"
    verbose_name = "Chart-coding exercises"

    def ready(self) -> None:
        from . import receivers  # noqa: F401
