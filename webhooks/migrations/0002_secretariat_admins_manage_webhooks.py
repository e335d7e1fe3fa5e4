"""Only secretariat admins register webhook endpoints and retry failed deliveries (DESIGN.md,
"Who may do what"); editors get nothing here."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = [
    "view_endpoint",
    "add_endpoint",
    "change_endpoint",  # resume, pause and a new secret are changes too
    "view_historicalendpoint",
    "view_delivery",
    "retry_delivery",
]


def _permissions(apps):
    # Permissions are normally created after all migrations; the group needs them now.
    app_config = apps.get_app_config("webhooks")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return [Permission.objects.get(content_type__app_label="webhooks", codename=codename) for codename in GRANTS]


def grant(apps, schema_editor):
    group, _created = apps.get_model("auth", "Group").objects.get_or_create(name="Secretariat admins")
    group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name="Secretariat admins").first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_endpoints_and_deliveries"),
        ("members", "0004_secretariat_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
