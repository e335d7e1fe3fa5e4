"""The background work in the admin: what waits, what was sent, and what failed for good.

Secretariat admins see it and may try a failed task again; editors do not see it. Nothing is
edited or deleted here: a task's record is the trace of what the register sent."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from alliance import background
from alliance.background import TaskRecord

admin.site.unregister(DBTaskResult)
# django-tasks-db's names for its records and the columns shown, so that the register's catalogues translate them.
RECORD_NAMES = (_("Task Result"), _("Task Results"), _("enqueued at"), _("finished at"))


class GivenUpFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("failed", _("Failed after every attempt")),
            ("retrying", _("Waiting for another attempt")),
            ("waiting", _("Waiting")),
            ("running", _("Running")),
            ("done", _("Done")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[TaskRecord]) -> QuerySet[TaskRecord]:
        match self.value():
            case "failed":
                return queryset.filter(status=TaskResultStatus.FAILED)
            case "retrying":
                return queryset.filter(status=TaskResultStatus.READY).exclude(worker_ids=[])
            case "waiting":
                return queryset.filter(status=TaskResultStatus.READY, worker_ids=[])
            case "running":
                return queryset.filter(status=TaskResultStatus.RUNNING)
            case "done":
                return queryset.filter(status=TaskResultStatus.SUCCESSFUL)
        return queryset


@admin.register(DBTaskResult)
class BackgroundTaskAdmin(admin.ModelAdmin[TaskRecord]):
    list_display = ("enqueued_at", "what", "state", "tries", "next_attempt", "finished_at")
    list_filter = (GivenUpFilter,)
    ordering = ("-enqueued_at",)
    actions = ("try_again",)
    fields = ("what", "state", "tries", "enqueued_at", "next_attempt", "finished_at", "arguments", "last_error")
    readonly_fields = fields
    list_per_page = 50

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: TaskRecord | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: TaskRecord | None = None) -> bool:
        return False

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("django_tasks_database.change_dbtaskresult")

    @admin.display(description=_("task"))
    def what(self, result: TaskRecord) -> str:
        kwargs = result.args_kwargs.get("kwargs", {})
        if "template" in kwargs:
            return f"{result.task_name}: {kwargs['template']}"
        return str(result.task_name)

    @admin.display(description=_("status"))
    def state(self, result: TaskRecord) -> str:
        if result.status == TaskResultStatus.FAILED:
            return str(_("Failed after every attempt"))
        if result.status == TaskResultStatus.READY and result.worker_ids:
            return str(_("Waiting for another attempt"))
        return str(result.get_status_display())

    @admin.display(description=_("attempts"))
    def tries(self, result: TaskRecord) -> int:
        return background.attempts(result)

    @admin.display(description=_("next attempt"))
    def next_attempt(self, result: TaskRecord) -> Any:
        if result.status != TaskResultStatus.READY:
            return "—"
        return _("now") if result.run_after == get_date_max() else result.run_after

    @admin.display(description=_("arguments"))
    def arguments(self, result: TaskRecord) -> str:
        shown = result.args_kwargs
        if result.task_path == background.send_message.module_path:
            # A written message's body may hold a link that acts for its reader (a password
            # reset): only its recipients and subject are shown.
            shown = [{"to": message.get("to"), "subject": message.get("subject")} for message in shown["args"]]
        return format_html("<pre>{}</pre>", json.dumps(shown, indent=2, ensure_ascii=False))

    @admin.display(description=_("last error"))
    def last_error(self, result: TaskRecord) -> str:
        return format_html("<pre>{}</pre>", result.traceback) if result.traceback else "—"

    @admin.action(description=_("Try the selected failed tasks again now"), permissions=["retry"])
    def try_again(self, request: HttpRequest, queryset: QuerySet[TaskRecord]) -> None:
        if queryset.filter(task_path__in=background.RETRIED_ELSEWHERE).exists():
            self.message_user(
                request,
                _("Webhook deliveries are tried again from their endpoint's list of deliveries."),
                messages.WARNING,
            )
        count = background.retry_now(queryset)
        self.message_user(
            request,
            ngettext("%(count)d failed task will be tried again.", "%(count)d failed tasks will be tried again.", count)
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
