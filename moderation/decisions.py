"""What moderators (and the site itself) decide about comments and fans.

Each function is one transaction that changes what it must and records an act
in the moderation log. Views, admin actions and commands all call these.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.limits import enforce
from discussions.models import Comment, CommentStatus
from notifications.delivery import notify_moderation

from .models import ModerationEvent, Report, ReviewRequest, Rule, Suspension, address_digest

REMOVABLE = [CommentStatus.VISIBLE, CommentStatus.HELD]
RESTORABLE = [CommentStatus.HIDDEN, CommentStatus.HELD]


class ReportRefused(Exception):
    """A report that cannot be filed; nothing was saved."""


class AlreadyReported(ReportRefused):
    """The fan has reported this comment before."""


class OwnComment(ReportRefused):
    """Fans edit or delete their own comments; they do not report them."""


class NotReportable(ReportRefused):
    """The comment is not on the public pages (held, hidden or deleted)."""


class NoRule(ValueError):
    """A hide must name the house rule the comment broke; nothing was changed."""


class ReviewRefused(Exception):
    """A review request that cannot be made; nothing was saved."""


class NotHiddenByModerators(ReviewRefused):
    """The comment is not hidden by a moderator's decision, so there is nothing to review."""


class AlreadyAskedForReview(ReviewRefused):
    """The fan asked once about this decision; a moderator will answer that."""


class NotYourComment(ReviewRefused, PermissionDenied):
    """Only the comment's author asks for a review of it."""


class MayNotModerate(PermissionDenied):
    """The account lacks the right to moderate comments; nothing was changed."""


class MayNotSuspend(PermissionDenied):
    """The rule of User.can_be_suspended_by says no; nothing was changed."""


# Either admin list that offers the comment actions grants the right to them.
MODERATE_COMMENTS = ["discussions.change_comment", "moderation.change_reportedcomment"]


def _check_may_moderate(moderator):
    if not any(moderator.has_perm(permission) for permission in MODERATE_COMMENTS):
        raise MayNotModerate(f"{moderator} may not moderate comments.")


def _check_may_suspend(user, moderator):
    if not user.can_be_suspended_by(moderator):
        raise MayNotSuspend(f"{moderator} may not suspend {user}.")


def _locked(comments, statuses=None):
    pks = [comment.pk for comment in comments]
    rows = Comment.objects.select_for_update().filter(pk__in=pks).order_by("pk")
    if statuses is not None:
        rows = rows.filter(status__in=statuses)
    return list(rows)


def _resolve(comment, moderator, status, reasons=None):
    reports = Report.objects.open().filter(comment=comment)
    if reasons is not None:
        reports = reports.filter(reason__in=reasons)
    # Only open reports weigh, so where a report came from is not kept past
    # its decision.
    return reports.update(
        status=status, resolved_at=timezone.now(), resolved_by=moderator, address_digest=""
    )


def _log(action, moderator, comment=None, user=None, **facts):
    return ModerationEvent.objects.create(
        action=action,
        actor=moderator,
        comment=comment,
        target_user=user if user is not None else getattr(comment, "author", None),
        **facts,
    )


def _move(comments, moderator, reason, *, among, to, reports, action, **facts):
    """Give the comments that are in one of `among` the status `to`, and log it.

    Returns the comments moved and the log entry of each, in the same order.
    """
    moved = _locked(comments, among)
    events = []
    for comment in moved:
        comment.status = to
        comment.save(update_fields=["status", "updated_at"])
        _resolve(comment, moderator, reports)
        events.append(_log(action, moderator, comment, reason=reason, **facts))
    return moved, events


@transaction.atomic
def hide_comments(comments, moderator, rule, note=""):
    """Hide comments from public pages for breaking a house rule, and uphold their open reports.

    The rule shows in the public log; the note is for staff only. Each
    author is told, on the site, which rule and how to ask for a review.
    Raises NoRule, changing nothing, when `rule` is not one of Rule.
    """
    _check_may_moderate(moderator)
    if rule not in Rule.values:
        raise NoRule(f"{rule!r} is not a house rule.")
    hidden, events = _move(
        comments,
        moderator,
        note,
        among=REMOVABLE,
        to=CommentStatus.HIDDEN,
        reports=Report.Status.UPHELD,
        action=ModerationEvent.Action.HIDE,
        rule=rule,
    )
    for event in events:
        notify_moderation(event)
    return hidden


