import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from .deletion import LastSuperuser, delete_account
from .export import fan_data
from .forms import DeleteAccountForm


@login_required
def export(request):
    """Explain what the download holds; a POST gives the fan their data as a JSON file."""
    if request.method != "POST":
        return render(request, "privacy/export.html")
    body = json.dumps(fan_data(request.user), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    name = f"season2-fear-check-{request.user.username}-{timezone.localdate():%Y%m%d}.json"
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, name)
    # Personal data: never kept by a browser or a proxy on the way.
    response["Cache-Control"] = "no-store"
    return response


@login_required
def delete(request):
    """Say what deleting the account does; with the fan's password, delete it and log out."""
    form = DeleteAccountForm(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            delete_account(request.user)
        except LastSuperuser as refusal:
            form.add_error(None, str(refusal))
        else:
            logout(request)
            messages.success(request, _("Your account has been deleted."))
            return redirect("discussions:home")
    return render(request, "privacy/delete.html", {"form": form})


def policy(request):
    """What the site keeps about fans, for how long, and what they can do about it."""
    context = {"retention_days": settings.RECORDS_RETENTION.days}
    return render(request, "privacy/policy.html", context)


def terms(request):
    """Who may use the site, who owns what fans post, and the rules that apply."""
    return render(request, "privacy/terms.html", {"takedown_email": settings.TAKEDOWN_EMAIL})


def takedown(request):
    """How to ask for something posted here to be removed, and where to write."""
    return render(request, "privacy/takedown.html", {"takedown_email": settings.TAKEDOWN_EMAIL})
