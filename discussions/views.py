"""The discussion's pages and forms: each view builds a presenter or calls one operation.

Refusals the operations raise (Suspended, RateLimited) and htmx requests sent
to log in are answered by aouad.middleware.RefusalMiddleware, not here.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_safe
from django_htmx.http import retarget

from accounts.decorators import refuse_when_suspended
from accounts.limits import RateLimited
from accounts.models import User
from accounts.muting import CannotMuteYourself, mute, unmute
from accounts.redirects import same_site_path
from news.models import SeasonUpdate
from notifications.delivery import follow_concern, unfollow_concern
from opinion.established import established_tally
from opinion.voting import Outcome, cast_vote, dismiss_reminder, keep_vote

from .authoring import (
    Gone,
    Locked,
    NotYours,
    OwnComment,
    Refused,
    delete_comment,
    edit_comment,
    post_comment,
    toggle_helpful,
)
from .cards import concern_png, update_png
from .formatting import render as render_comment
from .forms import CommentEditForm, CommentForm, DismissForm, VoteForm, reply_options
from .live import live_answer
from .models import Article, Comment, Concern
from .pages import (
    ArticlePage,
    ConcernPage,
    count_comments,
    results_visible_to,
    with_current_tallies,
)
from .profiles import FanProfile


def home(request):
    """Show the featured article (else the newest) and its concerns, then the others."""
    return ArticlePage(request, Article.objects.first()).render()


def article_detail(request, slug):
    """Show one article and its concerns, then the others."""
    return ArticlePage(request, get_object_or_404(Article, slug=slug)).render()


def _get_concern(slug):
    found = with_current_tallies(Concern.objects.filter(slug=slug).select_related("article"))
    if not found:
        raise Http404
    return found[0]


def concern_detail(request, slug):
    """Show a concern, its tally, the vote and comment forms, and the comments."""
    page = ConcernPage(request, _get_concern(slug))
    return page.render(page.requested_part)


# An anonymous reader's browser, or a cache on the way, may keep a live answer this long
# (seconds): well under the page's poll interval, so a poll still asks again.
LIVE_MAX_AGE = 5


# Read-only, like the API: other methods get 405, not the CSRF check's 403.
@csrf_exempt
@require_safe
def concern_live(request, slug):
    """What changed on a concern page: its tally and comments' count, as JSON; 304 if nothing.

    Anonymous answers are the same for everyone and may be kept on the way; a
    fan's may show results the fan unlocked by voting, so only their browser
    keeps it, and asks again every time.
    """
    answer = live_answer(request.user, slug)
    if not answer.found:
        return JsonResponse({"error": _("No concern with that slug.")}, status=404)
    response = HttpResponse(answer.body, content_type="application/json")
    response["ETag"] = answer.etag
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(response, public=True, max_age=LIVE_MAX_AGE)
    # Every answer varies on Accept-Language and Cookie (aouad.languages), a 304 too.
    return get_conditional_response(request, etag=answer.etag, response=response)


# Social sites and card validators fetch a share card again after this long (seconds).
CARD_MAX_AGE = 300


def _card(request, png, *, public=True):
    """Answer with a share card (a cards.Png), public for a few minutes; 304 when unchanged.

    A staff preview of news not yet out is never kept by a shared cache.
    """
    response = HttpResponse(png.data, content_type="image/png")
    response["ETag"] = png.etag
    if public:
        patch_cache_control(response, public=True, max_age=CARD_MAX_AGE)
    else:
        patch_cache_control(response, private=True, no_store=True)
    return get_conditional_response(request, etag=png.etag, response=response)


@require_safe
def concern_card(request, slug):
    """The concern's share card, a PNG in the request's language."""
    return _card(request, concern_png(_get_concern(slug), get_language()))


@require_safe
def update_card(request, slug):
    """A Season 2 update's share card; like its page, a draft is there for staff only."""
    update = get_object_or_404(SeasonUpdate.objects.visible_to(request.user), slug=slug)
    concerns = with_current_tallies(Concern.objects.affected_by(update))
    return _card(request, update_png(update, concerns, get_language()), public=update.is_public)


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
def vote(request, concern):
    """Cast, change or clear the signed-in fan's verdict.

    cast_vote refuses a suspended fan itself, under the fan's lock; a check
    here too would cost every vote one more query on news day. Only a vote
    that cast_vote never sees asks here, so a suspended fan hears why first.
    """
    form = VoteForm(request.POST)
    if not form.is_valid():
        request.user.refuse_if_suspended()
        messages.error(request, form.errors["verdict"][0])
        return redirect(concern)
    verdict = form.cleaned_data["verdict"]
    outcome = cast_vote(request.user, concern, verdict)
    label = dict(form.fields["verdict"].choices)[verdict]
    feedback = VOTE_MESSAGES[outcome] % {"verdict": str(label).lower()}
    if request.htmx:
        page = ConcernPage(request, _get_concern(concern.slug))
        return page.render("discussions/concern_swaps.html#vote", vote_feedback=feedback)
    messages.success(request, feedback)
    return redirect(concern)


