from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from .models import SeasonUpdate

UPDATES_PER_PAGE = 20


def update_list(request):
    """List published Season 2 updates, newest first."""
    page = Paginator(SeasonUpdate.objects.published().with_effects(), UPDATES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "news/seasonupdate_list.html", {"page": page})


def update_detail(request, slug):
    """Show one published Season 2 update; staff may preview drafts and scheduled ones."""
    updates = SeasonUpdate.objects.visible_to(request.user)
    update = get_object_or_404(updates.with_effects(), slug=slug)
    return render(request, "news/seasonupdate_detail.html", {"update": update})
