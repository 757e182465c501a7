from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("discussions", "0006_season_update_demo_flag"),
        ("news", "0001_initial"),
        ("notifications", "0003_notification_update_in_news"),
    ]

    # news.0001 took over the tables; here they leave this app's state only.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="seasonupdate", name="concerns"),
                migrations.DeleteModel(name="UpdateEffect"),
                migrations.DeleteModel(name="SeasonUpdate"),
            ],
            database_operations=[],
        ),
    ]
