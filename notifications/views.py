from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .delivery import deliver_update_notifications, mark_read

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
    mine = request.user.notifications.filter(pk=pk)
    notification = get_object_or_404(mine.select_related("comment__concern", "update"))
    mark_read(mine)
    return redirect(notification.target_url())


@login_required
@require_POST
def read_all(request):
    """Mark every notification read."""
    count = mark_read(request.user.notifications.all())
    messages.success(request, _("All caught up.") if count else _("Nothing new to mark."))
    return redirect("notifications:list")
