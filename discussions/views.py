from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from aouad.throttling import retry_after, same_text_key, too_many_requests, wait_message
from moderation.decorators import refuse_when_suspended

from .authoring import edit_comment
from .forms import CommentEditForm, CommentForm, VoteForm
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
    """Return a page of threads, each top-level comment with its replies nested.

    Comments that are no longer visible stay as placeholders only while visible
    replies hang below them.
    """
    threads = concern.comments.threads_to_show().select_related("author")
    page = Paginator(threads.order_by("-created_at", "-pk"), COMMENTS_PER_PAGE).get_page(
        page_number
    )
    roots = list(page.object_list)
    replies = list(
        Comment.objects.filter(root__in=roots).select_related("author").order_by("created_at", "pk")
    )
    children = {}
    for reply in replies:
        children.setdefault(reply.parent_id, []).append(reply)

    def keep(comment):
        comment.children = [child for child in children.get(comment.pk, []) if keep(child)]
        return comment.is_visible or bool(comment.children)

    for root in roots:
        keep(root)
    page.object_list = roots
    return page


def _render_concern(request, concern, comment_form=None, status=200):
    user_vote = suspension = None
    if request.user.is_authenticated:
        user_vote = Vote.objects.filter(user=request.user, concern=concern).first()
        suspension = request.user.active_suspension()
    if comment_form is None:
        comment_form = CommentForm(concern=concern)
    return render(
        request,
        "discussions/concern_detail.html",
        {
            "concern": concern,
            "tally": concern.tally,
            "user_vote": user_vote,
            "suspension": suspension,
            "vote_form": VoteForm(),
            "comment_form": comment_form,
            "page": _comment_threads(concern, request.GET.get("page")),
            "news": concern.update_effects.public().select_related("update"),
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


def _signed_in_post(view):
    """Send GETs back to the concern, and anonymous fans to log in first."""

    def wrapper(request, slug, *args, **kwargs):
        concern = get_object_or_404(Concern, slug=slug)
        if request.method != "POST":
            return redirect(concern)
        if not request.user.is_authenticated:
            return redirect_to_login(concern.get_absolute_url())
        return view(request, concern, *args, **kwargs)

    return wrapper


@_signed_in_post
@refuse_when_suspended
def vote(request, concern):
    """Cast, change or clear the signed-in fan's verdict."""
    form = VoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["verdict"][0])
        return redirect(concern)
    wait = retry_after(request, "vote")
    if wait:
        return too_many_requests(request, wait, _("You're voting very fast."))
    verdict = form.cleaned_data["verdict"]
    outcome = cast_vote(request.user, concern, verdict)
    label = dict(form.fields["verdict"].choices)[verdict]
    messages.success(request, VOTE_MESSAGES[outcome] % {"verdict": str(label).lower()})
    return redirect(concern)


def _comment_limit_error(request, body):
    """Return why this comment must wait, counting it against the limits, or None."""
    user = request.user
    if (
        user.is_new_account
        and Comment.objects.filter(author=user).count() >= settings.NEW_ACCOUNT_MAX_COMMENTS
    ):
        return (
            _(
                "New accounts can post %(n)d comments on their first day. "
                "You can post again once your account is a day old."
            )
            % {"n": settings.NEW_ACCOUNT_MAX_COMMENTS},
            int((user.date_joined + settings.NEW_ACCOUNT_AGE - timezone.now()).total_seconds()) + 1,
        )
    wait = retry_after(request, "comment-same-text", key=same_text_key(body))
    if wait:
        return _("You posted this same text a moment ago."), wait
    limit = "comment-new-account" if user.is_new_account else "comment"
    wait = retry_after(request, limit)
    if wait:
        return _("Please leave a little time between comments."), wait
    return None


@_signed_in_post
@refuse_when_suspended
def comment_create(request, concern):
    """Post a comment or reply; on bad input show the form again with the text."""
    form = CommentForm(request.POST, concern=concern)
    wait = None
    if form.is_valid():
        refused = _comment_limit_error(request, form.cleaned_data["body"])
        if refused is None:
            comment = form.save(author=request.user)
            messages.success(request, _("Your comment is posted."))
            return redirect(comment)
        reason, wait = refused
        form.add_error(None, f"{reason} {wait_message(wait)}")
    messages.error(request, _("Your comment was not posted. Please fix the problem below."))
    response = _render_concern(
        request, _get_concern(concern.slug), form, status=429 if wait else 400
    )
    if wait:
        response["Retry-After"] = str(wait)
    return response


def _own_comment(request, pk):
    comment = get_object_or_404(Comment.objects.select_related("concern"), pk=pk)
    if comment.author_id != request.user.pk:
        raise PermissionDenied(_("You can only change your own comments."))
    return comment


@login_required
@refuse_when_suspended
def comment_edit(request, pk):
    """Let the author fix their comment within the edit window."""
    comment = _own_comment(request, pk)
    if not comment.is_editable_by(request.user):
        return render(request, "discussions/comment_locked.html", {"comment": comment}, status=403)
    form = CommentEditForm(request.POST or None, instance=Comment.objects.get(pk=comment.pk))
    if request.method == "POST" and form.is_valid():
        edit_comment(comment, **form.cleaned_data)
        messages.success(request, _("Your comment is updated."))
        return redirect(comment)
    return render(
        request,
        "discussions/comment_form.html",
        {"form": form, "comment": comment},
        status=400 if form.is_bound else 200,
    )


@login_required
def comment_delete(request, pk):
    """Let the author withdraw their comment, after confirming."""
    comment = _own_comment(request, pk)
    if not comment.is_deletable_by(request.user):
        messages.info(request, _("That comment is already gone."))
        return redirect(comment.concern)
    if request.method == "POST":
        comment.withdraw()
        messages.success(request, _("Your comment is deleted."))
        return redirect(comment)
    return render(request, "discussions/comment_confirm_delete.html", {"comment": comment})


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
