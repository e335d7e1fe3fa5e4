"""Secretariat admins see who follows what by email (the addresses are personal data, as the
accounts they already manage); editors, who manage content, do not."""

from django.db import migrations

from members.grants import ADMINS, grant_to_groups


class Migration(migrations.Migration):
    dependencies = [
        ("subscriptions", "0001_subscription"),
        ("members", "0008_secretariat_admins_second_factors"),
    ]

    operations = [grant_to_groups([ADMINS], [("subscriptions", "view_subscription")])]