@_signed_in_post
def keep(request, concern):
    """Record that the fan still holds their verdict after new Season 2 news."""
    if keep_vote(request.user, concern) is None:
        feedback = _("You have not voted on this concern yet.")
    else:
        feedback = _("Noted: your vote stands.")
    if request.htmx:
        return ConcernPage(request, concern).render("reconsider", keep_feedback=feedback)
    messages.success(request, feedback)
    return redirect(concern)


@_signed_in_post
def dismiss(request, concern):
    """Set aside the reminder to reconsider after one update: it is not shown again."""
    form = DismissForm(request.POST, concern=concern)
    if form.is_valid():
        dismiss_reminder(request.user, form.cleaned_data["update"])
        feedback, level = _("We will not ask about this update again."), messages.SUCCESS
    else:
        feedback, level = form.errors["update"][0], messages.ERROR
    if request.htmx:
        return ConcernPage(request, concern).render("reconsider", keep_feedback=feedback)
    messages.add_message(request, level, feedback)
    return redirect(concern)


@login_required
def follow(request, slug):
    """Follow or stop following a concern (POST follow=1 or follow=0)."""
    concern = get_object_or_404(Concern, slug=slug)
    if request.method != "POST":
        return redirect(concern)
    if request.POST.get("follow") != "0":
        follow_concern(request.user, concern)
        feedback = _("You follow this fear: Season 2 news on it will be in your notifications.")
    else:
        unfollow_concern(request.user, concern)
        feedback = _("You no longer follow this fear.")
    if request.htmx:
        return ConcernPage(request, concern).render("follow-form", follow_feedback=feedback)
    messages.success(request, feedback)
    return redirect(concern)


@login_required
def helpful(request, pk):
    """Mark someone else's comment as helpful, or take the mark back."""
    comment = get_object_or_404(Comment.objects.visible().select_related("concern"), pk=pk)
    target = _safe_return(request, comment)
    if request.method != "POST":
        return redirect(target)
    try:
        marked = toggle_helpful(request.user, comment)
    except OwnComment as refusal:
        if request.htmx:
            raise  # the refusal middleware says why in place
        messages.error(request, str(refusal))
        return redirect(target)
    if request.htmx:
        return ConcernPage(request, comment.concern).render(
            "discussions/concern_swaps.html#helpful",
            comment=Comment.objects.with_helpful_counts().get(pk=comment.pk),
            marked_helpful=marked,
            here=same_site_path(request, request.POST.get("next", "")),
        )
    return redirect(target)


def _safe_return(request, comment):
    """Go back to the page the fan was on (same site only), at the comment."""
    target = same_site_path(request, request.POST.get("next", ""))
    if target:
        return f"{target.split('#')[0]}#comment-{comment.pk}"
    return comment.get_absolute_url()


