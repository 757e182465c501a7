"""Notification mail: what a fan gets by mail, in their language, and how to stop it.

Every message names its reason, links to the mail settings, and carries a
one-click unsubscribe (RFC 8058): the `List-Unsubscribe` and
`List-Unsubscribe-Post` headers and the same signed link in the text, which
needs no log-in. Spoilers are masked as on the site's feeds.
"""

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from outbox.mail import QueuedMail

from .models import MailPreference, Notification, NotificationKind

UNSUBSCRIBE_SALT = "notifications.unsubscribe"
# What the outbox calls to make a notification's mail again before each try.
AS_NOW = "notifications.mail.as_now"


def unsubscribe_token(user, kinds):
    """A token that stops these kinds of mail for this fan; it cannot be made up."""
    return signing.dumps({"user": user.pk, "kinds": sorted(kinds)}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token):
    """Return (user pk, kinds) from a token; raise signing.BadSignature for a bad one."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    kinds = data.get("kinds") if isinstance(data, dict) else None
    user = data.get("user") if isinstance(data, dict) else None
    if not isinstance(user, int) or not kinds or not set(kinds) <= set(NotificationKind.values):
        raise signing.BadSignature("Not an unsubscribe token")
    return user, kinds


def absolute(path):
    return settings.SITE_URL + path


def addresses_of(users):
    """{fan pk: confirmed primary address}, in one query; mail goes nowhere else.

    Demo and inactive fans, and fans with no confirmed address, are left out.
    """
    ids = [user.pk for user in users if user.is_active and not user.is_demo]
    return dict(
        EmailAddress.objects.filter(user_id__in=ids, primary=True, verified=True).values_list(
            "user_id", "email"
        )
    )


def address_of(user):
    """The fan's confirmed primary address, or None."""
    return addresses_of([user]).get(user.pk)


def compose(user, address, template, kinds, make_context):
    """Render `notifications/mail/<template>_*` for the fan, in their language.

    `make_context` is called in that language too, so the curators' text it
    reads (a concern's title, an update's summary) comes in it, or in English
    where it has no Korean.
    """
    preference = MailPreference.of(user)
    token = unsubscribe_token(user, kinds)
    unsubscribe_url = absolute(reverse("notifications:unsubscribe", args=[token]))
    with translation.override(preference.language):
        context = {
            **make_context(),
            "user": user,
            "site_url": settings.SITE_URL,
            "settings_url": absolute(reverse("notifications:mail-settings")),
            "unsubscribe_url": unsubscribe_url,
        }
        # Made strings here, in the fan's language: `join` in a template with
        # autoescape off gives up on lazy ones and prints the list.
        context["kinds"] = [str(NotificationKind(kind).label) for kind in kinds]
        prefix = f"notifications/mail/{template}"
        subject = " ".join(render_to_string(f"{prefix}_subject.txt", context).split())
        message = QueuedMail(
            subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
            body=render_to_string(f"{prefix}_message.txt", context).strip() + "\n",
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
            headers={
                "List-Unsubscribe": f"<{unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                # Tells auto-responders not to answer, as RFC 3834 asks.
                "Auto-Submitted": "auto-generated",
            },
        )
        message.attach_alternative(render_to_string(f"{prefix}_message.html", context), "text/html")
    return message


def item(notification):
    """What a mail says about one notification, spoilers masked, links absolute."""
    if notification.kind in (NotificationKind.REPLY, NotificationKind.MENTION):
        reply = notification.comment
        return {
            "kind": notification.kind,
            "concern": notification.concern.title,
            "author": reply.author.username if reply.author_id else None,
            # As written, but with inline ||spoilers|| masked as a feed masks them.
            "text": None if reply.is_spoiler else reply.plain_text,
            "url": absolute(reply.get_absolute_url()),
        }
    update = notification.update
    return {
        "kind": notification.kind,
        "concern": notification.concern.title,
        "title": update.title,
        "text": None if update.is_spoiler else update.summary,
        "url": absolute(update.get_absolute_url()),
    }


def one_notification(notification, address):
    message = compose(
        notification.recipient,
        address,
        notification.kind,
        [notification.kind],
        lambda: {"item": item(notification)},
    )
    message.rebuild = (AS_NOW, [[notification.pk], False])
    return message


def digest(user, address, notifications):
    kinds = sorted({notification.kind for notification in notifications})
    message = compose(
        user,
        address,
        "digest",
        kinds,
        lambda: {"items": [item(notification) for notification in notifications]},
    )
    message.rebuild = (AS_NOW, [[notification.pk for notification in notifications], True])
    return message


def as_now(notification_ids, is_digest):
    """The mail about these notifications as it would be made now; None when none may go.

    The outbox asks before each try (outbox.mail.QueuedMail.rebuild): a try
    may come hours after the mail was written, and only what a page would
    show the fan then goes, to the address confirmed then. A digest loses
    what left the site meanwhile and goes with the rest.
    """
    notifications = list(
        Notification.objects.filter(pk__in=notification_ids)
        .visible_now()
        .select_related("recipient__mail_preference", "concern", "comment__author", "update")
        .order_by("created_at", "pk")
    )
    if not notifications:
        return None
    recipient = notifications[0].recipient
    address = address_of(recipient)
    if address is None:
        return None
    if is_digest:
        return digest(recipient, address, notifications)
    return one_notification(notifications[0], address)
