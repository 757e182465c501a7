from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from .delivery import deliver_update_notifications, mark_read
from .forms import MailPreferenceForm
from .mail import address_of, read_unsubscribe_token
from .models import MailFrequency, MailPreference, NotificationKind

PAGE_SIZE = 30


@login_required
def notification_list(request):
    """List the fan's notifications, newest first: those about what a page would show them now."""
    deliver_update_notifications(request.user)
    notifications = request.user.notifications.visible_now().select_related(
        "concern", "comment__author", "comment__concern", "update", "event"
    )
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page})


@login_required
@require_POST
def read(request, pk):
    """Mark one notification read and go to what it is about."""
    mine = request.user.notifications.visible_now().filter(pk=pk)
    notification = get_object_or_404(mine.select_related("comment__concern", "update", "event"))
    mark_read(mine)
    return redirect(notification.target_url())


@login_required
@require_POST
def read_all(request):
    """Mark every notification read."""
    # Only what the list shows: news taken back comes again unread if it is published again.
    count = mark_read(request.user.notifications.visible_now())
    messages.success(request, _("All caught up.") if count else _("Nothing new to mark."))
    return redirect("notifications:list")


@login_required
def mail_settings(request):
    """Choose, per kind, mail at once, in a daily digest or never, and its language."""
    preference = MailPreference.of(request.user)
    data = request.POST if request.method == "POST" else None
    form = MailPreferenceForm(data, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your mail settings are saved."))
        return redirect("notifications:mail-settings")
    context = {"form": form, "address": address_of(request.user)}
    return render(request, "notifications/mail_settings.html", context)


# No session and no CSRF token: mail programs send the one-click POST of
# RFC 8058 themselves, and the signed token is what proves the link is real.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """Ask (GET, which link checkers also send) or stop the mail (POST, one click)."""
    try:
        user_id, kinds = read_unsubscribe_token(token)
        user = get_user_model().objects.get(pk=user_id)
    except (signing.BadSignature, get_user_model().DoesNotExist):
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    preference = MailPreference.of(user)
    if request.method == "POST":
        preference.stop(kinds)
    context = {
        "token": token,
        "kinds": [NotificationKind(kind).label for kind in kinds],
        # A link opened again after it worked says so, rather than asking again.
        "stopped": all(preference.frequency(kind) == MailFrequency.NEVER for kind in kinds),
    }
    return render(request, "notifications/unsubscribe.html", context)
