"""`manage.py check --deploy` warns when webhooks may be sent to loopback or over plain HTTP."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def loopback_allowed(
    *, app_configs: Sequence[AppConfig] | None, databases: Sequence[str] | None, **kwargs: Any
) -> list[CheckMessage]:
    if not settings.WEBHOOKS_ALLOW_LOOPBACK:
        return []
    return [
        Warning(
            "WEBHOOKS_ALLOW_LOOPBACK is on: webhooks may be sent over plain HTTP and to this host's own services.",
            hint="Leave it off in production; tests turn it on for their own receiver.",
            id="webhooks.W001",
        )
    ]
