from django.db import migrations, models

HELP = (
    "Fans vote and comment once they confirm an email address. Accounts made "
    "before sign-up asked for one are exempt; staff may exempt anyone."
)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_email_addresses_for_existing_accounts")]

    # Accounts that exist now were made before sign-up asked for an email, and
    # keep taking part as they did: the column starts False for them, and only
    # then does the default become True for every account made from here on.
    operations = [
        migrations.AddField(
            model_name="user",
            name="email_confirmation_required",
            field=models.BooleanField(
                default=False, help_text=HELP, verbose_name="must confirm an email to take part"
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="email_confirmation_required",
            field=models.BooleanField(
                default=True, help_text=HELP, verbose_name="must confirm an email to take part"
            ),
        ),
    ]
