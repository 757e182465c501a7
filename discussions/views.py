from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseClientRedirect, retarget

from accounts.decorators import refuse_when_suspended
from accounts.limits import retry_after, too_many_requests, wait_message
from accounts.redirects import same_site_path
from news.models import Effect, SeasonUpdate
from notifications.delivery import follow as follow_concern
from notifications.delivery import unfollow as unfollow_concern
from notifications.models import Follow

from .authoring import edit_comment, post_comment
from .charts import daily_tallies, opinion_chart, sparkline
from .forms import FRESH_REPLY, CommentEditForm, CommentForm, VoteForm, reply_options
from .models import Article, Comment, Concern, DailyShift, HelpfulMark, Stance, Vote
from .voting import Outcome, cast_vote, keep_vote

COMMENTS_PER_PAGE = 50
LATEST_UPDATES_ON_HOME = 3
BEST_ARGUMENTS_PER_SIDE = 3
# Fewer votes than this and a fear is not called divisive or a consensus.
MIN_VOTES_TO_CALL = 10
SORTS = ("new", "top")


def home(request):
    """Show the newest article and its concerns."""
    article = Article.objects.first()
    return _render_article(request, article)


def article_detail(request, slug):
    """Show one article and its concerns."""
    return _render_article(request, get_object_or_404(Article, slug=slug))


def _results_visible(user, concerns):
    """Mark each concern with whether this visitor may see its results."""
    hidden = [c.pk for c in concerns if c.results_hidden_until_vote]
    voted = set()
    if hidden and user.is_authenticated:
        voted = set(
            Vote.objects.filter(user=user, concern__in=hidden).values_list("concern", flat=True)
        )
    for concern in concerns:
        concern.results_visible = not concern.results_hidden_until_vote or concern.pk in voted


def _render_article(request, article):
    concerns = list(article.concerns.with_tallies()) if article else []
    _results_visible(request.user, concerns)
    shifts = {}
    for concern_id, *row in DailyShift.objects.filter(concern__in=concerns).values_list(
        "concern", "day", "justified_change", "overblown_change"
    ):
        shifts.setdefault(concern_id, []).append(tuple(row))
    for concern in concerns:
        concern.sparkline = sparkline(daily_tallies(shifts.get(concern.pk, [])))
    ranked = sorted(concerns, key=lambda c: (-c.tally.lower_bound, c.position))
    called = [c for c in concerns if c.tally.total >= MIN_VOTES_TO_CALL and c.results_visible]
    return render(
        request,
        "discussions/article_detail.html",
        {
            "article": article,
            "concerns": ranked,
            "most_divisive": min(called, key=lambda c: c.tally.closeness_to_even, default=None),
            "clearest_consensus": max(
                called, key=lambda c: c.tally.consensus_strength, default=None
            ),
            "min_votes_to_call": MIN_VOTES_TO_CALL,
            "latest_updates": SeasonUpdate.objects.published().with_effects()[
                :LATEST_UPDATES_ON_HOME
            ],
        },
    )


