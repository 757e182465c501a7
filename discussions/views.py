from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from .forms import CommentForm, VoteForm
from .models import Article, Comment, Concern, SeasonUpdate, UpdateEffect, Vote
from .voting import Outcome, cast_vote

COMMENTS_PER_PAGE = 50
LATEST_UPDATES_ON_HOME = 3


def _published_updates():
    effects = UpdateEffect.objects.select_related("concern")
    return SeasonUpdate.objects.published().prefetch_related(Prefetch("effects", queryset=effects))


def home(request):
    """Show the newest article and its concerns."""
    article = Article.objects.first()
    return _render_article(request, article)


def article_detail(request, slug):
    """Show one article and its concerns."""
    return _render_article(request, get_object_or_404(Article, slug=slug))


def _render_article(request, article):
    concerns = article.concerns.with_tallies() if article else Concern.objects.none()
    return render(
        request,
        "discussions/article_detail.html",
        {
            "article": article,
            "concerns": concerns,
            "latest_updates": _published_updates()[:LATEST_UPDATES_ON_HOME],
        },
    )


def _comment_threads(concern, page_number):
    """Return a page of top-level comments with their visible replies nested."""
    top_level = (
        concern.comments.visible()
        .top_level()
        .select_related("author")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(top_level, COMMENTS_PER_PAGE).get_page(page_number)
    roots = list(page.object_list)
    replies = (
        Comment.objects.visible()
        .filter(root__in=roots)
        .select_related("author")
        .order_by("created_at", "pk")
    )
    children = {}
    for reply in replies:
        children.setdefault(reply.parent_id, []).append(reply)
    # A reply to a hidden comment has lost its context and is left out with it.
    for comment in [*roots, *replies]:
        comment.children = children.get(comment.pk, [])
    page.object_list = roots
    return page


def _render_concern(request, concern, comment_form=None, status=200):
    user_vote = None
    if request.user.is_authenticated:
        user_vote = Vote.objects.filter(user=request.user, concern=concern).first()
    if comment_form is None:
        comment_form = CommentForm(concern=concern)
    news = concern.update_effects.public().select_related("update")
    return render(
        request,
        "discussions/concern_detail.html",
        {
            "concern": concern,
            "tally": concern.tally,
            "user_vote": user_vote,
            "vote_form": VoteForm(),
            "comment_form": comment_form,
            "page": _comment_threads(concern, request.GET.get("page")),
            "news": news,
        },
        status=status,
    )


def _get_concern(slug):
    return get_object_or_404(Concern.objects.with_tallies().select_related("article"), slug=slug)


def concern_detail(request, slug):
    """Show a concern, its tally, the vote and comment forms, and the comments."""
    return _render_concern(request, _get_concern(slug))


VOTE_MESSAGES = {
    Outcome.CAST: gettext_lazy("Your vote is in: %(verdict)s."),
    Outcome.CHANGED: gettext_lazy("You changed your vote to %(verdict)s."),
    Outcome.CLEARED: gettext_lazy("Your vote was removed."),
    Outcome.UNCHANGED: gettext_lazy("Your vote was already %(verdict)s."),
    Outcome.NOTHING_TO_CLEAR: gettext_lazy("You had not voted on this concern."),
}


def vote(request, slug):
    """Cast, change or clear the signed-in fan's verdict."""
    concern = get_object_or_404(Concern, slug=slug)
    if request.method != "POST":
        return redirect(concern)
    if not request.user.is_authenticated:
        return redirect_to_login(concern.get_absolute_url())
    form = VoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["verdict"][0])
        return redirect(concern)
    verdict = form.cleaned_data["verdict"]
    outcome = cast_vote(request.user, concern, verdict)
    label = dict(form.fields["verdict"].choices)[verdict]
    messages.success(request, VOTE_MESSAGES[outcome] % {"verdict": str(label).lower()})
    return redirect(concern)


def comment_create(request, slug):
    """Post a comment or reply; on bad input show the form again with the text."""
    concern = get_object_or_404(Concern, slug=slug)
    if request.method != "POST":
        return redirect(concern)
    if not request.user.is_authenticated:
        return redirect_to_login(concern.get_absolute_url())
    form = CommentForm(request.POST, concern=concern)
    if not form.is_valid():
        messages.error(request, _("Your comment was not posted. Please fix the problem below."))
        return _render_concern(request, _get_concern(slug), comment_form=form, status=400)
    comment = form.save(author=request.user)
    messages.success(request, _("Your comment is posted."))
    return redirect(comment)


def update_list(request):
    """List published Season 2 updates, newest first."""
    page = Paginator(_published_updates(), 20).get_page(request.GET.get("page"))
    return render(request, "discussions/seasonupdate_list.html", {"page": page})


def update_detail(request, slug):
    """Show one published Season 2 update and the concerns it bears on."""
    update = get_object_or_404(_published_updates(), slug=slug)
    return render(request, "discussions/seasonupdate_detail.html", {"update": update})


def _concern_json(request, concern):
    tally = concern.tally
    return {
        "slug": concern.slug,
        "title": concern.title,
        "url": request.build_absolute_uri(concern.get_absolute_url()),
        "justified": tally.justified,
        "overblown": tally.overblown,
        "comments": concern.comment_count,
    }


@require_GET
def api_concern_list(request):
    """List every concern with its tally as JSON."""
    concerns = Concern.objects.with_tallies().order_by("article", "position", "pk")
    return JsonResponse([_concern_json(request, c) for c in concerns], safe=False)


@require_GET
def api_concern_detail(request, slug):
    """Return one concern with its tally as JSON."""
    concern = Concern.objects.with_tallies().filter(slug=slug).first()
    if concern is None:
        return JsonResponse({"error": _("No concern with that slug.")}, status=404)
    return JsonResponse(_concern_json(request, concern))
