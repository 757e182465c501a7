import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0001_initial"),
        ("notifications", "0002_backfill_follows"),
    ]

    # The column already points at the same table; only the model moved.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="notification",
                    name="update",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notifications",
                        to="news.seasonupdate",
                        verbose_name="Season 2 update",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
