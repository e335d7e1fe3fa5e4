"""The secretariat's roles as groups (DESIGN.md, "Who may do what")."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT = {
    "initiatives": {
        "theme": ["view", "add", "change"],
        "initiative": ["view", "add", "change"],
        "reportedfigure": ["view", "add", "change", "delete"],
        "event": ["view", "add", "change"],
        "endorsement": ["view", "add"],  # recorded and withdrawn through initiatives.endorsing only
        "historicalinitiative": ["view"],
        "historicalendorsement": ["view"],
    },
    "members": {"memberstate": ["view", "change"]},
}
ACCOUNTS = {
    "members": {
        "accreditation": ["view", "change"],  # decisions go through members.accreditation only
        "historicalaccreditation": ["view"],
        "user": ["view", "add", "change"],
        "historicaluser": ["view"],
    },
}
ROLES = {"Secretariat editors": [CONTENT], "Secretariat admins": [CONTENT, ACCOUNTS]}


def codenames(grants):
    for app_label, models in grants.items():
        for model, actions in models.items():
            for action in actions:
                yield app_label, f"{action}_{model}"


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        wanted = [pair for grant in grants for pair in codenames(grant)]
        permissions = [
            Permission.objects.get(content_type__app_label=app_label, codename=codename) for app_label, codename in wanted
        ]
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0003_audit_trail"),
        ("initiatives", "0003_audit_trail"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
