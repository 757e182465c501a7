from django.db import migrations


def record_existing_addresses(apps, schema_editor):
    """Give each account that gave an email at sign-up its allauth address row.

    Unverified: nobody ever confirmed them. Fans can then reset a password or
    confirm the address from their account page; the first address of an
    account is its primary one, and only the oldest account keeps an address
    that two accounts typed alike (allauth requires addresses to be unique).
    """
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    taken = {email.lower() for email in EmailAddress.objects.values_list("email", flat=True)}
    rows = []
    for pk, email in User.objects.exclude(email="").order_by("pk").values_list("pk", "email"):
        if email.lower() in taken:
            continue
        taken.add(email.lower())
        rows.append(EmailAddress(user_id=pk, email=email.lower(), primary=True, verified=False))
    EmailAddress.objects.bulk_create(rows)


def keep_addresses(apps, schema_editor):
    """Leave the address rows: by now fans may have confirmed or added some, and
    they go only with allauth's own tables (migrating `account` back to zero)."""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_demo_accounts_and_manager"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(record_existing_addresses, keep_addresses)]
