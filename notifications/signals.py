"""What notifications does when news publishes an update, and when a fan signs up."""

from allauth.account.signals import user_signed_up
from django.conf import settings
from django.dispatch import receiver

from news.signals import update_published

from .models import MailPreference
from .tasks import mail_update


@receiver(update_published, dispatch_uid="notifications.mail_update")
def queue_update_mail(sender, update, **kwargs):
    # Queued for the publication time: a scheduled update is mailed when it goes public.
    mail_update.using(run_after=update.published_at).enqueue(
        update.pk, update.published_at.isoformat()
    )


@receiver(user_signed_up, dispatch_uid="notifications.mail_language")
def remember_mail_language(sender, request, user, **kwargs):
    # The language the fan signed up in is the first guess for their mail.
    language = getattr(request, "LANGUAGE_CODE", None)
    if language in dict(settings.LANGUAGES):
        MailPreference.objects.get_or_create(user=user, defaults={"language": language})
