"""Secretariat admins see the register's background work and may try a failed task again
(DESIGN.md, "Who may do what": retry failed deliveries). Editors do not see it."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = ["view_dbtaskresult", "change_dbtaskresult"]


def _permissions(apps):
    # Permissions are normally created after all migrations; the group needs them now.
    app_config = apps.get_app_config("django_tasks_database")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="django_tasks_database", codename__in=GRANTS)


def grant(apps, schema_editor):
    group, _created = apps.get_model("auth", "Group").objects.get_or_create(name="Secretariat admins")
    group.permissions.add(*_permissions(apps))


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name="Secretariat admins").first()
    if group is not None:
        group.permissions.remove(*_permissions(apps))


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0011_accreditation_renewal_and_reminders"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
