import json

from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header

from .export import fan_data


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
