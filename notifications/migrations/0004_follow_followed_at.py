from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_notification_update_in_news")]

    # The same column, named for what it means now: when the current spell of
    # following began, moved on each follow after an unfollow.
    operations = [
        migrations.RenameField(model_name="follow", old_name="created_at", new_name="followed_at"),
    ]