@transaction.atomic
def restore_comments(comments, moderator, reason=""):
    """Put hidden or held comments back; any open reports on them are dismissed.

    A review the author asked for is answered by it: restored.
    """
    _check_may_moderate(moderator)
    restored, events = _move(
        comments,
        moderator,
        reason,
        among=RESTORABLE,
        to=CommentStatus.VISIBLE,
        reports=Report.Status.DISMISSED,
        action=ModerationEvent.Action.RESTORE,
    )
    for comment, event in zip(restored, events, strict=True):
        _answer_review(comment, moderator, ReviewRequest.Status.RESTORED, event)
    return restored


def last_hide(comment):
    """The moderator's decision that hides the comment now, or None.

    None also when the comment is hidden by a spam removal, which is
    answered by lifting the suspension, not by reviewing one comment.
    """
    if comment.status != CommentStatus.HIDDEN:
        return None
    event = (
        ModerationEvent.objects.filter(comment=comment)
        .exclude(action=ModerationEvent.Action.UPHOLD)
        .select_related("actor")
        .first()
    )
    if event is None or event.action != ModerationEvent.Action.HIDE:
        return None
    return event


@transaction.atomic
def request_review(comment, fan, message=""):
    """The author asks the moderators to look again at their hidden comment, once per hide.

    Refuses, saving nothing, another fan (NotYourComment), a comment no
    moderator hid (NotHiddenByModerators) and a second request about the
    same decision (AlreadyAskedForReview).
    """
    (comment,) = _locked([comment])
    if comment.author_id is None or comment.author_id != fan.pk:
        raise NotYourComment(f"{fan} did not write comment {comment.pk}.")
    decision = last_hide(comment)
    if decision is None:
        raise NotHiddenByModerators
    if ReviewRequest.objects.filter(decision=decision).exists():
        raise AlreadyAskedForReview
    try:
        with transaction.atomic():
            return ReviewRequest.objects.create(
                decision=decision, comment=comment, requester=fan, message=message
            )
    except IntegrityError:
        raise AlreadyAskedForReview from None


@transaction.atomic
def uphold_hide(comments, moderator, note=""):
    """Keep hidden comments hidden, answering the author's open review request.

    Returns the comments whose request was answered; the author is told.
    """
    _check_may_moderate(moderator)
    upheld = []
    for comment in _locked(comments, [CommentStatus.HIDDEN]):
        if not ReviewRequest.objects.open().filter(comment=comment).exists():
            continue
        decision = last_hide(comment)
        event = _log(
            ModerationEvent.Action.UPHOLD,
            moderator,
            comment,
            reason=note,
            rule=decision.rule if decision else "",
        )
        _answer_review(comment, moderator, ReviewRequest.Status.UPHELD, event)
        upheld.append(comment)
    return upheld


def _answer_review(comment, moderator, status, event):
    answered = ReviewRequest.objects.open().filter(comment=comment)
    if answered.update(status=status, decided_at=timezone.now(), decided_by=moderator):
        notify_moderation(event)


@transaction.atomic
def dismiss_reports(comments, moderator, reason=""):
    """Close the open reports without action; a held comment becomes visible again."""
    _check_may_moderate(moderator)
    dismissed = []
    for comment in _locked(comments):
        if not _resolve(comment, moderator, Report.Status.DISMISSED):
            continue
        if comment.status == CommentStatus.HELD:
            comment.status = CommentStatus.VISIBLE
            comment.save(update_fields=["status", "updated_at"])
        _log(ModerationEvent.Action.DISMISS, moderator, comment, reason=reason)
        dismissed.append(comment)
    return dismissed


@transaction.atomic
def mark_as_spoiler(comments, moderator, reason=""):
    """Put comments behind a spoiler warning and uphold "unmarked spoiler" reports.

    A held comment whose only complaint was the spoiler is shown again.
    """
    _check_may_moderate(moderator)
    marked = _locked(comments, REMOVABLE)
    for comment in marked:
        comment.is_spoiler = True
        _resolve(comment, moderator, Report.Status.UPHELD, reasons=[Report.Reason.SPOILER])
        fields = ["is_spoiler", "updated_at"]
        if (
            comment.status == CommentStatus.HELD
            and not Report.objects.open().filter(comment=comment).exists()
        ):
            comment.status = CommentStatus.VISIBLE
            fields.append("status")
        comment.save(update_fields=fields)
        _log(ModerationEvent.Action.MARK_SPOILER, moderator, comment, reason=reason)
    return marked


