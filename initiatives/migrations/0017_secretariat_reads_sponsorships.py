"""The secretariat reads drafts' sponsorships and their history in the admin (DESIGN.md, "Who may do
what": read a draft, secretariat yes); nobody changes them there: they are written through
initiatives.coalitions only."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = ["view_sponsorship", "view_historicalsponsorship"]
GROUPS = ["Secretariat editors", "Secretariat admins"]


def _permissions(apps):
    # Permissions are normally created after all migrations; the groups need them now.
    app_config = apps.get_app_config("initiatives")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="initiatives", codename__in=GRANTS)


def grant(apps, schema_editor):
    permissions = list(_permissions(apps))
    for name in GROUPS:
        group, _created = apps.get_model("auth", "Group").objects.get_or_create(name=name)
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    permissions = list(_permissions(apps))
    for group in apps.get_model("auth", "Group").objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0016_sponsorships"),
        ("members", "0012_secretariat_admins_background_tasks"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
