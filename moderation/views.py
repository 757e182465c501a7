from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.addresses import client_address
from accounts.decorators import refuse_when_suspended
from accounts.limits import RateLimited
from discussions.models import Comment

from .decisions import (
    AlreadyAskedForReview,
    AlreadyReported,
    NotHiddenByModerators,
    NotReportable,
    OwnComment,
    report_comment,
    request_review,
)
from .forms import ReportForm, ReviewRequestForm
from .models import RULE_EXPLANATIONS, ModerationEvent, Report, Rule
from .pages import CommentDecisionPage

LOG_PAGE_SIZE = 50


@login_required
@refuse_when_suspended
def report(request, pk):
    """Let a fan flag someone else's comment for the moderators.

    report_comment makes every check; this view only reads the form and says
    what a refusal means.
    """
    comment = get_object_or_404(
        Comment.objects.visible().select_related("concern", "author"), pk=pk
    )
    if Report.objects.filter(comment=comment, reporter=request.user).exists():
        return _already_reported(request, comment)
    # Bound on every POST, an empty one too, so that it says what is missing.
    form = ReportForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                report_comment(
                    comment, request.user, **form.cleaned_data, address=client_address(request)
                )
            except AlreadyReported:
                return _already_reported(request, comment)
            except NotReportable:
                raise Http404 from None
            except OwnComment:
                form.add_error(
                    None,
                    _("You can't report your own comment. You can edit or delete it instead."),
                )
            except RateLimited as refusal:
                form.add_error(None, refusal.message)
                status = 429
            else:
                messages.success(request, _("Thank you. The moderators will take a look."))
                return redirect(comment)
    return render(
        request, "moderation/report_form.html", {"form": form, "comment": comment}, status=status
    )


def _already_reported(request, comment):
    messages.info(request, _("You already reported this comment. Thank you; once is enough."))
    return redirect(comment)


def log(request):
    """List every act of moderation, newest first, without the removed text or reporters."""
    events = ModerationEvent.objects.select_related(
        "actor", "target_user", "comment__concern", "suspension"
    )
    page = Paginator(events, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "moderation/moderationevent_list.html", {"page": page})


def rules(request):
    """The house rules, each with what it means; moderators name one when they hide a comment."""
    shown = [(rule.label, RULE_EXPLANATIONS[rule]) for rule in Rule]
    return render(request, "moderation/rules.html", {"rules": shown})


@login_required
def comment_decision(request, pk):
    """Why moderators hid a comment, for its author and them; the author may ask for review once."""
    comment = get_object_or_404(Comment.objects.select_related("concern", "author"), pk=pk)
    form = ReviewRequestForm(request.POST) if request.method == "POST" else None
    page = CommentDecisionPage(request, comment, form)
    if not page.is_hidden:
        messages.info(request, _("This comment is not hidden by moderators."))
        return redirect(comment)
    if form is None:
        return render(request, "moderation/comment_decision.html", {"page": page})
    if not page.is_author:
        raise PermissionDenied
    if not form.is_valid():
        return render(request, "moderation/comment_decision.html", {"page": page}, status=400)
    try:
        request_review(comment, request.user, form.cleaned_data["message"])
    except AlreadyAskedForReview:
        messages.warning(
            request,
            _(
                "You already asked for a review of this decision. You can ask only once; "
                "a moderator will answer, and you'll be told here."
            ),
        )
    except NotHiddenByModerators:
        messages.info(request, _("There is no moderator's decision on this comment to review."))
    else:
        messages.success(
            request, _("Thank you. A moderator will look again; you'll be told of the answer.")
        )
    return redirect("moderation:comment-decision", pk=comment.pk)
