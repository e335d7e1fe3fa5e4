"""Permissions given to the secretariat's groups by data migrations, in one place.

Django creates an app's permissions after all migrations have run; a migration that gives them
to a group creates them first."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADMINS = "Secretariat admins"
EDITORS = "Secretariat editors"


def grant_to_groups(groups: Iterable[str], permissions: Iterable[tuple[str, str]]) -> migrations.RunPython:
    """A migration operation giving each group the (app label, codename) permissions; reversed,
    it takes them back."""
    groups, permissions = list(groups), list(permissions)

    def found(apps: Any) -> list[Any]:
        for label in sorted({label for label, _codename in permissions}):
            app_config = apps.get_app_config(label)
            app_config.models_module = True
            create_permissions(app_config, apps=apps, verbosity=0)
            app_config.models_module = None
        Permission = apps.get_model("auth", "Permission")
        return [
            Permission.objects.get(content_type__app_label=label, codename=codename) for label, codename in permissions
        ]

    def grant(apps: Any, schema_editor: Any) -> None:
        chosen = found(apps)
        for name in groups:
            group, _created = apps.get_model("auth", "Group").objects.get_or_create(name=name)
            group.permissions.add(*chosen)

    def revoke(apps: Any, schema_editor: Any) -> None:
        chosen = found(apps)
        for group in apps.get_model("auth", "Group").objects.filter(name__in=groups):
            group.permissions.remove(*chosen)

    return migrations.RunPython(grant, revoke)
