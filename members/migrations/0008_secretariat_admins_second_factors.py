"""Secretariat admins manage users (DESIGN.md, "Who may do what"), their second factors and
signed-in sessions included: they may remove a lost second factor and sign a session out."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = [
    ("mfa", "view_authenticator"),
    ("mfa", "delete_authenticator"),
    ("usersessions", "view_usersession"),
    ("usersessions", "delete_usersession"),  # the admin's "sign out" action needs it
]


def _permissions(apps):
    # Permissions are normally created after all migrations; the group needs them now.
    for label in ("mfa", "usersessions"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return [Permission.objects.get(content_type__app_label=label, codename=codename) for label, codename in GRANTS]


def grant(apps, schema_editor):
    group, _created = apps.get_model("auth", "Group").objects.get_or_create(name="Secretariat admins")
    group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name="Secretariat admins").first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0007_other_names_help_text"),
        ("mfa", "0003_authenticator_type_uniq"),
        ("usersessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
