"""Only secretariat admins register webhook endpoints and retry failed deliveries (DESIGN.md,
"Who may do what"); editors get nothing here."""

from django.db import migrations

from members.grants import ADMINS, grant_to_groups

GRANTS = [
    "view_endpoint",
    "add_endpoint",
    "change_endpoint",  # resume, pause and a new secret are changes too
    "view_historicalendpoint",
    "view_delivery",
    "retry_delivery",
]


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_endpoints_and_deliveries"),
        ("members", "0004_secretariat_roles"),
    ]

    operations = [grant_to_groups([ADMINS], [("webhooks", codename) for codename in GRANTS])]