def _comment_threads(concern, page_number, sort="new", stance=""):
    """Return a page of threads, each top-level comment with its replies nested.

    Comments that are no longer visible stay as placeholders only while visible
    replies hang below them.
    """
    threads = concern.comments.threads_to_show().select_related("author")
    if stance:
        threads = threads.filter(stance=stance)
    page = Paginator(threads.ranked(sort), COMMENTS_PER_PAGE).get_page(page_number)
    roots = list(page.object_list)
    replies = list(
        Comment.objects.filter(root__in=roots)
        .with_helpful_counts()
        .select_related("author")
        .order_by("created_at", "pk")
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


def _reconsider(user_vote, news):
    """Return the newest decisive update published since the fan last voted, if any."""
    if user_vote is None:
        return None
    return (
        news.filter(
            effect__in=[Effect.CONFIRMS, Effect.EASES],
            update__published_at__gt=user_vote.confirmed_at,
        )
        .select_related("update")
        .first()
    )


def _best_arguments(concern):
    visible = concern.comments.visible().top_level().select_related("author")
    return {
        side: list(visible.filter(stance=side).ranked("top")[:BEST_ARGUMENTS_PER_SIDE])
        for side in (Stance.JUSTIFIED, Stance.OVERBLOWN)
    }


def _follows(user, concern):
    return (
        user.is_authenticated
        and Follow.objects.filter(user=user, concern=concern, is_active=True).exists()
    )


def _listing_options(request):
    sort = request.GET.get("sort")
    stance = request.GET.get("stance", "")
    return (
        sort if sort in SORTS else "new",
        stance if stance in Stance.values else "",
    )


def _concern_context(request, concern, comment_form=None, *, opinion, threads, focus_first):
    """What the concern page shows; inline answers ask only for the parts they render."""
    user = request.user
    user_vote = suspension = None
    if user.is_authenticated:
        user_vote = Vote.objects.filter(user=user, concern=concern).first()
        suspension = user.active_suspension()
    _results_visible(user, [concern])
    context = {
        "concern": concern,
        "user_vote": user_vote,
        "suspension": suspension,
        "comment_form": comment_form or CommentForm(concern=concern),
        "reply_options": FRESH_REPLY,
    }
    if opinion:
        news = concern.update_effects.public().select_related("update")
        shifts = concern.daily_shifts.values_list("day", "justified_change", "overblown_change")
        context |= {
            "tally": concern.tally,
            "following": _follows(user, concern),
            "news": news,
            "news_status": news.news_status(),
            "reconsider": _reconsider(user_vote, news),
            "chart": opinion_chart(daily_tallies(shifts), news),
        }
    if threads:
        sort, stance = _listing_options(request)
        page = _comment_threads(concern, request.GET.get("page"), sort, stance)
        if focus_first and page.object_list:
            # Comments loaded in place take focus, so keyboard users carry on there.
            page.object_list[0].just_posted = True
        marked = set()
        if user.is_authenticated:
            marked = set(
                HelpfulMark.objects.filter(user=user, comment__concern=concern).values_list(
                    "comment", flat=True
                )
            )
        context |= {
            "page": page,
            "sort": sort,
            "stance": stance,
            "stances": Stance.choices,
            "helpful_marked": marked,
            "best_arguments": _best_arguments(concern),
        }
    return context


def _render_concern(
    request,
    concern,
    comment_form=None,
    status=200,
    part="",
    *,
    opinion=True,
    threads=True,
    focus_first=False,
    **extra,
):
    """Render the concern page, or one named part of it for htmx."""
    context = _concern_context(
        request,
        concern,
        comment_form,
        opinion=opinion,
        threads=threads,
        focus_first=focus_first,
    )
    template = "discussions/concern_detail.html"
    if part:
        template = part if "/" in part else f"{template}#{part}"
    return render(request, template, context | extra, status=status)


def _get_concern(slug):
    return get_object_or_404(Concern.objects.with_tallies().select_related("article"), slug=slug)


def concern_detail(request, slug):
    """Show a concern, its tally, the vote and comment forms, and the comments."""
    concern = _get_concern(slug)
    if request.htmx and request.htmx.target == "load-more":
        return _render_concern(
            request, concern, part="comment-page", opinion=False, focus_first=True
        )
    return _render_concern(request, concern)


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
            login = redirect_to_login(concern.get_absolute_url())
            # An inline request whose session expired goes to the login page whole.
            return HttpResponseClientRedirect(login.url) if request.htmx else login
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
        message = _("You're voting very fast.")
        if request.htmx:
            response = _render_concern(
                request,
                _get_concern(concern.slug),
                status=429,
                part="vote-panel",
                threads=False,
                vote_feedback=f"{message} {wait_message(wait)}",
            )
            response["Retry-After"] = str(wait)
            return response
        return too_many_requests(request, wait, message)
    verdict = form.cleaned_data["verdict"]
    outcome = cast_vote(request.user, concern, verdict)
    label = dict(form.fields["verdict"].choices)[verdict]
    feedback = VOTE_MESSAGES[outcome] % {"verdict": str(label).lower()}
    if request.htmx:
        return _render_concern(
            request,
            _get_concern(concern.slug),
            part="discussions/concern_swaps.html#vote",
            threads=False,
            vote_feedback=feedback,
        )
    messages.success(request, feedback)
    return redirect(concern)


@_signed_in_post
@refuse_when_suspended
def keep(request, concern):
    """Record that the fan still holds their verdict after new Season 2 news."""
    if keep_vote(request.user, concern) is None:
        feedback = _("You have not voted on this concern yet.")
    else:
        feedback = _("Noted: your vote stands.")
    if request.htmx:
        return _render_concern(
            request, concern, part="reconsider", threads=False, keep_feedback=feedback
        )
    messages.success(request, feedback)
    return redirect(concern)


@login_required
def follow(request, slug):
    """Follow or stop following a concern (POST follow=1 or follow=0)."""
    concern = get_object_or_404(Concern, slug=slug)
    if request.method != "POST":
        return redirect(concern)
    following = request.POST.get("follow") != "0"
    if following:
        follow_concern(request.user, concern)
        feedback = _("You follow this fear: Season 2 news on it will be in your notifications.")
    else:
        unfollow_concern(request.user, concern)
        feedback = _("You no longer follow this fear.")
    if request.htmx:
        return render(
            request,
            "discussions/concern_detail.html#follow-form",
            {"concern": concern, "following": following, "follow_feedback": feedback},
        )
    messages.success(request, feedback)
    return redirect(concern)


@login_required
@refuse_when_suspended
def helpful(request, pk):
    """Mark someone else's comment as helpful, or take the mark back."""
    comment = get_object_or_404(Comment.objects.visible().select_related("concern"), pk=pk)
    target = _safe_return(request, comment)
    if request.method != "POST":
        return redirect(target)
    if comment.author_id == request.user.pk:
        messages.error(request, _("You can't mark your own comment as helpful."))
        return redirect(target)
    removed, _count = HelpfulMark.objects.filter(user=request.user, comment=comment).delete()
    if not removed:
        HelpfulMark.objects.get_or_create(user=request.user, comment=comment)
    if request.htmx:
        concern = comment.concern
        comment = Comment.objects.with_helpful_counts().get(pk=comment.pk)
        return render(
            request,
            "discussions/concern_swaps.html#helpful",
            {
                "concern": concern,
                "best_arguments": _best_arguments(concern),
                "comment": comment,
                "marked_helpful": not removed,
                "here": same_site_path(request, request.POST.get("next", "")),
            },
        )
    return redirect(target)


def _safe_return(request, comment):
    """Go back to the page the fan was on (same site only), at the comment."""
    target = same_site_path(request, request.POST.get("next", ""))
    if target:
        return f"{target.split('#')[0]}#comment-{comment.pk}"
    return comment.get_absolute_url()


def _comment_limit_error(request, body):
    """Return why this comment must wait, counting it against the limits, or None.

    The checks that read saved comments come first, so an attempt refused for
    them never uses up the fan's allowance in the rate limiter.
    """
    user = request.user
    now = timezone.now()
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
            int((user.date_joined + settings.NEW_ACCOUNT_AGE - now).total_seconds()) + 1,
        )
    repeated = Comment.objects.posted_again(user, body, since=now - settings.COMMENT_REPEAT_WINDOW)
    if repeated is not None:
        wait = repeated.created_at + settings.COMMENT_REPEAT_WINDOW - now
        return _("You posted this same text a moment ago."), int(wait.total_seconds()) + 1
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
            comment = post_comment(form, request.user)
            if request.htmx:
                return _posted_inline(request, comment)
            messages.success(request, _("Your comment is posted."))
            return redirect(comment)
        reason, wait = refused
        form.add_error(None, f"{reason} {wait_message(wait)}")
    status = 429 if wait else 400
    if request.htmx:
        response = _refused_inline(request, concern, form, status)
    else:
        messages.error(request, _("Your comment was not posted. Please fix the problem below."))
        response = _render_concern(request, _get_concern(concern.slug), form, status=status)
    if wait:
        response["Retry-After"] = str(wait)
    return response