@_signed_in_post
@refuse_when_suspended
def comment_create(request, concern):
    """Post a comment or reply; when refused, show the form again with the text.

    The form's second button (`preview`) posts nothing: the form comes back
    with the comment shown above it as it would look.
    """
    form = CommentForm(request.POST, concern=concern, author=request.user)
    if "preview" in request.POST:
        return _previewed(request, concern, form)
    status, wait = 400, None
    if form.is_valid():
        try:
            comment = post_comment(request.user, concern, **form.cleaned_data)
        except RateLimited as refusal:
            form.add_error(None, refusal.message)
            status, wait = 429, refusal.wait
        except Refused as refusal:
            # The comment replied to went away after the form was checked.
            form.add_error(None, str(refusal))
        else:
            if request.htmx:
                return _posted_inline(request, comment)
            messages.success(request, _("Your comment is posted."))
            return redirect(comment)
    response = _refused(request, concern, form, status)
    if wait:
        response["Retry-After"] = str(wait)
    return response


@login_required
@refuse_when_suspended
def comment_reply(request, pk):
    """The form to reply to a comment: put in place for htmx, a page of its own without it.

    Threads carry a link here rather than a form under every comment, so a
    page of fifty threads stays light; the form posts to comment_create.
    """
    parent = get_object_or_404(Comment.objects.visible().select_related("concern", "author"), pk=pk)
    request.user.refuse_if_unconfirmed()
    context = {
        "comment": parent,
        "concern": parent.concern,
        "reply_options": reply_options(),
        "opened": True,
    }
    if request.GET.get("quote"):
        # The reply starts as a quote of the comment; a spoiler's quote is one too.
        form = CommentForm(
            initial={"body": parent.as_quote(), "is_spoiler": parent.is_spoiler},
            concern=parent.concern,
        )
        context.update(reply_form=form, reply_options=reply_options(form))
    if request.htmx:
        return render(request, "includes/_reply_form.html", context)
    return render(request, "discussions/comment_reply.html", context)


def _posted_inline(request, comment):
    """Answer htmx with a fresh form, the new comment placed in the thread, and what it changed.

    Posting follows the fear and moves the count (and, for a comment, the best
    arguments), so those parts come along out of band.
    """
    page = ConcernPage(request, _get_concern(comment.concern.slug), posted=comment)
    if comment.parent_id:
        return page.render("discussions/concern_swaps.html#reply-posted")
    return page.render(
        "discussions/concern_swaps.html#comment-posted",
        comment_feedback=_("Your comment is posted."),
    )


def _preview(form):
    """The form's comment rendered as it would show, or None when the form refuses it."""
    if not form.is_valid():
        return None
    return mark_safe(render_comment(form.cleaned_data["body"]).html)  # sanitized there


def _previewed(request, concern, form):
    """The form again, everything kept, with the comment above it as it would look.

    A form the rules refuse shows its errors instead, as posting would.
    """
    preview = _preview(form)
    status = 400 if preview is None else 200
    spoiler = form.cleaned_data.get("is_spoiler")
    parent = form.cleaned_data.get("parent")
    if parent is None:
        page = ConcernPage(request, concern, comment_form=form)
        part = "comment-form" if request.htmx else ""
        return page.render(part, status=status, comment_preview=preview, preview_spoiler=spoiler)
    context = {
        "comment": parent,
        "concern": concern,
        "reply_form": form,
        "reply_options": reply_options(form),
        "preview": preview,
        "preview_spoiler": spoiler,
    }
    template = "includes/_reply_form.html" if request.htmx else "discussions/comment_reply.html"
    return render(request, template, context, status=status)


def _refused(request, concern, form, status):
    """Show the form again, its errors shown and everything the fan entered kept."""
    if not request.htmx:
        messages.error(request, _("Your comment was not posted. Please fix the problem below."))
        page = ConcernPage(request, _get_concern(concern.slug), comment_form=form)
        return page.render(status=status)
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
    page = ConcernPage(request, concern, comment_form=form)
    return retarget(page.render("comment-form", status=status), "#comment-form")


def _own_comment(request, pk):
    comment = get_object_or_404(Comment.objects.select_related("concern"), pk=pk)
    if comment.author_id != request.user.pk:
        raise NotYours
    return comment


def _locked(request, comment):
    context = {"comment": comment, "edit_window": settings.COMMENT_EDIT_WINDOW}
    return render(request, "discussions/comment_locked.html", context, status=403)


