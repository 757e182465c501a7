from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("opinion", "0001_initial"),
        ("discussions", "0016_opinion_moves_out"),
    ]

    # The tables take this app's names now that nothing else claims them. On
    # PostgreSQL the rename carries the rows, the sequences, the indexes and
    # the constraints with the table, under their old names; the two indexes
    # named after the table follow it here.
    operations = [
        migrations.AlterModelTable(name="vote", table=None),
        migrations.AlterModelTable(name="voteevent", table=None),
        migrations.AlterModelTable(name="dailyshift", table=None),
        migrations.AlterModelTable(name="updateimpact", table=None),
        migrations.AlterModelTable(name="reconsiderdismissal", table=None),
        migrations.RenameIndex(
            model_name="vote",
            new_name="opinion_vot_concern_29ca27_idx",
            old_name="discussions_concern_009349_idx",
        ),
        migrations.RenameIndex(
            model_name="voteevent",
            new_name="opinion_vot_concern_e62762_idx",
            old_name="discussions_concern_8916ab_idx",
        ),
    ]
