"""Record where each report came from: a keyed digest of the address, and whether the account was new.

The reports filed before this had neither on record. They are given none
(an empty digest, not new), so each keeps counting once as it did and no
comment's review changes under a moderator's feet.
"""

import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models


def mark_earlier_reports_unknown(apps, schema_editor):
    Report = apps.get_model("moderation", "Report")
    Report.objects.update(address_digest="", reporter_was_new=False)


def unmark_earlier_reports(apps, schema_editor):
    Report = apps.get_model("moderation", "Report")
    Report.objects.update(address_digest=None, reporter_was_new=None)


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0003_rows_kept_after_account_deletion"),
    ]

    operations = [
        # Nullable first, so the data step below is what fills the rows there are.
        migrations.AddField(
            model_name="report",
            name="address_digest",
            field=models.CharField(
                editable=False, max_length=64, null=True, verbose_name="address digest"
            ),
        ),
        migrations.AddField(
            model_name="report",
            name="reporter_was_new",
            field=models.BooleanField(
                editable=False, null=True, verbose_name="reporter's account was under a week old"
            ),
        ),
        migrations.RunPython(mark_earlier_reports_unknown, unmark_earlier_reports),
        migrations.AlterField(
            model_name="report",
            name="address_digest",
            field=models.CharField(
                blank=True,
                default="",
                editable=False,
                max_length=64,
                verbose_name="address digest",
            ),
        ),
        migrations.AlterField(
            model_name="report",
            name="reporter_was_new",
            field=models.BooleanField(
                default=False, editable=False, verbose_name="reporter's account was under a week old"
            ),
        ),
        migrations.AddConstraint(
            model_name="report",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("address_digest", ""),
                    django.db.models.lookups.Exact(
                        django.db.models.functions.text.Length("address_digest"), 64
                    ),
                    _connector="OR",
                ),
                name="moderation_report_address_is_a_digest",
            ),
        ),
    ]
