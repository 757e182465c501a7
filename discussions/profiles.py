"""A fan's public profile page: who they are, what they wrote, and their votes if they say so.

The page shows nothing of its visitor but the mute button, so for anonymous
visitors aouad.pagecache keeps it whole: the comments and helpful marks it
shows are content (a change replaces the content version), a new display
name or bio replaces it too (the content declared in accounts.apps), and the votes, like a
tally, may lag by TALLY_FRESH_SECONDS.
"""

from functools import cached_property

from django.core.paginator import Paginator
from django.shortcuts import render

from opinion.models import Vote

from .models import Comment

PROFILE_COMMENTS_PER_PAGE = 20


class FanProfile:
    """One fan's profile as a visitor reads it: a few queries, whatever the fan wrote."""

    template = "discussions/fan_profile.html"

    def __init__(self, request, fan):
        self.request = request
        self.fan = fan
        self.viewer = request.user if request.user.is_authenticated else None

    def render(self, *, status=200):
        return render(self.request, self.template, {"page": self}, status=status)

    @cached_property
    def comments(self):
        """This page of the fan's visible comments, newest first (a Paginator page)."""
        listing = Comment.objects.on_profile_of(self.fan).with_helpful_counts()
        paginator = Paginator(listing, PROFILE_COMMENTS_PER_PAGE)
        return paginator.get_page(self.request.GET.get("page"))

    @property
    def comment_count(self):
        return self.comments.paginator.count

    @cached_property
    def helpful_received(self):
        """Helpful marks on the fan's comments that are still shown."""
        if not self.comment_count:
            return 0
        return Comment.objects.on_profile_of(self.fan).helpful_marks_received()

    @cached_property
    def votes(self):
        """The fan's verdict on each fear, or nothing at all unless they made them public."""
        if not self.fan.votes_public:
            return []
        return list(Vote.objects.on_profile_of(self.fan))

    @property
    def is_own(self):
        return self.viewer is not None and self.viewer.pk == self.fan.pk

    @property
    def may_mute(self):
        return self.viewer is not None and not self.is_own

    @property
    def muted(self):
        """Whether the visitor muted this fan (their comments collapse elsewhere, not here)."""
        return self.may_mute and self.viewer.has_muted(self.fan)
