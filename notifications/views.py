from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from discussions.models import Concern

from .delivery import deliver_update_notifications, follow, mark_read, unfollow

PAGE_SIZE = 30


@login_required
def notification_list(request):
    """List the fan's notifications, newest first."""
    deliver_update_notifications(request.user)
    notifications = request.user.notifications.select_related(
        "concern", "comment__author", "comment__concern", "update"
    )
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page})


@login_required
@require_POST
def read(request, pk):
    """Mark one notification read and go to what it is about."""
    notification = get_object_or_404(
        request.user.notifications.select_related("comment__concern", "update"), pk=pk
    )
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return redirect(notification.target_url())


@login_required
@require_POST
def read_all(request):
    """Mark every notification read."""
    count = mark_read(request.user.notifications.all())
    messages.success(request, _("All caught up.") if count else _("Nothing new to mark."))
    return redirect("notifications:list")


@login_required
def follow_concern(request, slug):
    """Follow or stop following a concern (POST follow=1 or follow=0)."""
    concern = get_object_or_404(Concern, slug=slug)
    if request.method != "POST":
        return redirect(concern)
    following = request.POST.get("follow") != "0"
    if following:
        follow(request.user, concern)
        feedback = _("You follow this fear: Season 2 news on it will be in your notifications.")
    else:
        unfollow(request.user, concern)
        feedback = _("You no longer follow this fear.")
    if request.htmx:
        return render(
            request,
            "discussions/concern_detail.html#follow-form",
            {"concern": concern, "following": following, "follow_feedback": feedback},
        )
    messages.success(request, feedback)
    return redirect(concern)
