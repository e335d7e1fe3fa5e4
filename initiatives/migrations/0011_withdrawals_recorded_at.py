"""When the register learned of each withdrawal already recorded: the audit trail's first record
of it, or the end of its day where the trail has none (a withdrawal loaded before the trail)."""

import datetime

from django.db import migrations


def backfill(apps, schema_editor):
    Endorsement = apps.get_model("initiatives", "Endorsement")
    History = apps.get_model("initiatives", "HistoricalEndorsement")
    for row in Endorsement.objects.filter(withdrawn_on__isnull=False, withdrawn_at__isnull=True):
        first = History.objects.filter(id=row.pk, withdrawn_on__isnull=False).order_by("history_date").first()
        row.withdrawn_at = (
            first.history_date
            if first is not None
            else datetime.datetime.combine(row.withdrawn_on, datetime.time.max, tzinfo=datetime.UTC)
        )
        row.save(update_fields=["withdrawn_at"])


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0010_endorsement_withdrawn_at")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