@transaction.atomic
def report_comment(comment, reporter, reason, note="", *, address=None):
    """File a fan's report; hold the comment for review once enough fans agree.

    address is the client's, as accounts.addresses.client_address gives it;
    only its keyed digest is kept, so that reports from new accounts at one
    address count once (ReportQuerySet.weight). The site filing a report
    itself (the demo) has none, and the report counts once.

    Refuses, saving nothing, a suspended reporter (accounts.Suspended), their
    own comment (OwnComment), a comment the public cannot see (NotReportable),
    a second report (AlreadyReported) and a reporter over the "report" limit
    (accounts.limits.RateLimited). The limit is counted last, so a refused
    report never uses up the fan's allowance.
    """
    reporter.refuse_if_suspended()
    (comment,) = _locked([comment])
    if comment.author_id == reporter.pk:
        raise OwnComment
    if comment.status != CommentStatus.VISIBLE:
        raise NotReportable
    if Report.objects.filter(comment=comment, reporter=reporter).exists():
        raise AlreadyReported
    enforce("report", reporter.pk, _("You've sent a lot of reports recently."))
    young = reporter.is_young_account
    try:
        with transaction.atomic():
            report = Report.objects.create(
                comment=comment,
                reporter=reporter,
                reason=reason,
                note=note,
                # Only young accounts are grouped by address, so only theirs is kept.
                address_digest=address_digest(address) if young else "",
                reporter_was_new=young,
            )
    except IntegrityError:
        raise AlreadyReported from None
    # Only open reports weigh: once a moderator restored the comment or
    # dismissed its reports, the same reports cannot hold it again.
    open_reports = Report.objects.open().filter(comment=comment)
    if open_reports.weight() >= settings.MODERATION_AUTO_HIDE_REPORTS:
        comment.status = CommentStatus.HELD
        comment.save(update_fields=["status", "updated_at"])
        _log(ModerationEvent.Action.AUTO_HIDE, None, comment, count=open_reports.count())
    return report


@transaction.atomic
def suspend(user, moderator, reason, ends_at=None):
    """Stop a fan from voting, commenting, reporting and editing until ends_at.

    The fan's row is held first, so an act of theirs already under way
    finishes before the suspension, and none starts after it unrefused.
    """
    _check_may_suspend(user, moderator)
    user.lock()
    suspension = Suspension.objects.create(
        user=user, created_by=moderator, reason=reason, ends_at=ends_at
    )
    _log(
        ModerationEvent.Action.SUSPEND,
        moderator,
        user=user,
        reason=reason,
        suspension=suspension,
    )
    return suspension


@transaction.atomic
def lift_suspension(suspension, moderator, reason=""):
    """End a suspension early; whoever may suspend the fan may lift it, nobody else."""
    suspension = Suspension.objects.select_for_update().select_related("user").get(pk=suspension.pk)
    _check_may_suspend(suspension.user, moderator)
    if suspension.lifted_at is not None:
        return suspension
    suspension.lifted_at = timezone.now()
    suspension.lifted_by = moderator
    suspension.save(update_fields=["lifted_at", "lifted_by"])
    _log(
        ModerationEvent.Action.LIFT,
        moderator,
        user=suspension.user,
        reason=reason,
        suspension=suspension,
    )
    return suspension


def what_spam_removal_does(users):
    """What removing these fans as spammers would change: comments hidden, reports upheld."""
    comments = Comment.objects.filter(author__in=users, status__in=REMOVABLE)
    return {
        "comments": comments.count(),
        "reports": Report.objects.open().filter(comment__in=comments).count(),
    }


@transaction.atomic
def remove_as_spam(user, moderator, reason):
    """Hide every comment the fan wrote and suspend them permanently."""
    _check_may_moderate(moderator)
    _check_may_suspend(user, moderator)
    # A comment the fan is posting right now is in before the sweep, or refused after it.
    user.lock()
    comments = _locked(Comment.objects.filter(author=user), REMOVABLE)
    for comment in comments:
        comment.status = CommentStatus.HIDDEN
        comment.save(update_fields=["status", "updated_at"])
        _resolve(comment, moderator, Report.Status.UPHELD)
    suspension = Suspension.objects.create(user=user, created_by=moderator, reason=reason)
    _log(
        ModerationEvent.Action.SPAM_REMOVAL,
        moderator,
        user=user,
        reason=reason,
        suspension=suspension,
        count=len(comments),
    )
    return suspension
