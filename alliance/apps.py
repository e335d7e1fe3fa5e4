from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class AllianceConfig(AppConfig):
    name = "alliance"
    default = True
    verbose_name = "Alliance"

    def ready(self) -> None:
        from alliance import background  # noqa: F401  # its retry policy listens for finished tasks


class BackgroundWorkConfig(TasksAppConfig):
    """django-tasks-db's queue, under a name the secretariat reads in its own language."""

    verbose_name = _("Background work")  # type: ignore[assignment]  # Django reads it lazily
