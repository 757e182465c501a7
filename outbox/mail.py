"""Mail leaves through the task worker, never from inside a request.

A fan's action only queues the message: a row in the task table, written in
the action's own transaction, so it is sent if and only if the action holds.
The worker sends it; a send that fails for a reason that may pass (SMTP down,
a timeout, a 4xx answer) is queued again for later (`MAIL_RETRY_DELAYS`),
since the database queue has no retries of its own. A recipient the server
refuses outright (a 5xx answer for the address) is not tried again. A
message that can be made again (`QueuedMail.rebuild`) is, before each try,
so it says what holds when it leaves, or does not leave.
"""

import email.policy
import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


class Outcome:
    SENT = "sent"
    RETRYING = "retrying"
    REFUSED = "refused"
    # Its rebuild said it should no longer go (QueuedMail.rebuild).
    WITHDRAWN = "withdrawn"


def as_data(message):
    """The parts of an EmailMultiAlternatives that the queue keeps (plain JSON)."""
    data = {
        "subject": str(message.subject),
        "body": message.body,
        "html": next(
            (alt.content for alt in message.alternatives if alt.mimetype == "text/html"), ""
        ),
        "from_email": message.from_email,
        "to": list(message.to),
        "headers": {str(key): str(value) for key, value in message.extra_headers.items()},
    }
    rebuild = getattr(message, "rebuild", None)
    if rebuild is not None:
        data["rebuild"] = list(rebuild)
    return data


class Mail(EmailMultiAlternatives):
    """A message whose headers are never folded into encoded words.

    Python's mail policy folds a header longer than 78 characters; one long
    word (the unsubscribe URL in List-Unsubscribe) it can only fold by
    encoding it (RFC 2047), and mail programs then see no URL, and no
    Unsubscribe button. RFC 5322 allows lines up to 998 characters.
    """

    def message(self, *, policy=email.policy.default):
        return super().message(policy=policy.clone(max_line_length=998))


def as_message(data):
    message = Mail(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        headers=data["headers"],
    )
    if data["html"]:
        message.attach_alternative(data["html"], "text/html")
    return message


def cancel_mail_to(addresses):
    """Drop queued mail (waiting or to be retried) to any of these addresses; return how many.

    For an account being deleted: nothing more should reach it. Read in
    Python, since SQLite cannot search inside the queued JSON.
    """
    addresses = {address.lower() for address in addresses}
    waiting = DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=deliver.module_path
    )
    doomed = [
        pk
        for pk, args_kwargs in waiting.values_list("pk", "args_kwargs")
        if {to.lower() for to in args_kwargs["args"][0]["to"]} & addresses
    ]
    return waiting.filter(pk__in=doomed).delete()[0]


def send_later(message):
    """Queue the message for the worker; return the task result."""
    return deliver.enqueue(as_data(message))


class QueuedMail(EmailMultiAlternatives):
    """A message whose send() queues it for the worker instead of calling SMTP.

    `rebuild`, when set, is (dotted path, [arguments]) of a function that
    makes the message again as it should go now, or returns None when it
    should not go at all: the worker calls it before every try, since a try
    may come hours after the message was written (a notification's comment
    hidden meanwhile). A path, not a function: the queue keeps only data,
    and outbox may not import the apps above it that write such messages.
    """

    rebuild = None

    @classmethod
    def from_message(cls, message):
        """The same message, queued when sent (a library's own, e.g. allauth's)."""
        queued = cls(
            subject=message.subject,
            body=message.body,
            from_email=message.from_email,
            to=message.to,
            headers=message.extra_headers,
        )
        for alternative in getattr(message, "alternatives", []):
            queued.attach_alternative(alternative.content, alternative.mimetype)
        return queued

    def send(self, fail_silently=False):
        send_later(self)
        return 1


def _refused_for_good(error):
    return isinstance(error, smtplib.SMTPRecipientsRefused) and all(
        code >= 500 for code, _reason in error.recipients.values()
    )


def _as_now(message):
    """The message as its `rebuild` makes it now, or None when it should no longer go."""
    if not message.get("rebuild"):
        return message
    path, args = message["rebuild"]
    fresh = import_string(path)(*args)
    return None if fresh is None else as_data(fresh)


@task()
def deliver(message, attempt=1):
    """Send one queued message; on a passing failure, queue it again for later."""
    message = _as_now(message)
    if message is None:
        return Outcome.WITHDRAWN
    try:
        as_message(message).send()
    except (OSError, smtplib.SMTPException) as error:
        if _refused_for_good(error):
            logger.warning("Mail to %s refused: %s", message["to"], error)
            return Outcome.REFUSED
        delays = settings.MAIL_RETRY_DELAYS
        if attempt > len(delays):
            # Raised, so the task shows as failed in the admin, with the error.
            raise
        deliver.using(run_after=timezone.now() + delays[attempt - 1]).enqueue(message, attempt + 1)
        logger.info("Mail to %s failed (%s); try %d queued", message["to"], error, attempt + 1)
        return Outcome.RETRYING
    return Outcome.SENT
