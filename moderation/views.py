from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.addresses import client_address
from accounts.decorators import refuse_when_suspended
from accounts.limits import RateLimited
from discussions.models import Comment

from .decisions import AlreadyReported, NotReportable, OwnComment, report_comment
from .forms import ReportForm
from .models import ModerationEvent, Report

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
