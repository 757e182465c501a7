"""Ask staff to make new recovery codes: a password alone could read the old ones.

Until this release the second-factor pages took the password for
re-authentication, so staff codes may have been seen by whoever had it. The
flag is read by accounts.second_factor.codes_to_renew; making new codes
replaces the row, and the flag goes with it. Superusers' codes and
curators' and moderators' (is_staff) alike.
"""

from django.db import migrations
from django.db.models import Q

RENEW_CODES = "renew"


def flag_staff_codes(apps, schema_editor):
    Authenticator = apps.get_model("mfa", "Authenticator")
    codes = Authenticator.objects.filter(type="recovery_codes").filter(
        Q(user__is_staff=True) | Q(user__is_superuser=True)
    )
    for authenticator in codes:
        authenticator.data = {**authenticator.data, RENEW_CODES: True}
        authenticator.save(update_fields=["data"])


def unflag_codes(apps, schema_editor):
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(data__has_key=RENEW_CODES):
        authenticator.data = {k: v for k, v in authenticator.data.items() if k != RENEW_CODES}
        authenticator.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_profile_and_mutes"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(flag_staff_codes, unflag_codes)]
