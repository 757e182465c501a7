"""What notifications does when a fan signs up (allauth tells of it by a signal)."""

from allauth.account.signals import user_signed_up
from django.conf import settings
from django.dispatch import receiver

from .models import MailPreference


@receiver(user_signed_up, dispatch_uid="notifications.mail_language")
def remember_mail_language(sender, request, user, **kwargs):
    # The language the fan signed up in is the first guess for their mail.
    language = getattr(request, "LANGUAGE_CODE", None)
    if language in dict(settings.LANGUAGES):
        MailPreference.objects.get_or_create(user=user, defaults={"language": language})
