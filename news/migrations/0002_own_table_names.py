from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0001_initial"),
        ("discussions", "0007_season_updates_move_to_news"),
    ]

    # The tables take this app's names now that nothing else claims them.
    operations = [
        migrations.AlterModelTable(name="seasonupdate", table=None),
        migrations.AlterModelTable(name="updateeffect", table=None),
        migrations.RenameIndex(
            model_name="seasonupdate",
            new_name="news_season_status_8a4ce2_idx",
            old_name="discussions_status_8d0e18_idx",
        ),
    ]
