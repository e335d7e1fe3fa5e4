"""Secretariat admins see who follows what by email (the addresses are personal data, as the
accounts they already manage); editors, who manage content, do not."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def _permission(apps):
    # Permissions are normally created after all migrations; the group needs this one now.
    app_config = apps.get_app_config("subscriptions")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.get(content_type__app_label="subscriptions", codename="view_subscription")


def grant(apps, schema_editor):
    group, _created = apps.get_model("auth", "Group").objects.get_or_create(name="Secretariat admins")
    group.permissions.add(_permission(apps))


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name="Secretariat admins").first()
    if group is not None:
        group.permissions.remove(_permission(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("subscriptions", "0001_subscription"),
        ("members", "0008_secretariat_admins_second_factors"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