def _posted_inline(request, comment):
    """Answer htmx with a fresh form, the new comment placed in the thread, and what it changed.

    Posting follows the fear and moves the count (and, for a comment, the best
    arguments), so those parts come along out of band.
    """
    comment = Comment.objects.with_helpful_counts().select_related("author").get(pk=comment.pk)
    comment.children, comment.just_posted = [], True
    concern = _get_concern(comment.concern.slug)
    following = _follows(request.user, concern)
    if comment.parent_id:
        parent, depth = comment.parent, 1
        # Nested as the full page nests it, so deep threads flatten the same way.
        ancestor = parent
        while ancestor.parent_id:
            ancestor, depth = ancestor.parent, depth + 1
        return _render_concern(
            request,
            concern,
            part="discussions/concern_swaps.html#reply-posted",
            opinion=False,
            threads=False,
            new_comment=comment,
            parent=parent,
            depth=depth,
            following=following,
        )
    return _render_concern(
        request,
        concern,
        part="discussions/concern_swaps.html#comment-posted",
        opinion=False,
        threads=False,
        new_comment=comment,
        comment_feedback=_("Your comment is posted."),
        following=following,
        best_arguments=_best_arguments(concern),
    )


def _refused_inline(request, concern, form, status):
    """Answer htmx with the form again, its errors shown and everything the fan entered kept."""
    parent = form.cleaned_data.get("parent")
    if parent is not None:
        return render(
            request,
            "includes/_reply_form.html",
            {
                "comment": parent,
                "concern": concern,
                "reply_form": form,
                "reply_options": reply_options(form),
            },
            status=status,
        )
    # The reply's comment is gone: show the error where the main form is.
    return retarget(
        _render_concern(
            request, concern, form, status=status, part="comment-form", opinion=False, threads=False
        ),
        "#comment-form",
    )


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


def _concern_json(request, concern):
    tally = concern.tally
    data = {
        "slug": concern.slug,
        "title": concern.title,
        "url": request.build_absolute_uri(concern.get_absolute_url()),
        "justified": tally.justified,
        "overblown": tally.overblown,
        "comments": concern.comment_count,
    }
    if not concern.results_visible:
        # The same rule as the pages: no peeking at the tally before voting.
        data.update(justified=None, overblown=None, results_hidden=True)
    return data


# Read-only JSON: other methods get 405, not the CSRF check's 403.
@csrf_exempt
@require_GET
def api_concern_list(request):
    """List every concern with its tally as JSON."""
    concerns = list(Concern.objects.with_tallies().order_by("article", "position", "pk"))
    _results_visible(request.user, concerns)
    return JsonResponse([_concern_json(request, c) for c in concerns], safe=False)


@csrf_exempt
@require_GET
def api_concern_detail(request, slug):
    """Return one concern with its tally as JSON."""
    concern = Concern.objects.with_tallies().filter(slug=slug).first()
    if concern is None:
        return JsonResponse({"error": _("No concern with that slug.")}, status=404)
    _results_visible(request.user, [concern])
    return JsonResponse(_concern_json(request, concern))