@login_required
@refuse_when_suspended
def comment_edit(request, pk):
    """Let the author fix their comment within the edit window."""
    comment = _own_comment(request, pk)
    if not comment.is_editable_by(request.user):
        return _locked(request, comment)
    form = CommentEditForm(
        request.POST or None, instance=Comment.objects.get(pk=comment.pk), author=request.user
    )
    if "preview" in request.POST:
        preview = _preview(form)
        context = {
            "form": form,
            "comment": comment,
            "preview": preview,
            "preview_spoiler": form.cleaned_data.get("is_spoiler"),
        }
        status = 400 if preview is None else 200
        return render(request, "discussions/comment_form.html", context, status=status)
    if request.method == "POST" and form.is_valid():
        try:
            edit_comment(request.user, comment, **form.cleaned_data)
        except Locked:
            return _locked(request, comment)
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
    try:
        if request.method == "POST":
            delete_comment(request.user, comment)
            messages.success(request, _("Your comment is deleted."))
            return redirect(comment)
        if not comment.is_deletable_by(request.user):
            raise Gone
    except Gone as refusal:
        messages.info(request, str(refusal))
        return redirect(comment.concern)
    return render(request, "discussions/comment_confirm_delete.html", {"comment": comment})


def _concern_json(request, concern, visible):
    tally = concern.tally
    data = {
        "slug": concern.slug,
        "title": concern.title,
        "url": request.build_absolute_uri(concern.get_absolute_url()),
        "justified": tally.justified,
        "overblown": tally.overblown,
        "comments": concern.comment_count,
    }
    if concern.pk not in visible:
        # The same rule as the pages: no peeking at the tally before voting.
        data.update(justified=None, overblown=None, results_hidden=True)
    return data


# Read-only JSON: other methods get 405, not the CSRF check's 403.
@csrf_exempt
@require_GET
def api_concern_list(request):
    """List every concern with its tally as JSON."""
    concerns = count_comments(
        with_current_tallies(Concern.objects.order_by("article", "position", "pk"))
    )
    visible = results_visible_to(request.user, concerns)
    return JsonResponse([_concern_json(request, c, visible) for c in concerns], safe=False)


@csrf_exempt
@require_GET
def api_concern_detail(request, slug):
    """Return one concern with its tally as JSON."""
    concern = next(iter(with_current_tallies(Concern.objects.filter(slug=slug))), None)
    if concern is None:
        return JsonResponse({"error": _("No concern with that slug.")}, status=404)
    count_comments([concern])
    visible = results_visible_to(request.user, [concern])
    data = _concern_json(request, concern, visible)
    # Only here, not in the list: each concern's count of established fans is a
    # query of its own whenever its cached copy has expired.
    data["established"] = None
    if concern.pk in visible:
        data["established"] = established_tally(concern, concern.tally).as_json()
    return JsonResponse(data)


def fan_profile(request, username):
    """Show a fan's profile: name, bio, join date, helpful marks, comments, public votes."""
    fan = get_object_or_404(User.objects.with_public_profile().named(username))
    if fan.username != username:
        # One address per fan, so links, search engines and the page cache agree;
        # the page asked for comes along.
        query = f"?{request.GET.urlencode()}" if request.GET else ""
        return redirect(fan.get_absolute_url() + query, permanent=True)
    return FanProfile(request, fan).render()


@login_required
def fan_mute(request, username):
    """Mute a fan (POST mute=1) or hear from them again (mute=0); back to `next` or their profile.

    An account switched off can still be unmuted, from the list in the fan's settings.
    """
    fan = get_object_or_404(User.objects.named(username))
    target = same_site_path(request, request.POST.get("next", "")) or fan.get_absolute_url()
    if request.method != "POST":
        return redirect(target)
    if request.POST.get("mute") == "0":
        unmute(request.user, fan)
        messages.success(request, _("You unmuted %(name)s.") % {"name": fan.username})
        return redirect(target)
    try:
        mute(request.user, fan)
    except CannotMuteYourself as refusal:
        messages.error(request, str(refusal))
    else:
        muted = _(
            "You muted %(name)s: their comments are collapsed for you, "
            "and their replies no longer notify you."
        )
        messages.success(request, muted % {"name": fan.username})
    return redirect(target)
